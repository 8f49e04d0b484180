import Datasets
import Foundation

/// Checks every output of a command before it does any work: an existing file is kept unless
/// `--force`, and each path must be writable. A refused run then changes nothing.
func checkOutputs(_ paths: [String?], force: Bool) throws {
    for case let path? in paths {
        if !force && FileManager.default.fileExists(atPath: path) {
            throw FileSystemError.exists(path: path)
        }
        try checkOutputPath(path)
    }
}

/// Whether `a` and `b` name the same existing file (one device and inode).
func sameFile(_ a: String, _ b: String) -> Bool {
    var first = stat(), second = stat()
    guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
}
