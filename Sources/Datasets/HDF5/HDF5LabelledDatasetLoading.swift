/// How ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)``
/// gets the features.
public enum FeatureReading: Sendable, Equatable {
    /// Read every row into memory when the file is opened (checked for NaN and ±∞ then).
    case memory
    /// Keep the dataset open and read rows as they are asked for (data larger than memory),
    /// keeping up to `chunkCacheBudget` bytes of decoded chunks between reads.
    case stream(chunkCacheBudget: Int = HDF5FeatureDataset.defaultChunkCacheBudget)
}

/// Opens a labelled HDF5 file: the one way labelled data comes in from a file.
///
/// The file is opened once; the features dataset is opened and checked (numeric, `[N, D]` or
/// `[N]`); the labels dataset is opened, its length compared with N, and its labels read and
/// checked once, block by block; then the features are read into memory or left in the file
/// for reading on demand. Everything after that (splits, subsets, held-out rows, batches)
/// works on the returned source the same way in both cases.
///
/// ```swift
/// let data = try openLabelledFile(path: "spiral.h5")                          // in memory
/// let big = try openLabelledFile(path: "big.h5", featuresPath: "/data/train/x",
///                                labelsPath: "/data/train/y", reading: .stream())
/// ```
///
/// - Parameters:
///   - path: The HDF5 file.
///   - featuresPath: A numeric dataset `[N, D]` or `[N]` (then D = 1) of any integer or float
///     type and byte order; read as `Float`.
///   - labelsPath: An integer dataset `[N]` of any width, signedness and byte order.
///   - classCount: K. Labels must then lie in `0..<K`; `nil` means `max(label) + 1`, which
///     must not exceed the number of rows (a larger label is the mark of a damaged file).
///     Classes with no samples are allowed here (the samplers report them).
///   - allowNonfinite: Accept NaN and ±∞ features instead of refusing them.
///   - reading: ``FeatureReading/memory`` or ``FeatureReading/stream(chunkCacheBudget:)``.
/// - Returns: The rows, their checked labels and the file's ``DataOrigin``.
/// - Throws: ``HDF5Error`` for the file and its structure (no such file, not HDF5, no such
///   dataset, wrong type or rank, empty, an unavailable filter, damaged data);
///   ``DatasetError`` naming the file, the dataset and the row for the data:
///   ``DatasetError/lengthMismatch(features:labels:origin:)``,
///   ``DatasetError/negativeLabel(row:label:origin:)``,
///   ``DatasetError/labelBeyondInt32(row:label:origin:)``,
///   ``DatasetError/labelOutOfRange(row:label:classCount:origin:)`` for the first bad label,
///   ``DatasetError/nonFinite(count:firstRow:origin:)`` unless `allowNonfinite` (streamed
///   rows when they are read), ``DatasetError/invalidParameter(_:)`` for a K below 1 or
///   above ``maximumClassCount``; ``HDF5GuardError`` when the file claims more than it
///   stores or than memory holds, or (without `classCount`) a label beyond the number of rows;
///   ``FileSystemError/system(path:code:writing:existingKept:)`` when the system fails a read.
/// - Complexity: O(N) for the labels; O(N·D) more with ``FeatureReading/memory``.
public func openLabelledFile(
    path: String, featuresPath: String = "/features", labelsPath: String = "/labels",
    classCount: Int? = nil, allowNonfinite: Bool = false, reading: FeatureReading = .memory
) throws -> LabelledSource {
    try LabelValidator.requireUsable(classCount: classCount)
    let file = try HDF5File(path: path)
    let features = try HDF5FeatureDataset(file: file, datasetPath: featuresPath, chunkCacheBudget: reading.chunkCacheBudget)
    let origin = DataOrigin(file: path, features: features.datasetPath, labels: HDF5File.normalize(labelsPath))
    let labels = try file.readClassLabels(
        at: labelsPath, classCount: classCount, origin: origin, expectedRows: features.rowCount)
    let storage = try LabelledSource.Storage.open(features, reading: reading, allowNonfinite: allowNonfinite, origin: origin)
    return LabelledSource(labels: labels, dimension: features.dimension, origin: origin, storage: storage, baseRows: nil)
}

/// Loads features and labels from an HDF5 file into memory, checking everything a trainer
/// relies on: ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)``
/// with ``FeatureReading/memory``, as a ``LabelledDataset``.
///
/// ```swift
/// let data = try loadLabelledDataset(path: "spiral.h5")
/// let nested = try loadLabelledDataset(path: "big.h5", featuresPath: "/data/train/x",
///                                      labelsPath: "/data/train/y", classCount: 10)
/// ```
///
/// - Throws: As ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)``.
/// - Complexity: O(N·D); memory N·D floats plus N labels.
public func loadLabelledDataset(
    path: String, featuresPath: String = "/features", labelsPath: String = "/labels",
    classCount: Int? = nil, allowNonfinite: Bool = false
) throws -> LabelledDataset {
    try openLabelledFile(
        path: path, featuresPath: featuresPath, labelsPath: labelsPath, classCount: classCount,
        allowNonfinite: allowNonfinite, reading: .memory
    ).materialize()
}

