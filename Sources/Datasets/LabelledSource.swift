import CVectorMath

/// Labelled rows for sampling and training, held in memory or read from an HDF5 file on
/// demand: one type for both, so splitting, subsets, held-out rows and class counts are the
/// same code whichever it is.
///
/// Made by ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)``
/// (which checks the labels once) or from a ``LabelledDataset``. A subset or a split part is a
/// list of rows of the same storage, not a copy; ``materialize()`` copies the rows into a
/// ``LabelledDataset`` where the whole part is needed in memory (evaluation, a plot).
///
/// ```swift
/// let data = try openLabelledFile(path: "big.h5", reading: .stream())
/// let (train, test) = try data.stratifiedSplit(testFraction: 0.2, seed: 0)
/// let trainer = try Trainer(configuration: configuration, inputs: train.dimension, classCounts: train.labels.counts)
/// let report = try trainer.fit(source: train, labels: train.labels.values, test: try test.materialize())
/// ```
///
/// Rows read from a file are checked for NaN and ±∞ as they are read, unless the file was
/// opened with `allowNonfinite`; rows in memory were checked when they were loaded.
public struct LabelledSource: FeatureRowSource, Sendable {
    /// The labels of this source's rows, checked.
    public let labels: ClassLabels
    /// D.
    public let dimension: Int
    /// Where the file's data came from, for errors (`nil` for data made in memory).
    public let origin: DataOrigin?

    /// Where the rows live.
    enum Storage: Sendable {
        /// Row-major features of every base row.
        case memory([Float])
        /// A features dataset read on demand; `refusingNonfinite` checks each row read.
        case file(HDF5FeatureDataset, refusingNonfinite: Bool)
    }

    let storage: Storage
    /// The base row of each row; `nil` when row `i` is base row `i`.
    let baseRows: [Int]?
    /// Rows of a file held decoded in memory (``pinningClasses(budgetBytes:)``).
    let pinned: PinnedRows?

    /// N.
    public var rowCount: Int { labels.count }
    /// K.
    public var classCount: Int { labels.classCount }
    /// Whether the rows are in memory (else they are read from the file as needed).
    public var isInMemory: Bool {
        if case .memory = storage { return true }
        return false
    }

    /// The rows of `dataset`, in memory.
    public init(_ dataset: LabelledDataset) {
        self.init(labels: dataset.classLabels, dimension: dataset.dimension, origin: nil,
                  storage: .memory(dataset.features), baseRows: nil)
    }

    init(labels: ClassLabels, dimension: Int, origin: DataOrigin?, storage: Storage, baseRows: [Int]?, pinned: PinnedRows? = nil) {
        self.labels = labels
        self.dimension = dimension
        self.origin = origin
        self.storage = storage
        self.baseRows = baseRows
        self.pinned = pinned
    }

    // MARK: - Parts

    /// The rows `rows` (any order, repeats allowed), renumbered from 0, over the same storage.
    ///
    /// - Throws: ``DatasetError/invalidShape(_:)`` for a row outside `0..<rowCount`.
    /// - Complexity: O(rows.count).
    public func subset(_ rows: [Int]) throws -> LabelledSource {
        let n = rowCount
        if let bad = rows.first(where: { $0 < 0 || $0 >= n }) {
            throw DatasetError.invalidShape("row \(bad) is out of range; expected 0..<\(n)")
        }
        let base = baseRows.map { base in rows.map { base[$0] } } ?? rows
        return LabelledSource(labels: labels.subset(rows), dimension: dimension, origin: origin, storage: storage, baseRows: base, pinned: pinned)
    }

    /// A training part and a held-out part, class by class, with
    /// ``stratifiedSplitRows(_:testFraction:seed:)``; both keep this source's class count.
    ///
    /// - Throws: ``DatasetError/invalidParameter(_:)`` for a fraction outside (0, 1).
    /// - Complexity: O(N).
    public func stratifiedSplit(testFraction: Double, seed: UInt64) throws -> (training: LabelledSource, test: LabelledSource) {
        let rows = try stratifiedSplitRows(labels, testFraction: testFraction, seed: seed)
        return (try subset(rows.training), try subset(rows.test))
    }

    /// The same rows with `classCount` classes (see ``ClassLabels/withClassCount(_:)``).
    ///
    /// - Throws: ``DatasetError/labelOutOfRange(row:label:classCount:origin:)`` when a label
    ///   does not fit.
    public func withClassCount(_ classCount: Int) throws -> LabelledSource {
        LabelledSource(labels: try labels.withClassCount(classCount), dimension: dimension, origin: origin,
                       storage: storage, baseRows: baseRows, pinned: pinned)
    }

