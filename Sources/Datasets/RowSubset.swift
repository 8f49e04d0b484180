/// Some rows of another ``FeatureRowSource``, renumbered from 0: row `i` of the subset is row
/// `rows[i]` of the base. A held-out split of a file that is read on demand is two subsets of
/// the same source.
public struct RowSubset<Base: FeatureRowSource>: FeatureRowSource {
    /// The source the rows come from.
    public let base: Base
    /// Base row of each subset row.
    public let rows: [Int]

    /// - Throws: ``DatasetError/invalidShape(_:)`` when a row is outside the base.
    public init(_ base: Base, rows: [Int]) throws {
        if let bad = rows.first(where: { $0 < 0 || $0 >= base.rowCount }) {
            throw DatasetError.invalidShape("row \(bad) is out of range; expected 0..<\(base.rowCount)")
        }
        self.base = base
        self.rows = rows
    }

    public var rowCount: Int { rows.count }
    public var dimension: Int { base.dimension }

    public func gatherRows(_ requested: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let count = rows.count
        // Scratch on the stack when it fits, so a batch read allocates nothing.
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: requested.count) { mapped in
            for (i, row) in requested.enumerated() {
                guard row >= 0 && row < count else {
                    throw DatasetError.invalidShape("row \(row) is out of range; expected 0..<\(count)")
                }
                mapped[i] = rows[row]
            }
            try base.gatherRows(UnsafeBufferPointer(mapped), into: destination)
        }
    }
}

extension RowSubset: Sendable where Base: Sendable {}

/// A ``FeatureRowSource`` that refuses NaN and ±∞ as rows are read: the check a loader makes
/// on data it holds in memory, for data read on demand.
public struct FiniteRowSource<Base: FeatureRowSource>: FeatureRowSource {
    /// The source the rows come from.
    public let base: Base

    public init(_ base: Base) { self.base = base }

    public var rowCount: Int { base.rowCount }
    public var dimension: Int { base.dimension }

    /// - Throws: ``DatasetError/nonFinite(count:firstRow:)`` naming the first offending row
    ///   (as a row of the base) and the number of bad values among the rows read.
    public func gatherRows(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try base.gatherRows(rows, into: destination)
        let d = dimension
        var bad = 0
        var first = -1
        for i in 0..<(rows.count * d) where !destination[i].isFinite {
            if first < 0 { first = rows[i / d] }
            bad += 1
        }
        if bad > 0 { throw DatasetError.nonFinite(count: bad, firstRow: first) }
    }
}

extension FiniteRowSource: Sendable where Base: Sendable {}
