/// Loads features and labels from an HDF5 file into memory, checking everything a trainer
/// relies on.
///
/// ```swift
/// let data = try loadLabelledDataset(path: "spiral.h5")
/// let nested = try loadLabelledDataset(path: "big.h5", featuresPath: "/data/train/x",
///                                      labelsPath: "/data/train/y", classCount: 10)
/// ```
///
/// - Parameters:
///   - path: The HDF5 file.
///   - featuresPath: A numeric dataset `[N, D]` or `[N]` (then D = 1) of any integer or float
///     type and byte order; read as `Float`.
///   - labelsPath: An integer dataset `[N]` of any width, signedness and byte order.
///   - classCount: K. Labels must then lie in `0..<K`; `nil` means `max(label) + 1`, which
///     must not exceed the number of rows (a larger label is the mark of a damaged file). Classes
///     with no samples are allowed here (the samplers report them).
///   - allowNonfinite: Accept NaN and ±∞ features instead of refusing them.
/// - Returns: The dataset, labels as `Int32`.
/// - Throws: ``HDF5Error`` naming the file, the dataset and the row: the file-level errors of
///   ``HDF5File/init(path:)``; no such dataset, wrong type, wrong rank, empty dataset or an
///   unavailable filter; ``HDF5Error/rowCountMismatch(file:features:featureRows:labels:labelRows:)``;
///   ``HDF5Error/negativeLabel(file:dataset:row:label:)``,
///   ``HDF5Error/labelBeyondInt32(file:dataset:row:label:)``,
///   ``HDF5Error/labelOutOfRange(file:dataset:row:label:classCount:)`` for the first bad label;
///   ``HDF5Error/nonFinite(file:dataset:count:firstRow:)`` unless `allowNonfinite`;
///   ``HDF5Error/invalidArgument(_:)`` when `classCount` < 1; ``HDF5GuardError`` when the
///   file claims more than it stores or than memory holds, or (without `classCount`) a label
///   beyond the number of rows.
/// - Complexity: O(N·D); memory N·D floats plus N labels.
public func loadLabelledDataset(
    path: String, featuresPath: String = "/features", labelsPath: String = "/labels",
    classCount: Int? = nil, allowNonfinite: Bool = false
) throws -> LabelledDataset {
    try requireValidClassCount(classCount)
    let file = try HDF5File(path: path)
    let features = HDF5File.normalize(featuresPath)
    let labels = HDF5File.normalize(labelsPath)
    // Shapes and types of both datasets first: cheap, and the clearest error comes first.
    _ = try checkLabelledShapes(file, featuresPath: features, labelsPath: labels)
    let checked = try loadLabels(path: path, labelsPath: labels, classCount: classCount)
    let matrix = try file.readFeatures(at: features)
    if !allowNonfinite {
        try requireFinite(matrix, file: path, dataset: features)
    }
    return LabelledDataset(
        unchecked: matrix.values, dimension: matrix.dimension, labels: checked.labels,
        classCount: checked.classCount)
}

/// Checks, without reading any data, that a file's features and labels can be used together:
/// features a numeric dataset `[N, D]` or `[N]`, labels an integer dataset `[N]`, the same N.
///
/// - Parameters:
///   - file: The open file.
///   - featuresPath: The features dataset.
///   - labelsPath: The labels dataset.
/// - Returns: N and D.
/// - Throws: ``HDF5Error`` for a missing, mistyped, misshapen or empty dataset, and
///   ``HDF5Error/rowCountMismatch(file:features:featureRows:labels:labelRows:)``.
/// - Complexity: O(1) reads of metadata.
public func checkLabelledShapes(
    _ file: HDF5File, featuresPath: String = "/features", labelsPath: String = "/labels"
) throws -> (rowCount: Int, dimension: Int) {
    let shape = try file.featureShape(at: featuresPath)
    let labelRows = try file.labelCount(at: labelsPath)
    guard shape.rowCount == labelRows else {
        throw HDF5Error.rowCountMismatch(
            file: file.path, features: HDF5File.normalize(featuresPath), featureRows: shape.rowCount,
            labels: HDF5File.normalize(labelsPath), labelRows: labelRows)
    }
    return shape
}

/// Loads only the labels of an HDF5 file, for statistics and batch plans over files whose
/// features do not fit in memory.
///
/// - Parameters:
///   - path: The HDF5 file.
///   - labelsPath: An integer dataset `[N]` of any width, signedness and byte order.
///   - classCount: K; labels must lie in `0..<K`. `nil` means `max(label) + 1`, at most the
///     number of rows.
/// - Returns: The labels as `Int32` and the class count.
/// - Throws: As ``loadLabelledDataset(path:featuresPath:labelsPath:classCount:allowNonfinite:)``
///   for the file and the labels.
/// - Complexity: O(N).
public func loadLabels(path: String, labelsPath: String = "/labels", classCount: Int? = nil) throws -> (labels: [Int32], classCount: Int) {
    try requireValidClassCount(classCount)
    let file = try HDF5File(path: path)
    let dataset = HDF5File.normalize(labelsPath)
    let n = try file.labelCount(at: dataset)
    var checker = LabelChecker(file: path, dataset: dataset, classCount: classCount, rowCount: n)
    try HDF5FileGuards.requireMemory(count: n, elementBytes: MemoryLayout<Int32>.size, what: "\(n) labels", file: path, dataset: dataset)
    var labels = [Int32](repeating: 0, count: n)
    try labels.withUnsafeMutableBufferPointer { out in
        try file.forEachLabelBlock(at: dataset) { first, block in
            try checker.check(block, firstRow: first) { row, label in out[row] = label }
        }
    }
    return (labels, checker.finalClassCount())
}