    /// The rows and labels in memory, as a ``LabelledDataset`` (no copy when the source is all
    /// the rows of data in memory).
    ///
    /// - Throws: Read errors of the file, ``DatasetError/nonFinite(count:firstRow:origin:)``.
    /// - Complexity: O(N·D).
    public func materialize() throws -> LabelledDataset {
        if case .memory(let features) = storage, baseRows == nil {
            return LabelledDataset(unchecked: features, dimension: dimension, labels: labels.values, classCount: classCount)
        }
        var features = [Float](repeating: 0, count: rowCount * dimension)
        let rows = Array(0..<rowCount)
        try rows.withUnsafeBufferPointer { rows in
            try features.withUnsafeMutableBufferPointer { try gatherRows(rows, into: $0) }
        }
        return LabelledDataset(unchecked: features, dimension: dimension, labels: labels.values, classCount: classCount)
    }

    // MARK: - Reading rows

    public func gatherRows(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let d = dimension
        guard destination.count >= rows.count * d else {
            throw DatasetError.invalidShape("destination holds \(destination.count) values, expected at least \(rows.count * d)")
        }
        let n = rowCount
        guard let baseRows else {
            try checkRange(rows, count: n)
            return try gatherBase(rows, into: destination)
        }
        // Scratch on the stack when it fits, so a batch read allocates nothing.
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: rows.count) { mapped in
            for (i, row) in rows.enumerated() {
                guard row >= 0 && row < n else {
                    throw DatasetError.invalidShape("row \(row) is out of range; expected 0..<\(n)")
                }
                mapped[i] = baseRows[row]
            }
            try gatherBase(UnsafeBufferPointer(mapped), into: destination)
        }
    }

    private func checkRange(_ rows: UnsafeBufferPointer<Int>, count n: Int) throws {
        if let bad = rows.first(where: { $0 < 0 || $0 >= n }) {
            throw DatasetError.invalidShape("row \(bad) is out of range; expected 0..<\(n)")
        }
    }

    /// Copies base rows `rows` (already checked) out of the storage.
    private func gatherBase(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try storage.gather(rows, into: destination, dimension: dimension, origin: origin, pinned: pinned)
    }
}

extension LabelledSource.Storage {
    /// The features of an opened dataset: read into memory (checked for NaN and ±∞ unless
    /// `allowNonfinite`) or kept open for reading on demand, as `reading` says.
    static func open(
        _ features: HDF5FeatureDataset, reading: FeatureReading, allowNonfinite: Bool, origin: DataOrigin
    ) throws -> Self {
        switch reading {
        case .memory:
            try HDF5FileGuards.requireMemory(
                count: features.rowCount, elementBytes: features.dimension * MemoryLayout<Float>.size,
                what: "\(features.rowCount) rows × \(features.dimension) floats", file: features.file.path,
                dataset: features.datasetPath)
            let values = try features.readAll()
            if !allowNonfinite {
                try values.withUnsafeBufferPointer { try requireFinite($0, dimension: features.dimension, origin: origin) }
            }
            return .memory(values)
        case .stream:
            return .file(features, refusingNonfinite: !allowNonfinite)
        }
    }

    /// Copies rows `rows` (checked to be in range) of `dimension` values out of the storage,
    /// refusing NaN and ±∞ read from a file when the storage says so; rows of `pinned` come
    /// from memory instead of the file.
    func gather(
        _ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>, dimension d: Int,
        origin: DataOrigin?, pinned: PinnedRows? = nil
    ) throws {
        switch self {
        case .memory(let features):
            // The C loop requests rows a few indices ahead: a gather from a large buffer waits on
            // memory, not on the copy.
            features.withUnsafeBufferPointer { source in
                guard let src = source.baseAddress, let dst = destination.baseAddress, let indices = rows.baseAddress else { return }
                cvm_gather_rows(src, d, indices, rows.count, dst)
            }
        case .file(let dataset, let refusingNonfinite):
            if let pinned {
                // Pinned rows were checked when they were read.
                return try pinned.gather(rows, dimension: d, from: dataset, into: destination) { unpinned in
                    if refusingNonfinite {
                        try requireFinite(unpinned.values, dimension: d, origin: origin) { unpinned.rows[$0] }
                    }
                }
            }
            try dataset.gatherRows(rows, into: destination)
            if refusingNonfinite {
                try requireFinite(UnsafeBufferPointer(rebasing: destination[..<(rows.count * d)]), dimension: d, origin: origin) { rows[$0] }
            }
        }
    }
}

/// Throws ``DatasetError/nonFinite(count:firstRow:origin:)`` when a value of `values` (rows of
/// `dimension` values) is NaN or ±∞; `row` maps a row of `values` to the row to report.
func requireFinite(
    _ values: UnsafeBufferPointer<Float>, dimension: Int, origin: DataOrigin?, row: (Int) -> Int = { $0 }
) throws {
    var count = 0
    var first = -1
    for (index, value) in values.enumerated() where !value.isFinite {
        if first < 0 { first = index }
        count += 1
    }
    if count > 0 {
        throw DatasetError.nonFinite(count: count, firstRow: row(first / dimension), origin: origin)
    }
}
