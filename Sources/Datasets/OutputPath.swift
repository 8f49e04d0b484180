#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Checks, before any work is done, that a file can be written at `path`: its folder exists,
/// is a folder and is writable, and `path` itself is not a folder. Commands call it for every
/// output first, so a run that cannot save its results fails at once and changes nothing.
///
/// - Throws: ``FileSystemError/cannotWrite(path:reason:)`` naming the folder and the problem.
package func checkOutputPath(_ path: String) throws {
    guard !path.isEmpty else { throw FileSystemError.cannotWrite(path: path, reason: "the path is empty") }
    let slash = path.lastIndex(of: "/")
    let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    guard !name.isEmpty else {
        throw FileSystemError.cannotWrite(path: path, reason: "the path names a folder; expected a file name")
    }
    var info = stat()
    guard stat(folder, &info) == 0 else {
        throw FileSystemError.cannotWrite(path: path, reason: "folder \(folder) does not exist")
    }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
        throw FileSystemError.cannotWrite(path: path, reason: "\(folder) is not a folder")
    }
    guard access(folder, W_OK | X_OK) == 0 else {
        let reason = errno == EROFS ? "folder \(folder) is on a read-only file system" : "folder \(folder) is not writable (read-only)"
        throw FileSystemError.cannotWrite(path: path, reason: reason)
    }
    if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
        throw FileSystemError.cannotWrite(path: path, reason: "it is a folder; expected a file name")
    }
}
