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

    /// Throws unless `folder` exists, is a folder, and this process may create files in it.
    static func requireWritableFolder(_ folder: String, file: String) throws {
        var info = stat()
        guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw HDF5Error.noSuchFolder(file: file, folder: folder)
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw HDF5Error.folderNotWritable(file: file, folder: folder)
        }
    }

    /// Throws when the target is a directory, or exists and `overwrite` is false.
    static func requireTarget(_ path: String, overwrite: Bool) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR { throw HDF5Error.isDirectory(file: path) }
        if !overwrite { throw HDF5Error.alreadyExists(file: path) }
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
        guard descriptor >= 0 else {
            throw HDF5Error.library(file: file, operation: "syncing", reason: HDF5FileCheck.systemMessage(errno))
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw HDF5Error.library(file: file, operation: "syncing", reason: HDF5FileCheck.systemMessage(errno))
        }
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
            if code == EEXIST { throw HDF5Error.alreadyExists(file: path) }
            // File systems without hard links: check again, then rename.
            try requireTarget(path, overwrite: false)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            switch code {
            case EISDIR: throw HDF5Error.isDirectory(file: path)
            default:
                throw HDF5Error.library(
                    file: path, operation: "renaming \(temporary) to it", reason: HDF5FileCheck.systemMessage(code))
            }
        }
    }
}
