/// The sample indices of each class, grouped: class `c`'s rows, ascending, at
/// `indices[offsets[c] ..< offsets[c + 1]]`.
///
/// Built once from the labels with a counting sort (two passes, no per-element allocation).
/// Indices are `Int32`, so the grouping costs 4 bytes a sample.
public struct ClassIndex: Sendable, Equatable {
    /// All sample indices, grouped by class in label order, ascending within a class.
    public private(set) var indices: [Int32]
    /// `classCount + 1` offsets into ``indices``.
    public let offsets: [Int]

    /// K.
    public var classCount: Int { offsets.count - 1 }
    /// N.
    public var sampleCount: Int { indices.count }
    /// n_c for every class, in label order.
    public var counts: [Int] { (0..<classCount).map { offsets[$0 + 1] - offsets[$0] } }

    /// Groups `labels` by class.
    ///
    /// - Parameters:
    ///   - labels: One label per sample, each in `0..<classCount`.
    ///   - classCount: K.
    ///   - requireEveryClass: When true (the default), a class with no samples is an error.
    /// - Throws: ``SamplingError/labelOutOfRange(row:label:classCount:)`` for the first bad label,
    ///   ``SamplingError/emptyClass(label:classCount:)`` for the first empty class,
    ///   ``SamplingError/tooManySamples(_:)`` beyond `Int32.max` samples.
    /// - Complexity: O(N + K).
    public init(labels: [Int32], classCount: Int, requireEveryClass: Bool = true) throws {
        guard classCount >= 1 else {
            throw SamplingError.invalidParameter("the number of classes must be at least 1, got \(classCount)")
        }
        guard labels.count <= Int(Int32.max) else { throw SamplingError.tooManySamples(labels.count) }
        var counts = [Int](repeating: 0, count: classCount)
        try labels.withUnsafeBufferPointer { buffer in
            try counts.withUnsafeMutableBufferPointer { counts in
                let k = Int32(clamping: classCount)
                for row in 0..<buffer.count {
                    let label = buffer[row]
                    guard label >= 0 && label < k else {
                        throw SamplingError.labelOutOfRange(row: row, label: Int64(label), classCount: classCount)
                    }
                    counts[Int(label)] += 1
                }
            }
        }
        if requireEveryClass, let empty = counts.firstIndex(of: 0) {
            throw SamplingError.emptyClass(label: empty, classCount: classCount)
        }
        var offsets = [Int](repeating: 0, count: classCount + 1)
        for c in 0..<classCount { offsets[c + 1] = offsets[c] + counts[c] }
        self.offsets = offsets
        self.indices = [Int32](repeating: 0, count: labels.count)
        ClassIndex.group(labels: labels, offsets: offsets, into: &indices)
    }

    /// Writes the grouped, ascending order of `labels` into `destination` (labels already
    /// checked). Used again by samplers to restore the canonical order at an epoch's start.
    static func group(labels: [Int32], offsets: [Int], into destination: inout [Int32]) {
        var cursor = offsets
        labels.withUnsafeBufferPointer { labels in
            destination.withUnsafeMutableBufferPointer { out in
                cursor.withUnsafeMutableBufferPointer { cursor in
                    for row in 0..<labels.count {
                        let c = Int(labels[row])
                        out[cursor[c]] = Int32(truncatingIfNeeded: row)
                        cursor[c] += 1
                    }
                }
            }
        }
    }
}