/// Loads only the labels of an HDF5 file (no features dataset is needed), checked as
/// ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)``
/// checks them.
///
/// - Parameters:
///   - path: The HDF5 file.
///   - labelsPath: An integer dataset `[N]` of any width, signedness and byte order.
///   - classCount: K; labels must lie in `0..<K`. `nil` means `max(label) + 1`, at most the
///     number of rows.
/// - Returns: The labels and the class count.
/// - Throws: As ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)``
///   for the file and the labels.
/// - Complexity: O(N).
public func loadLabels(path: String, labelsPath: String = "/labels", classCount: Int? = nil) throws -> ClassLabels {
    try LabelValidator.requireUsable(classCount: classCount)
    let file = try HDF5File(path: path)
    return try file.readClassLabels(
        at: labelsPath, classCount: classCount, origin: DataOrigin(file: path, labels: HDF5File.normalize(labelsPath)),
        expectedRows: nil)
}

/// The number of samples of each class of a labelled HDF5 file, its labels checked as
/// ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)``
/// checks them (their number against the features' rows, then every label), read block by
/// block and not kept: memory O(K + one block) whatever N is, for summaries of files whose
/// labels need not be held (`datatool balance-stats`). The features dataset is opened and
/// checked, not read.
///
/// - Returns: K counts (K as given, or the largest label + 1).
/// - Throws: As ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)``.
/// - Complexity: O(N) time.
package func labelledFileClassCounts(
    path: String, featuresPath: String = "/features", labelsPath: String = "/labels", classCount: Int? = nil
) throws -> [Int] {
    try LabelValidator.requireUsable(classCount: classCount)
    let file = try HDF5File(path: path)
    let features = try HDF5FeatureDataset(file: file, datasetPath: featuresPath, chunkCacheBudget: 0)
    let origin = DataOrigin(file: path, features: features.datasetPath, labels: HDF5File.normalize(labelsPath))
    var counts = [Int]()
    let k = try file.checkLabels(at: labelsPath, classCount: classCount, origin: origin, expectedRows: features.rowCount,
                                 starting: { _, _ in counts = [Int](repeating: 0, count: classCount ?? 0) }) { first, block, validator in
        // Check the block first (the counts grow only for labels that pass), then count it.
        var largest: Int32 = -1
        try validator.check(block, firstRow: first) { _, label in largest = Swift.max(largest, label) }
        if Int(largest) >= counts.count { counts += [Int](repeating: 0, count: Int(largest) + 1 - counts.count) }
        counts.withUnsafeMutableBufferPointer { counts in
            for label in block { counts[Int(label)] += 1 }
        }
    }
    return counts + [Int](repeating: 0, count: Swift.max(0, k - counts.count))
}

extension HDF5File {
    /// Reads and checks a labels dataset block by block (one opening of the dataset): its
    /// length against `expectedRows` first, then every label with a ``LabelValidator``.
    func readClassLabels(at datasetPath: String, classCount: Int?, origin: DataOrigin, expectedRows: Int?) throws -> ClassLabels {
        var labels = [Int32]()
        let k = try checkLabels(at: datasetPath, classCount: classCount, origin: origin, expectedRows: expectedRows,
                                starting: { n, dataset in
            try HDF5FileGuards.requireMemory(
                count: n, elementBytes: MemoryLayout<Int32>.size, what: "\(n) labels", file: path, dataset: dataset)
            labels = [Int32](repeating: 0, count: n)
        }) { first, block, validator in
            try labels.withUnsafeMutableBufferPointer { out in
                try validator.check(block, firstRow: first) { row, label in out[row] = label }
            }
        }
        return ClassLabels(unchecked: labels, classCount: k)
    }

    /// The one pass over a labels dataset behind ``readClassLabels(at:classCount:origin:expectedRows:)``
    /// and ``labelledFileClassCounts(path:featuresPath:labelsPath:classCount:)``: its length
    /// is compared with `expectedRows`, `starting` gets N and the dataset's path, and `body`
    /// checks each block with the pass's ``LabelValidator`` (handing the good labels on).
    ///
    /// - Returns: K, as given or inferred.
    func checkLabels(
        at datasetPath: String, classCount: Int?, origin: DataOrigin, expectedRows: Int?,
        starting: (_ rowCount: Int, _ dataset: String) throws -> Void,
        _ body: (_ firstRow: Int, _ block: UnsafeBufferPointer<Int64>, _ validator: inout LabelValidator) throws -> Void
    ) throws -> Int {
        var validator: LabelValidator?
        try forEachLabelBlock(at: datasetPath, starting: { n, dataset in
            if let expectedRows, expectedRows != n {
                throw DatasetError.lengthMismatch(features: expectedRows, labels: n, origin: origin)
            }
            validator = try LabelValidator(classCount: classCount, rowCount: n, origin: origin)
            try starting(n, dataset)
        }) { first, block in
            guard validator != nil else { return }
            try body(first, block, &validator!)
        }
        guard let validator else {
            throw DatasetError.invalidShape("\(path): no labels were read from '\(HDF5File.normalize(datasetPath))'")
        }
        return try validator.finish()
    }
}
