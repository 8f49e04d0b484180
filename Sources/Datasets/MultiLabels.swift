/// Several labels per sample: for every sample the (ascending, distinct) labels it carries,
/// out of K, stored row by row (compressed sparse rows, 4 bytes a label carried plus one
/// offset a sample). A sample may carry no label.
public struct MultiLabels: Sendable, Equatable {
    /// K, the number of labels.
    public let labelCount: Int
    /// `sampleCount + 1` offsets into ``labels``: sample i carries `labels[rowOffsets[i] ..< rowOffsets[i + 1]]`.
    public let rowOffsets: [Int]
    /// The labels of every sample, row after row, ascending within a row.
    public let labels: [Int32]

    /// N.
    public var sampleCount: Int { rowOffsets.count - 1 }
    /// Σ over samples of the labels each carries.
    public var membershipCount: Int { labels.count }

    /// The labels sample `i` carries, ascending.
    /// - Precondition: `0 ≤ i < sampleCount`.
    public func labels(ofSample i: Int) -> ArraySlice<Int32> { labels[rowOffsets[i] ..< rowOffsets[i + 1]] }

    /// n_l, the samples carrying label l, for every label.
    /// - Complexity: O(N + K) over the memberships.
    public var counts: [Int] {
        var counts = [Int](repeating: 0, count: labelCount)
        for l in labels { counts[Int(l)] += 1 }
        return counts
    }

    /// Labels from one list per sample.
    ///
    /// - Parameters:
    ///   - rows: The labels of each sample, in any order; repeats are kept once.
    ///   - labelCount: K.
    /// - Throws: ``DatasetError/labelOutOfRange(row:label:classCount:origin:)`` for a label
    ///   outside `0..<labelCount`; ``DatasetError/invalidParameter(_:)`` for K < 1.
    /// - Complexity: O(Σ |row| log |row|).
    public init(rows: [[Int]], labelCount: Int) throws {
        guard labelCount >= 1 else { throw DatasetError.invalidParameter("multi-label data needs at least 1 label, got \(labelCount)") }
        var offsets = [0]
        offsets.reserveCapacity(rows.count + 1)
        var labels = [Int32]()
        for (r, row) in rows.enumerated() {
            for l in Set(row).sorted() {
                guard l >= 0 && l < labelCount else {
                    throw DatasetError.labelOutOfRange(row: r, label: Int64(l), classCount: labelCount)
                }
                labels.append(Int32(l))
            }
            offsets.append(labels.count)
        }
        self.init(unchecked: labels, rowOffsets: offsets, labelCount: labelCount)
    }

    /// Labels already in this type's form (ascending, distinct, in range; not checked again).
    init(unchecked labels: [Int32], rowOffsets: [Int], labelCount: Int) {
        self.labels = labels
        self.rowOffsets = rowOffsets
        self.labelCount = labelCount
    }
}
