/// Something that can copy feature rows, chosen by index, into a caller's buffer: a dataset in
/// memory, or an HDF5 dataset read on demand. The batch gatherers in `Sampling` work through
/// this protocol and so know nothing of where the rows live.
public protocol FeatureRowSource {
    /// N, the number of rows.
    var rowCount: Int { get }
    /// D, the number of `Float` features per row.
    var dimension: Int { get }

    /// Copies rows `rows[0], rows[1], …` (any order, repeats allowed) into `destination`, row
    /// `i` of the result at `destination[i * dimension ..< (i + 1) * dimension]`.
    ///
    /// - Parameters:
    ///   - rows: Row indices in `0..<rowCount`.
    ///   - destination: At least `rows.count * dimension` values.
    /// - Throws: When a row is out of range or the underlying storage fails.
    func gatherRows(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws
}

extension LabelledDataset: FeatureRowSource {
    public var rowCount: Int { count }

    /// Copies rows as ``LabelledSource`` does for rows in memory.
    public func gatherRows(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try LabelledSource(self).gatherRows(rows, into: destination)
    }
}
