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