/// Counts the samples of each class without keeping the labels: memory O(K) whatever N is
/// (the labels are read block by block).
///
/// - Parameters:
///   - path: The HDF5 file.
///   - labelsPath: An integer dataset `[N]`.
///   - classCount: K; `nil` means `max(label) + 1`.
/// - Returns: n_c for every class in `0..<K`, in label order.
/// - Throws: As ``loadLabels(path:labelsPath:classCount:)``.
/// - Complexity: O(N) time.
public func countLabels(path: String, labelsPath: String = "/labels", classCount: Int? = nil) throws -> [Int] {
    try requireValidClassCount(classCount)
    let file = try HDF5File(path: path)
    let dataset = HDF5File.normalize(labelsPath)
    var checker = LabelChecker(file: path, dataset: dataset, classCount: classCount, rowCount: try file.labelCount(at: dataset))
    var counts = [Int](repeating: 0, count: classCount ?? 0)
    try file.forEachLabelBlock(at: dataset) { first, block in
        try checker.check(block, firstRow: first) { _, label in
            let c = Int(label)
            if c >= counts.count { counts.append(contentsOf: repeatElement(0, count: c + 1 - counts.count)) }
            counts[c] += 1
        }
    }
    let k = checker.finalClassCount()
    if counts.count < k { counts.append(contentsOf: repeatElement(0, count: k - counts.count)) }
    return counts
}

private func requireValidClassCount(_ classCount: Int?) throws {
    if let classCount, classCount < 1 {
        throw HDF5Error.invalidArgument("the number of classes must be at least 1, got \(classCount)")
    }
    if let classCount, classCount > maximumClassCount {
        throw HDF5Error.invalidArgument("\(classCount) classes is more than the \(maximumClassCount) supported")
    }
}

/// The most classes a labelling may have (labels up to 2²⁴ − 1): beyond it per-class tables
/// would not fit in memory, and a label that large is almost surely a damaged file.
let maximumClassCount = 1 << 24

/// Checks labels as they stream by: refuses the first negative, too large or out-of-range one,
/// and tracks the largest.
private struct LabelChecker {
    let file: String
    let dataset: String
    let classCount: Int?
    let limit: Int64
    var maximum: Int64 = -1

    let rowCount: Int

    /// Without a class count, a label must stay below the number of rows (more classes than
    /// samples means a damaged file or a mistake) and below ``maximumClassCount``.
    init(file: String, dataset: String, classCount: Int?, rowCount: Int) {
        self.file = file
        self.dataset = dataset
        self.classCount = classCount
        self.rowCount = rowCount
        self.limit = Int64(classCount ?? Swift.min(maximumClassCount, rowCount))
    }

    mutating func check(_ block: UnsafeBufferPointer<Int64>, firstRow: Int, _ accept: (Int, Int32) -> Void) throws {
        for (offset, label) in block.enumerated() {
            let row = firstRow + offset
            if label < 0 {
                throw HDF5Error.negativeLabel(file: file, dataset: dataset, row: row, label: label)
            }
            if label > Int64(Int32.max) {
                throw HDF5Error.labelBeyondInt32(file: file, dataset: dataset, row: row, label: label)
            }
            if label >= limit {
                if let classCount {
                    throw HDF5Error.labelOutOfRange(file: file, dataset: dataset, row: row, label: label, classCount: classCount)
                }
                try HDF5FileGuards.requirePlausibleClassCount(
                    largestLabel: label, row: row, rowCount: rowCount, file: file, dataset: dataset)
                throw HDF5Error.labelOutOfRange(file: file, dataset: dataset, row: row, label: label, classCount: maximumClassCount)
            }
            if label > maximum { maximum = label }
            accept(row, Int32(truncatingIfNeeded: label))
        }
    }

    /// K: the given class count, or the largest label + 1.
    func finalClassCount() -> Int {
        classCount ?? Int(maximum) + 1
    }
}

/// Throws ``HDF5Error/nonFinite(file:dataset:count:firstRow:)`` when a value is NaN or ±∞.
private func requireFinite(_ matrix: HDF5FeatureMatrix, file: String, dataset: String) throws {
    var count = 0
    var first = -1
    matrix.values.withUnsafeBufferPointer { values in
        for (index, value) in values.enumerated() where !value.isFinite {
            if first < 0 { first = index }
            count += 1
        }
    }
    if count > 0 {
        throw HDF5Error.nonFinite(file: file, dataset: dataset, count: count, firstRow: first / matrix.dimension)
    }
}
