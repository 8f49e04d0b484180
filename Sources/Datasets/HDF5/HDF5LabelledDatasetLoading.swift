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
    let shape = try file.featureShape(at: features)
    let labelRows = try file.labelCount(at: labels)
    guard shape.rowCount == labelRows else {
        throw HDF5Error.rowCountMismatch(
            file: path, features: features, featureRows: shape.rowCount, labels: labels, labelRows: labelRows)
    }
    let checked = try checkLabels(try file.readLabels(at: labels), file: path, dataset: labels, classCount: classCount)
    let matrix = try file.readFeatures(at: features)
    if !allowNonfinite {
        try requireFinite(matrix, file: path, dataset: features)
    }
    return LabelledDataset(
        unchecked: matrix.values, dimension: matrix.dimension, labels: checked.labels,
        classCount: checked.classCount)
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
    let labels = HDF5File.normalize(labelsPath)
    return try checkLabels(try file.readLabels(at: labels), file: path, dataset: labels, classCount: classCount)
}

private func requireValidClassCount(_ classCount: Int?) throws {
    if let classCount, classCount < 1 {
        throw HDF5Error.invalidArgument("the number of classes must be at least 1, got \(classCount)")
    }
}

/// Narrows labels to `Int32`, refusing the first negative, too large or out-of-range one.
private func checkLabels(_ raw: [Int64], file: String, dataset: String, classCount: Int?) throws -> (labels: [Int32], classCount: Int) {
    let limit = Int64(classCount ?? Int(Int32.max) + 1)
    var maximum: Int64 = -1
    var maximumRow = 0
    let labels = try [Int32](unsafeUninitializedCapacity: raw.count) { buffer, initialized in
        try raw.withUnsafeBufferPointer { source in
            for (row, label) in source.enumerated() {
                if label < 0 {
                    throw HDF5Error.negativeLabel(file: file, dataset: dataset, row: row, label: label)
                }
                if label > Int64(Int32.max) {
                    throw HDF5Error.labelBeyondInt32(file: file, dataset: dataset, row: row, label: label)
                }
                if label >= limit, let classCount {
                    throw HDF5Error.labelOutOfRange(
                        file: file, dataset: dataset, row: row, label: label, classCount: classCount)
                }
                if label > maximum { (maximum, maximumRow) = (label, row) }
                buffer[row] = Int32(truncatingIfNeeded: label)
            }
        }
        initialized = raw.count
    }
    if classCount == nil {
        try HDF5FileGuards.requirePlausibleClassCount(
            largestLabel: maximum, row: maximumRow, rowCount: raw.count, file: file, dataset: dataset)
    }
    return (labels, classCount ?? Int(maximum) + 1)
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
