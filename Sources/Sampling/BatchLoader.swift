import Datasets

/// One batch: where it sits in the schedule, its sample indices, their labels and their
/// features `[count, dimension]` in one contiguous row-major buffer.
///
/// Meant to be reused: ``BatchLoader/next(into:)`` overwrites it in place and keeps its
/// buffers' capacity, so a training loop allocates nothing per batch.
public struct Batch: Sendable {
    /// Epoch, phase, policy and batch number.
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
        tag = BatchTag(epoch: 0, phaseIndex: 0, policy: .balanced, batch: 0, count: 0)
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
/// With `lookahead` W > 1 the loader takes the next W batches from the schedule at once and
/// asks the source for all their rows in one call, then hands the batches out one by one.
/// The epoch's order is known in advance, so an out-of-core source sees a whole window of rows
/// and can read each storage chunk once for all of them (``Datasets/HDF5FeatureDataset`` does).
/// The batches are the same, bit for bit, whatever the window; the window costs W·B·D floats.
///
/// ```swift
/// var loader = try BatchLoader(schedule: schedule, source: dataset, labels: dataset.labels)
/// var batch = Batch()
/// while try loader.next(into: &batch) {
///     // batch.features is [batch.count, batch.dimension], batch.labels its labels
/// }
/// ```
public struct BatchLoader<Source: FeatureRowSource> {
    /// The index stream (its position runs ahead of the batches handed out by up to
    /// `lookahead − 1` batches).
    public private(set) var schedule: BatchSchedule
    /// Where rows come from.
    public let source: Source
    /// Batches read from the source in one call.
    public let lookahead: Int
    private let labels: [Int32]
    private var rows: [Int] = []
    private var window = Window()

    /// Batches read ahead: their tags, their indices back to back, and their features.
    private struct Window {
        var tags: [BatchTag] = []
        var offsets: [Int] = [0]
        var indices: [Int32] = []
        var features: [Float] = []
        var next = 0
        var isEmpty: Bool { next == tags.count }
    }

    /// - Parameters:
    ///   - schedule: The batch stream.
    ///   - source: The features, one row per label.
    ///   - labels: The labels the schedule was built on.
    ///   - lookahead: Batches to gather per call to the source (at least 1).
    /// - Throws: ``SamplingError/invalidParameter(_:)`` when the source's row count differs
    ///   from the number of labels the schedule was built on, or `lookahead < 1`.
    public init(schedule: BatchSchedule, source: Source, labels: [Int32], lookahead: Int = 1) throws {
        guard source.rowCount == labels.count, labels.count == schedule.sampleCount else {
            throw SamplingError.invalidParameter(
                "the features have \(source.rowCount) rows but there are \(labels.count) labels (schedule over \(schedule.sampleCount)); expected the same number")
        }
        guard lookahead >= 1 else {
            throw SamplingError.invalidParameter("look-ahead must be at least 1 batch, got \(lookahead)")
        }
        self.schedule = schedule
        self.source = source
        self.labels = labels
        self.lookahead = lookahead
    }

    /// Moves to this rank's first batch at or after global batch `batch` of `epoch` (see
    /// ``BatchSchedule/seek(epoch:batch:)``), dropping any batches read ahead.
    public mutating func seek(epoch: Int, batch: Int = 0) throws {
        try schedule.seek(epoch: epoch, batch: batch)
        window = Window()
    }

    /// Fills `batch` with this rank's next batch; `false` after the last one.
    ///
    /// - Throws: Whatever the source throws while reading rows.
    /// - Complexity: O(B·D) plus the schedule's work; no allocation once `batch` (and the
    ///   window) have grown to the largest batch.
    public mutating func next(into batch: inout Batch) throws -> Bool {
        if lookahead == 1 {
            guard let tag = schedule.next(into: &batch.indices) else { return false }
            try assemble(tag: tag, into: &batch)
            return true
        }
        if window.isEmpty {
            try fillWindow(scratch: &batch.indices)
            if window.isEmpty { return false }
        }
        let i = window.next
        let start = window.offsets[i], end = window.offsets[i + 1]
        let d = source.dimension
        batch.tag = window.tags[i]
        batch.dimension = d
        resize(&batch.indices, to: end - start, filler: 0)
        resize(&batch.labels, to: end - start, filler: 0)
        resize(&batch.features, to: (end - start) * d, filler: 0)
        let labels = self.labels
        window.indices.withUnsafeBufferPointer { all in
            batch.indices.withUnsafeMutableBufferPointer { out in
                batch.labels.withUnsafeMutableBufferPointer { outLabels in
                    for j in 0..<(end - start) {
                        let index = all[start + j]
                        out[j] = index
                        outLabels[j] = labels[Int(index)]
                    }
                }
            }
        }
        window.features.withUnsafeBufferPointer { all in
            batch.features.withUnsafeMutableBufferPointer { out in
                if let from = all.baseAddress, let to = out.baseAddress {
                    to.update(from: from + start * d, count: (end - start) * d)
                }
            }
        }
        window.next += 1
        return true
    }

    /// Reads the next `lookahead` batches' rows in one call to the source.
    private mutating func fillWindow(scratch: inout [Int32]) throws {
        window.tags.removeAll(keepingCapacity: true)
        window.offsets.removeAll(keepingCapacity: true)
        window.offsets.append(0)
        window.indices.removeAll(keepingCapacity: true)
        window.next = 0
        while window.tags.count < lookahead, let tag = schedule.next(into: &scratch) {
            window.tags.append(tag)
            window.indices.append(contentsOf: scratch)
            window.offsets.append(window.indices.count)
        }
        let n = window.indices.count
        guard n > 0 else { return }
        resize(&rows, to: n, filler: 0)
        resize(&window.features, to: n * source.dimension, filler: 0)
        window.indices.withUnsafeBufferPointer { indices in
            rows.withUnsafeMutableBufferPointer { rows in
                for i in 0..<n { rows[i] = Int(indices[i]) }
            }
        }
        let source = self.source
        try rows.withUnsafeBufferPointer { rows in
            try window.features.withUnsafeMutableBufferPointer { features in
                try source.gatherRows(rows, into: features)
            }
        }
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
