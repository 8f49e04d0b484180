#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The file-system half of an atomic write: checks, temporary names, fsync, rename, and the
/// clean-up of temporaries left by killed runs.
package enum AtomicFile {
    /// The folder (`.` when `path` has none) and the file name of `path`.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    /// The prefix of every temporary file written for `name` (before the pid).
    static func temporaryPrefix(name: String) -> String {
        "." + name + ".tmp-"
    }

    /// A fresh temporary path next to the target: `.<name>.tmp-<pid>-<random>`.
    package static func temporaryPath(folder: String, name: String) -> String {
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return folder + "/" + temporaryPrefix(name: name) + String(getpid()) + "-" + random
    }

    /// Whether something is at `path`; throws ``FileSystemError/exists(path:)`` when it is
    /// and `overwrite` is false.
    @discardableResult
    static func requireTarget(_ path: String, overwrite: Bool) throws -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        if !overwrite { throw FileSystemError.exists(path: path) }
        return true
    }

    /// Removes `.<name>.tmp-<pid>-*` in `folder` whose process no longer runs. Files of
    /// running processes (this one included) and anything else are left alone; failures are
    /// ignored (the clean-up is a courtesy, not part of the write).
    package static func removeStaleTemporaries(folder: String, name: String) {
        let prefix = temporaryPrefix(name: name)
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        var stale: [String] = []
        while let entry = readdir(directory) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard entryName.hasPrefix(prefix) else { continue }
            let rest = entryName.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0 else { continue }
            if pid == getpid() { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { stale.append(entryName) }
        }
        for entryName in stale { unlink(folder + "/" + entryName) }
    }

    /// `fsync`s the file at `path` so its bytes are on disk before the rename.
    static func sync(_ path: String, reportedAs file: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw failure(errno, file: file, operation: "syncing") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure(errno, file: file, operation: "syncing") }
    }

    /// `fsync`s the folder so the rename itself is durable; failures are ignored (some file
    /// systems refuse it).
    static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// Moves the finished temporary file to `path`. Without `overwrite`, uses `link` (which
    /// fails if `path` appeared meanwhile) so an existing file is never replaced.
    static func publish(_ temporary: String, as path: String, overwrite: Bool) throws {
        if !overwrite {
            if link(temporary, path) == 0 {
                unlink(temporary)
                return
            }
            let code = errno
            if code == EEXIST { throw FileSystemError.exists(path: path) }
            // File systems without hard links: check again, then rename.
            try requireTarget(path, overwrite: false)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            if code == EISDIR {
                throw FileSystemError.cannotWrite(path: path, reason: "it is a folder; expected a file name")
            }
            throw failure(code, file: path, operation: "renaming \(temporary) to it")
        }
    }

    /// The error for a system call that failed with `code` during a write.
    static func failure(_ code: Int32, file: String, operation: String) -> any Error {
        FileSystemError.reported(code: code, path: file, writing: true)
            ?? HDF5Error.library(file: file, operation: operation, reason: HDF5FileCheck.systemMessage(code))
    }
}
