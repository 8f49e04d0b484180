import Datasets

/// One batch: where it sits in the schedule, its sample indices, their labels and their
/// features `[count, dimension]` in one contiguous row-major buffer.
///
/// Meant to be reused: ``BatchLoader/next(into:)`` overwrites it in place and keeps its
/// buffers' capacity, so a training loop allocates nothing per batch.
public struct Batch: Sendable {
    /// Epoch, phase and batch number.
    public var tag: BatchTag
    /// Sample indices (rows of the dataset), in batch order.
    public var indices: [Int32]
    /// `labels[i]` is the label of `indices[i]`.
    public var labels: [Int32]
    /// `features[i * dimension ..< (i + 1) * dimension]` is row `indices[i]`.
    public var features: [Float]
    /// D.
    public var dimension: Int

    /// An empty batch, ready to be filled.
    public init(dimension: Int = 0) {
        tag = BatchTag(epoch: 0, phase: .balanced, batch: 0, count: 0)
        indices = []
        labels = []
        features = []
        self.dimension = dimension
    }

    /// Samples in the batch.
    public var count: Int { indices.count }
}

/// Turns a schedule's indices into batches with labels and features gathered from a
/// ``FeatureRowSource`` (a dataset in memory, or an HDF5 dataset read on demand).
///
/// ```swift
/// var loader = try BatchLoader(schedule: schedule, source: dataset, labels: dataset.labels)
/// var batch = Batch()
/// while try loader.next(into: &batch) {
///     // batch.features is [batch.count, batch.dimension], batch.labels its labels
/// }
/// ```
public struct BatchLoader<Source: FeatureRowSource> {
    /// The index stream.
    public var schedule: BatchSchedule
    /// Where rows come from.
    public let source: Source
    private let labels: [Int32]
    private var rows: [Int] = []

    /// - Throws: ``SamplingError/invalidParameter(_:)`` when the source's row count differs
    ///   from the number of labels the schedule was built on.
    public init(schedule: BatchSchedule, source: Source, labels: [Int32]) throws {
        guard source.rowCount == labels.count, labels.count == schedule.sampleCount else {
            throw SamplingError.invalidParameter(
                "the features have \(source.rowCount) rows but there are \(labels.count) labels (schedule over \(schedule.sampleCount)); expected the same number")
        }
        self.schedule = schedule
        self.source = source
        self.labels = labels
    }

    /// Fills `batch` with this rank's next batch; `false` after the last one.
    ///
    /// - Throws: Whatever the source throws while reading rows.
    /// - Complexity: O(B·D) plus the schedule's work; no allocation once `batch` has grown to
    ///   the largest batch.
    public mutating func next(into batch: inout Batch) throws -> Bool {
        guard let tag = schedule.next(into: &batch.indices) else { return false }
        try assemble(tag: tag, into: &batch)
        return true
    }

    /// Gathers labels and features for the indices already in `batch.indices`.
    public mutating func assemble(tag: BatchTag, into batch: inout Batch) throws {
        let n = batch.indices.count
        let d = source.dimension
        batch.tag = tag
        batch.dimension = d
        resize(&batch.labels, to: n, filler: 0)
        resize(&batch.features, to: n * d, filler: 0)
        resize(&rows, to: n, filler: 0)
        let labels = self.labels
        batch.indices.withUnsafeBufferPointer { indices in
            rows.withUnsafeMutableBufferPointer { rows in
                batch.labels.withUnsafeMutableBufferPointer { out in
                    labels.withUnsafeBufferPointer { labels in
                        for i in 0..<n {
                            let row = Int(indices[i])
                            rows[i] = row
                            out[i] = labels[row]
                        }
                    }
                }
            }
        }
        try rows.withUnsafeBufferPointer { rows in
            try batch.features.withUnsafeMutableBufferPointer { features in
                try source.gatherRows(rows, into: features)
            }
        }
    }
}

extension BatchLoader: Sendable where Source: Sendable {}

func resize<Element>(_ array: inout [Element], to count: Int, filler: Element) {
    if array.count > count {
        array.removeLast(array.count - count)
    } else if array.count < count {
        array.append(contentsOf: repeatElement(filler, count: count - array.count))
    }
}
