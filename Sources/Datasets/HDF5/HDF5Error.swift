/// What is wrong with an HDF5 file's structure, or what libhdf5 failed to do with it. Every
/// description names the file, the dataset where there is one, and what was expected, in one
/// line a user can act on:
///
///     /tmp/x.h5: no dataset at '/feats'; the file has datasets /features, /labels
///     /tmp/x.h5: '/labels' holds float64 LE values; labels must be integers
///
/// What is wrong with the data in a file (labels out of range, NaN features, features and
/// labels of different lengths) is a ``DatasetError``; what the operating system refused (no
/// space, permission denied, a read-only file system, an existing output) is a
/// ``FileSystemError``.
public enum HDF5Error: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: The file itself
    /// Nothing exists at the path.
    case noSuchFile(file: String)
    /// The path is a directory.
    case isDirectory(file: String)
    /// The path exists but is neither a regular file nor a directory (a FIFO, a device, …).
    case notARegularFile(file: String)
    /// The file exists but this process may not open it.
    case permissionDenied(file: String)
    /// The file has 0 bytes.
    case emptyFile(file: String)
    /// The file does not start with the HDF5 signature.
    case notHDF5(file: String)
    /// The file has the HDF5 signature but libhdf5 cannot open it (truncated or damaged);
    /// `reason` summarises HDF5's error stack.
    case unreadableFile(file: String, reason: String)

    // MARK: Objects and datasets
    /// Nothing at `path`; `datasets` lists the datasets the file has.
    case noSuchDataset(file: String, path: String, datasets: [String])
    /// `path` names a group or a named datatype, not a dataset.
    case notADataset(file: String, path: String, kind: String)
    /// The dataset's shape cannot be used; `expected` says what can.
    case wrongRank(file: String, dataset: String, shape: [Int], expected: String)
    /// The dataset's element type cannot be used; `found` is its type ("float64 LE",
    /// "string", …), `expected` says what can.
    case wrongType(file: String, dataset: String, found: String, expected: String)
    /// The dataset has no rows (or no columns).
    case emptyDataset(file: String, dataset: String, shape: [Int])
    /// The dataset needs a filter (compression) that libhdf5 cannot load here.
    case filterUnavailable(file: String, dataset: String, filterID: Int, filterName: String)
    /// A requested row is outside `0..<rowCount`.
    case rowOutOfRange(file: String, dataset: String, row: Int, rowCount: Int)
    /// The dataset's stored bytes are damaged: a chunk or a block that lies past the end of the
    /// file, that does not decompress to the size the dataset's shape gives, or that fails its
    /// checksum. `detail` says which and where.
    case damagedData(file: String, dataset: String, detail: String)

    // MARK: Other
    /// An argument that cannot be used (an empty dataset to write, a destination too small, …).
    case invalidArgument(String)
    /// libhdf5 reported a failure; `reason` summarises its error stack in one line.
    case library(file: String, operation: String, reason: String)

    /// One line naming the file, the dataset (if any) and what was expected.
    public var description: String {
        switch self {
        case .noSuchFile(let file):
            return "\(file): no such file"
        case .isDirectory(let file):
            return "\(file) is a directory, expected an HDF5 file"
        case .notARegularFile(let file):
            return "\(file) is not a regular file, expected an HDF5 file"
        case .permissionDenied(let file):
            return "\(file): permission denied; expected a file this user can read"
        case .emptyFile(let file):
            return "\(file) is empty (0 bytes), expected an HDF5 file"
        case .notHDF5(let file):
            return "\(file) is not an HDF5 file"
        case .unreadableFile(let file, let reason):
            return "\(file) is damaged or truncated, HDF5 cannot open it: \(reason)"
        case .noSuchDataset(let file, let path, let datasets):
            let list = datasets.isEmpty ? "the file has no datasets" : "the file has datasets " + datasets.joined(separator: ", ")
            return "\(file): no dataset at '\(path)'; \(list)"
        case .notADataset(let file, let path, let kind):
            return "\(file): '\(path)' is a \(kind), expected a dataset"
        case .wrongRank(let file, let dataset, let shape, let expected):
            return "\(file): '\(dataset)' has shape \(Self.format(shape)); \(expected)"
        case .wrongType(let file, let dataset, let found, let expected):
            return "\(file): '\(dataset)' holds \(found) values; \(expected)"
        case .emptyDataset(let file, let dataset, let shape):
            return "\(file): '\(dataset)' is empty (shape \(Self.format(shape))); expected at least one row and one column"
        case .filterUnavailable(let file, let dataset, let id, let name):
            return "\(file): cannot read '\(dataset)': filter \(id) (\(name)) is not available; install its HDF5 plugin (set HDF5_PLUGIN_PATH) or rewrite the file with gzip"
        case .rowOutOfRange(let file, let dataset, let row, let rowCount):
            return "\(file): row \(row) of '\(dataset)' is out of range; expected rows in 0..<\(rowCount)"
        case .damagedData(let file, let dataset, let detail):
            return "\(file): '\(dataset)' is damaged: \(detail)"
        case .invalidArgument(let message):
            return message
        case .library(let file, let operation, let reason):
            return "\(file): \(operation) failed: \(reason)"
        }
    }

    /// `[2, 3]` for a shape, `[]` for a scalar.
    static func format(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}
