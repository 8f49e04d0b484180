import Datasets

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
    /// Where each quarter of the rows starts writing each class: `lanes × classCount` cursors
    /// for ``group(labels:into:)``; for memberships, one lane: each label's start.
    let laneStarts: [Int]

    /// K.
    public var classCount: Int { offsets.count - 1 }
    /// N.
    public var sampleCount: Int { indices.count }
    /// n_c for every class, in label order.
    public var counts: [Int] { (0..<classCount).map { offsets[$0 + 1] - offsets[$0] } }

    /// Groups `labels` by class, after checking them (``Datasets/ClassLabels/init(_:classCount:)``).
    ///
    /// - Parameters:
    ///   - labels: One label per sample, each in `0..<classCount`.
    ///   - classCount: K.
    ///   - requireEveryClass: When true (the default), a class with no samples is an error.
    /// - Throws: ``Datasets/DatasetError`` for the first bad label or the first empty class,
    ///   ``SamplingError/tooManySamples(_:)`` beyond `Int32.max` samples.
    /// - Complexity: O(N + K).
    public init(labels: [Int32], classCount: Int, requireEveryClass: Bool = true) throws {
        try self.init(labels: ClassLabels(labels, classCount: classCount), requireEveryClass: requireEveryClass)
    }

    /// Groups labels that are already checked by class.
    ///
    /// - Parameters:
    ///   - labels: The labels and K.
    ///   - requireEveryClass: When true (the default), a class with no samples is an error.
    /// - Throws: ``Datasets/DatasetError/emptyClass(label:classCount:)`` for the first empty
    ///   class, ``SamplingError/tooManySamples(_:)`` beyond `Int32.max` samples.
    /// - Complexity: O(N + K).
    public init(labels classLabels: ClassLabels, requireEveryClass: Bool = true) throws {
        let labels = classLabels.values
        let classCount = classLabels.classCount
        guard labels.count <= Int(Int32.max) else { throw SamplingError.tooManySamples(labels.count) }
        // Count per class and per quarter of the rows (the quarters let the grouping pass run
        // four independent chains of writes).
        let lanes = ClassIndex.lanes
        var laneCounts = [Int](repeating: 0, count: lanes * classCount)
        let quarter = ClassIndex.laneLength(labels.count)
        labels.withUnsafeBufferPointer { buffer in
            laneCounts.withUnsafeMutableBufferPointer { laneCounts in
                for row in 0..<buffer.count {
                    laneCounts[(row / quarter) * classCount + Int(buffer[row])] += 1
                }
            }
        }
        let counts = (0..<classCount).map { c in (0..<lanes).reduce(0) { $0 + laneCounts[$1 * classCount + c] } }
        if requireEveryClass, let empty = counts.firstIndex(of: 0) {
            throw DatasetError.emptyClass(label: empty, classCount: classCount)
        }
        var offsets = [Int](repeating: 0, count: classCount + 1)
        for c in 0..<classCount { offsets[c + 1] = offsets[c] + counts[c] }
        var laneStarts = [Int](repeating: 0, count: lanes * classCount)
        for c in 0..<classCount {
            var start = offsets[c]
            for lane in 0..<lanes {
                laneStarts[lane * classCount + c] = start
                start += laneCounts[lane * classCount + c]
            }
        }
        self.offsets = offsets
        self.laneStarts = laneStarts
        // Grouped into a local array first: grouping through `self` would copy `self`, and with
        // it a second reference to the array, which would then be copied on write.
        var grouped = [Int32](repeating: 0, count: labels.count)
        ClassIndex.group(labels: labels, classCount: classCount, laneStarts: laneStarts, into: &grouped)
        self.indices = grouped
    }

    /// Hands the grouped indices over (the index keeps its offsets; its ``indices`` become
    /// empty), so a sampler can own them without a copy.
    mutating func takeIndices() -> [Int32] {
        var taken = [Int32]()
        swap(&taken, &indices)
        return taken
    }

    /// Rows are grouped in this many contiguous parts, each with its own cursors.
    static let lanes = 4

    /// Rows per lane (the last lane may have fewer).
    static func laneLength(_ n: Int) -> Int { Swift.max(1, (n + lanes - 1) / lanes) }

    /// Writes the grouped, ascending order of `labels` (the labels this index was built from)
    /// into `destination`. Used again by samplers to restore the canonical order at an epoch's
    /// start. The four quarters of the rows are written as four independent streams, so the
    /// pass is not held up by one chain of dependent cursor updates.
    ///
    /// - Complexity: O(N).
    func group(labels: [Int32], into destination: inout [Int32]) {
        ClassIndex.group(labels: labels, classCount: classCount, laneStarts: laneStarts, into: &destination)
    }

    private static func group(labels: [Int32], classCount k: Int, laneStarts: [Int], into destination: inout [Int32]) {
        let n = labels.count
        let quarter = ClassIndex.laneLength(n)
        var cursor = laneStarts
        labels.withUnsafeBufferPointer { labels in
            destination.withUnsafeMutableBufferPointer { out in
                cursor.withUnsafeMutableBufferPointer { cursor in
                    let full = n / quarter >= ClassIndex.lanes ? quarter : 0
                    // The four lanes side by side while all have rows…
                    for r in 0..<full {
                        let r1 = r + quarter, r2 = r1 + quarter, r3 = r2 + quarter
                        let c0 = Int(labels[r]), c1 = k + Int(labels[r1])
                        let c2 = 2 * k + Int(labels[r2]), c3 = 3 * k + Int(labels[r3])
                        out[cursor[c0]] = Int32(truncatingIfNeeded: r)
                        out[cursor[c1]] = Int32(truncatingIfNeeded: r1)
                        out[cursor[c2]] = Int32(truncatingIfNeeded: r2)
                        out[cursor[c3]] = Int32(truncatingIfNeeded: r3)
                        cursor[c0] += 1
                        cursor[c1] += 1
                        cursor[c2] += 1
                        cursor[c3] += 1
                    }
                    // …then whatever rows are left, lane by lane.
                    for lane in 0..<ClassIndex.lanes {
                        let start = lane * quarter + full
                        let end = Swift.min(n, (lane + 1) * quarter)
                        guard start < end else { continue }
                        for row in start..<end {
                            let c = lane * k + Int(labels[row])
                            out[cursor[c]] = Int32(truncatingIfNeeded: row)
                            cursor[c] += 1
                        }
                    }
                }
            }
        }
    }

    // MARK: - Several labels a sample

    /// Groups samples by the labels they carry: label l's buffer holds every sample carrying
    /// l, so a sample with several labels is in several buffers and one with none in no buffer.
    ///
    /// - Parameters:
    ///   - memberships: The labels of each sample.
    ///   - requireEveryClass: When true (the default), a label no sample carries is an error.
    /// - Throws: ``Datasets/DatasetError/emptyClass(label:classCount:)`` for the first label no
    ///   sample carries, ``SamplingError/tooManySamples(_:)`` beyond `Int32.max` samples or
    ///   memberships.
    /// - Complexity: O(N + M + K) for M memberships (Σ over samples of their labels).
    public init(memberships: MultiLabels, requireEveryClass: Bool = true) throws {
        let k = memberships.labelCount
        guard memberships.sampleCount <= Int(Int32.max), memberships.membershipCount <= Int(Int32.max) else {
            throw SamplingError.tooManySamples(Swift.max(memberships.sampleCount, memberships.membershipCount))
        }
        let counts = memberships.counts
        if requireEveryClass, let empty = counts.firstIndex(of: 0) {
            throw DatasetError.emptyClass(label: empty, classCount: k)
        }
        var offsets = [Int](repeating: 0, count: k + 1)
        for c in 0..<k { offsets[c + 1] = offsets[c] + counts[c] }
        self.offsets = offsets
        self.laneStarts = Array(offsets.dropLast())
        var grouped = [Int32](repeating: 0, count: memberships.membershipCount)
        ClassIndex.group(memberships: memberships, starts: laneStarts, into: &grouped)
        self.indices = grouped
    }

    /// Writes the grouped, ascending order of `memberships` (those this index was built from)
    /// into the first M positions of `destination`.
    ///
    /// - Complexity: O(N + M).
    func group(memberships: MultiLabels, into destination: inout [Int32]) {
        ClassIndex.group(memberships: memberships, starts: laneStarts, into: &destination)
    }

    private static func group(memberships: MultiLabels, starts: [Int], into destination: inout [Int32]) {
        var cursor = starts
        memberships.labels.withUnsafeBufferPointer { labels in
            memberships.rowOffsets.withUnsafeBufferPointer { rows in
                destination.withUnsafeMutableBufferPointer { out in
                    cursor.withUnsafeMutableBufferPointer { cursor in
                        for row in 0..<(rows.count - 1) {
                            for m in rows[row]..<rows[row + 1] {
                                let l = Int(labels[m])
                                out[cursor[l]] = Int32(truncatingIfNeeded: row)
                                cursor[l] += 1
                            }
                        }
                    }
                }
            }
        }
    }
}
