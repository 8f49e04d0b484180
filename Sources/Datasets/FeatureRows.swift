/// Unlabelled feature rows from an HDF5 file, held in memory or read on demand: what a trained
/// model predicts on. Made by ``openFeatureFile(path:featuresPath:allowNonfinite:reading:)``;
/// the labelled counterpart is ``LabelledSource``, and both keep their rows the same way.
///
/// ```swift
/// let rows = try openFeatureFile(path: "big.h5", reading: .stream())
/// var block = [Float](repeating: 0, count: 4096 * rows.dimension)
/// try Array(0..<4096).withUnsafeBufferPointer { r in
///     try block.withUnsafeMutableBufferPointer { try rows.gatherRows(r, into: $0) }
/// }
/// ```
///
/// Rows read from a file are checked for NaN and ±∞ as they are read, unless the file was
/// opened with `allowNonfinite`; rows in memory were checked when they were loaded.
public struct FeatureRows: FeatureRowSource, Sendable {
    /// N.
    public let rowCount: Int
    /// D.
    public let dimension: Int
    /// The file and the features dataset, for errors.
    public let origin: DataOrigin
    let storage: LabelledSource.Storage

    /// Whether the rows are in memory (else they are read from the file as needed).
    public var isInMemory: Bool {
        if case .memory = storage { return true }
        return false
    }

    public func gatherRows(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard destination.count >= rows.count * dimension else {
            throw DatasetError.invalidShape("destination holds \(destination.count) values, expected at least \(rows.count * dimension)")
        }
        if let bad = rows.first(where: { $0 < 0 || $0 >= rowCount }) {
            throw DatasetError.invalidShape("row \(bad) is out of range; expected 0..<\(rowCount)")
        }
        try storage.gather(rows, into: destination, dimension: dimension, origin: origin)
    }
}

/// Opens the features dataset of an HDF5 file that need not have labels, for prediction: the
/// file and the dataset are opened and checked once as
/// ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)`` does,
/// then the rows are read into memory or left in the file.
///
/// - Parameters:
///   - path: The HDF5 file.
///   - featuresPath: A numeric dataset `[N, D]` or `[N]` (then D = 1) of any integer or float
///     type and byte order; read as `Float`.
///   - allowNonfinite: Accept NaN and ±∞ features instead of refusing them.
///   - reading: ``FeatureReading/memory`` or ``FeatureReading/stream(chunkCacheBudget:)``.
/// - Returns: The rows.
/// - Throws: ``HDF5Error`` for the file and the dataset (no such file, not HDF5, no such
///   dataset, wrong type or rank, empty, an unavailable filter, damaged data);
///   ``DatasetError/nonFinite(count:firstRow:origin:)`` unless `allowNonfinite` (streamed
///   rows when they are read); ``HDF5GuardError`` when the rows do not fit in memory with
///   ``FeatureReading/memory``.
/// - Complexity: O(1) reads to open; O(N·D) more with ``FeatureReading/memory``.
public func openFeatureFile(
    path: String, featuresPath: String = "/features", allowNonfinite: Bool = false, reading: FeatureReading = .memory
) throws -> FeatureRows {
    let features = try HDF5FeatureDataset(
        file: try HDF5File(path: path), datasetPath: featuresPath, chunkCacheBudget: reading.chunkCacheBudget)
    let origin = DataOrigin(file: path, features: features.datasetPath)
    return FeatureRows(
        rowCount: features.rowCount, dimension: features.dimension, origin: origin,
        storage: try .open(features, reading: reading, allowNonfinite: allowNonfinite, origin: origin))
}

extension FeatureReading {
    /// The decoded-chunk cache budget of the features dataset: the stream's, or the default.
    var chunkCacheBudget: Int {
        switch self {
        case .memory: return HDF5FeatureDataset.defaultChunkCacheBudget
        case .stream(let budget): return budget
        }
    }
}
