/// What was wrong with labelled data, wherever it came from: labels out of range, negative or
/// too large, NaN or infinite features, features and labels of different lengths, a class
/// with no samples, an unusable shape or parameter. Each description names what was found
/// and what was expected, in words a user can act on; data read from a file also names the
/// file and the dataset (see ``DataOrigin``).
///
///     label 7 at row 12 is out of range; expected labels in 0..<5
///     /tmp/x.h5: '/labels' has label 7 at row 12; expected labels in 0..<5 for 5 classes
///
/// The structure of a file (no such dataset, wrong type or rank, damaged chunks) is
/// ``HDF5Error``'s; a failure of the operating system (no space, permission denied) is
/// ``FileSystemError``'s.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A shape or size that cannot be used.
    case invalidShape(String)
    /// A parameter that cannot be used (a generator's, a split's).
    case invalidParameter(String)
    /// Feature rows and labels disagree in number.
    case lengthMismatch(features: Int, labels: Int, origin: DataOrigin? = nil)
    /// A label below 0.
    case negativeLabel(row: Int, label: Int64, origin: DataOrigin? = nil)
    /// A label that does not fit in `Int32`.
    case labelBeyondInt32(row: Int, label: Int64, origin: DataOrigin? = nil)
    /// A label ≥ the class count.
    case labelOutOfRange(row: Int, label: Int64, classCount: Int, origin: DataOrigin? = nil)
    /// Feature values that are NaN or ±∞; `firstRow` is the first row holding one.
    case nonFinite(count: Int, firstRow: Int, origin: DataOrigin? = nil)
    /// A class with no samples where every class needs some (balanced batches, class weights).
    case emptyClass(label: Int, classCount: Int)
    /// A multi-label [N, K] value other than 0 or 1, at `row` and label `column`.
    case nonBinaryLabel(row: Int, column: Int, value: Int64, origin: DataOrigin? = nil)

    public var description: String {
        switch self {
        case .invalidShape(let message), .invalidParameter(let message):
            return message
        case .lengthMismatch(let features, let labels, let origin):
            guard let origin else {
                return "features have \(features) rows but labels have \(labels); expected the same number"
            }
            return "\(origin.file): '\(origin.features ?? "features")' has \(features) rows but '\(origin.labels ?? "labels")' has \(labels); expected the same number"
        case .negativeLabel(let row, let label, let origin):
            return Self.labelText(origin, row: row, label: label, expected: "labels must be ≥ 0")
        case .labelBeyondInt32(let row, let label, let origin):
            return Self.labelText(origin, row: row, label: label, expected: "labels must fit in Int32 (≤ \(Int32.max))")
        case .labelOutOfRange(let row, let label, let classCount, let origin):
            guard origin != nil else {
                return "label \(label) at row \(row) is out of range; expected labels in 0..<\(classCount)"
            }
            return Self.labelText(origin, row: row, label: label, expected: "expected labels in 0..<\(classCount) for \(classCount) classes")
        case .nonFinite(let count, let firstRow, let origin):
            let values = "\(count) NaN or infinite value\(count == 1 ? "" : "s") (first at row \(firstRow)); expected finite numbers"
            guard let origin else { return "features contain " + values }
            return "\(origin.file): '\(origin.features ?? "features")' contains " + values
        case .emptyClass(let label, let classCount):
            return "class \(label) has no samples; every class in 0..<\(classCount) needs at least one for this sampling policy or class weighting (balanced, progressive and weighted sampling and class weights draw on every class)"
        case .nonBinaryLabel(let row, let column, let value, let origin):
            let found = "value \(value) at row \(row), label \(column); expected 0 or 1 (multi-label labels are an [N, K] 0/1 matrix)"
            guard let origin else { return "multi-label " + found }
            return "\(origin.file): '\(origin.labels ?? "labels")' has " + found
        }
    }

    /// `FILE: 'DATASET' has label L at row R; EXPECTED`, or without a file
    /// `label L at row R: EXPECTED`.
    private static func labelText(_ origin: DataOrigin?, row: Int, label: Int64, expected: String) -> String {
        guard let origin else { return "label \(label) at row \(row): \(expected)" }
        return "\(origin.file): '\(origin.labels ?? "labels")' has label \(label) at row \(row); \(expected)"
    }
}

/// Where labelled data was read from, so a ``DatasetError`` can name it: the file and the
/// features and labels datasets in it.
public struct DataOrigin: Hashable, Sendable {
    /// The file's path as the caller gave it.
    public var file: String
    /// The features dataset's absolute path (`nil` when only labels were read).
    public var features: String?
    /// The labels dataset's absolute path.
    public var labels: String?

    public init(file: String, features: String? = nil, labels: String? = nil) {
        self.file = file
        self.features = features
        self.labels = labels
    }
}
