/// What went wrong reading or writing an HDF5 file. Every description names the file, the
/// dataset where there is one, and what was expected, in one line a user can act on:
///
///     /tmp/x.h5: no dataset at '/feats'; the file has datasets /features, /labels
///     /tmp/x.h5: '/labels' holds float64 LE values; labels must be integers
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

    // MARK: Labelled data
    /// Features and labels disagree in number of rows.
    case rowCountMismatch(file: String, features: String, featureRows: Int, labels: String, labelRows: Int)
    /// A label below 0.
    case negativeLabel(file: String, dataset: String, row: Int, label: Int64)
    /// A label that does not fit in `Int32`.
    case labelBeyondInt32(file: String, dataset: String, row: Int, label: Int64)
    /// A label ≥ the class count the caller gave.
    case labelOutOfRange(file: String, dataset: String, row: Int, label: Int64, classCount: Int)
    /// Feature values that are NaN or ±∞.
    case nonFinite(file: String, dataset: String, count: Int, firstRow: Int)

    // MARK: Writing
    /// The target exists and overwriting was not asked for.
    case alreadyExists(file: String)
    /// The folder the file should go in does not exist.
    case noSuchFolder(file: String, folder: String)
    /// The folder the file should go in cannot be written to.
    case folderNotWritable(file: String, folder: String)

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
        case .rowCountMismatch(let file, let features, let featureRows, let labels, let labelRows):
            return "\(file): '\(features)' has \(featureRows) rows but '\(labels)' has \(labelRows); expected the same number"
        case .negativeLabel(let file, let dataset, let row, let label):
            return "\(file): '\(dataset)' has label \(label) at row \(row); labels must be ≥ 0"
        case .labelBeyondInt32(let file, let dataset, let row, let label):
            return "\(file): '\(dataset)' has label \(label) at row \(row); labels must fit in Int32 (≤ \(Int32.max))"
        case .labelOutOfRange(let file, let dataset, let row, let label, let classCount):
            return "\(file): '\(dataset)' has label \(label) at row \(row); expected labels in 0..<\(classCount) for \(classCount) classes"
        case .nonFinite(let file, let dataset, let count, let firstRow):
            return "\(file): '\(dataset)' contains \(count) NaN or infinite value\(count == 1 ? "" : "s") (first at row \(firstRow)); expected finite numbers"
        case .alreadyExists(let file):
            return "\(file) already exists; pass --force to overwrite"
        case .noSuchFolder(let file, let folder):
            return "\(file): folder \(folder) does not exist"
        case .folderNotWritable(let file, let folder):
            return "\(file): folder \(folder) is not writable"
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
