#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import CHDF5

/// Our own read-only descriptor of a file libhdf5 has open, for reading a dataset's stored
/// bytes with `pread` without going through libhdf5 (and so without its lock).
///
/// The descriptor is a `dup` of the one libhdf5's default (`sec2`) driver opened, so it is the
/// very file HDF5 reads, even if the path has since been renamed or replaced. `pread` does not
/// move a shared file position, so sharing the open file with libhdf5 is safe, and reads may
/// run on any number of threads at once. Every read is checked against the file's size at
/// opening, and a read that comes up short (the file was truncated since) is an error, never a
/// crash: nothing is memory-mapped.
final class HDF5DirectFile: Sendable {
    /// The path the file was opened with; errors name it.
    let path: String
    /// The file's size in bytes when it was opened here.
    let size: Int
    private let descriptor: Int32

    /// Duplicates the descriptor of `file`, or returns `nil` when libhdf5 does not read it
    /// through the `sec2` driver (then its handle is not a plain descriptor). Runs inside
    /// ``HDF5Library/run(_:)``.
    init?(file: HDF5File) {
        let access = H5Fget_access_plist(file.handle.id)
        guard access >= 0 else {
            _ = H5Eclear2(chdf5_e_default())
            return nil
        }
        defer { H5Pclose(access) }
        guard H5Pget_driver(access) == chdf5_fd_sec2() else { return nil }
        var handle: UnsafeMutableRawPointer?
        guard H5Fget_vfd_handle(file.handle.id, access, &handle) >= 0, let handle else {
            _ = H5Eclear2(chdf5_e_default())
            return nil
        }
        let duplicate = fcntl(handle.assumingMemoryBound(to: Int32.self).pointee, F_DUPFD_CLOEXEC, 0)
        guard duplicate >= 0 else { return nil }
        var info = stat()
        guard fstat(duplicate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(duplicate)
            return nil
        }
        path = file.path
        size = Int(info.st_size)
        descriptor = duplicate
    }

    deinit {
        close(descriptor)
    }

    /// Reads exactly `count` bytes at byte `offset` into `destination`.
    ///
    /// - Parameters:
    ///   - dataset: The dataset the bytes belong to, for errors.
    ///   - what: What the bytes are ("chunk 3", "rows 10..<20"), for errors.
    /// - Throws: ``HDF5Error/damagedData(file:dataset:detail:)`` when the bytes do not lie
    ///   inside the file, or the file ends before them (truncated since it was opened);
    ///   ``HDF5Error/library(file:operation:reason:)`` with the system's message when the read
    ///   itself fails.
    func read(
        into destination: UnsafeMutableRawPointer, count: Int, at offset: Int, dataset: String,
        what: @autoclosure () -> String
    ) throws {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw HDF5Error.damagedData(
                file: path, dataset: dataset,
                detail: "\(what()) at byte \(offset) (\(count) bytes) lies past the end of the file (\(size) bytes); expected it inside the file")
        }
        var done = 0
        while done < count {
            let got = pread(descriptor, destination + done, count - done, off_t(offset + done))
            if got > 0 {
                done += got
            } else if got == 0 {
                throw HDF5Error.damagedData(
                    file: path, dataset: dataset,
                    detail: "the file ends at byte \(offset + done) inside \(what()) (bytes \(offset)..<\(offset + count)); it was truncated after opening")
            } else if errno != EINTR {
                let code = errno
                throw FileSystemError.reported(code: code, path: path, writing: false) ?? HDF5Error.library(
                    file: path, operation: "reading \(what())", reason: HDF5FileCheck.systemMessage(code))
            }
        }
    }
}
