#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import CHDF5

/// Checks a path before libhdf5 sees it, so that the common mistakes get specific errors
/// instead of HDF5's generic "unable to open file".
enum HDF5FileCheck {
    /// Throws unless `path` is an existing, readable, non-empty regular file with the HDF5
    /// signature.
    ///
    /// - Throws: ``HDF5Error/noSuchFile(file:)``, ``HDF5Error/isDirectory(file:)``,
    ///   ``HDF5Error/notARegularFile(file:)``, ``HDF5Error/permissionDenied(file:)``,
    ///   ``HDF5Error/emptyFile(file:)``, ``HDF5Error/notHDF5(file:)``, or
    ///   ``HDF5Error/unreadableFile(file:reason:)`` for other system errors.
    static func checkReadable(_ path: String) throws {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR: throw HDF5Error.noSuchFile(file: path)
            case EACCES, EPERM: throw HDF5Error.permissionDenied(file: path)
            default:
                throw FileSystemError.reported(code: code, path: path, writing: false)
                    ?? HDF5Error.unreadableFile(file: path, reason: systemMessage(code))
            }
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR { throw HDF5Error.isDirectory(file: path) }
        if type != S_IFREG { throw HDF5Error.notARegularFile(file: path) }
        let descriptor = open(path, O_RDONLY)
        if descriptor < 0 {
            let code = errno
            if code == EACCES || code == EPERM { throw HDF5Error.permissionDenied(file: path) }
            throw FileSystemError.reported(code: code, path: path, writing: false)
                ?? HDF5Error.unreadableFile(file: path, reason: systemMessage(code))
        }
        close(descriptor)
        if info.st_size == 0 { throw HDF5Error.emptyFile(file: path) }
        try HDF5Library.run {
            let signature = H5Fis_hdf5(path)
            if signature == 0 { throw HDF5Error.notHDF5(file: path) }
            if signature < 0 {
                throw HDF5Error.unreadableFile(file: path, reason: HDF5Library.errorStackSummary())
            }
        }
    }

    /// The C library's text for `errno` value `code`.
    static func systemMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
