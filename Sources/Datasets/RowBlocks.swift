/// Which storage block each row lives in: plain data for a sampler that should visit rows
/// block by block (an HDF5 dataset's chunk bands: rows `[b·R, (b + 1)·R)` share chunk band b).
///
/// Made by ``LabelledSource/rowBlocks()`` from the file's chunk layout, or directly. Either
/// uniform (row i in block ⌊i / R⌋) or an explicit map (a subset of a file's rows, whose base
/// rows are not in order), 4 bytes a row.
public struct RowBlocks: Sendable, Equatable {
    /// Blocks, numbered `0..<blockCount`.
    public let blockCount: Int
    /// N.
    public let rowCount: Int
    /// R for the uniform layout, else `nil`.
    public let rowsPerBlock: Int?
    /// The block of each row for the explicit layout, else empty.
    let map: [Int32]

    /// Row i in block ⌊i / `rowsPerBlock`⌋.
    ///
    /// - Throws: ``DatasetError/invalidParameter(_:)`` unless `rowsPerBlock ≥ 1` and
    ///   `rowCount ≥ 0`.
    public init(rowsPerBlock: Int, rowCount: Int) throws {
        guard rowsPerBlock >= 1, rowCount >= 0 else {
            throw DatasetError.invalidParameter("a block needs at least 1 row and a row count of 0 or more, got \(rowsPerBlock) rows per block, \(rowCount) rows")
        }
        self.rowsPerBlock = rowsPerBlock
        self.rowCount = rowCount
        self.blockCount = (rowCount + rowsPerBlock - 1) / rowsPerBlock
        self.map = []
    }

    /// Row i in block `blocks[i]`.
    ///
    /// - Throws: ``DatasetError/invalidParameter(_:)`` for a block outside `0..<blockCount`.
    /// - Complexity: O(N).
    public init(blocks: [Int32], blockCount: Int) throws {
        if let (row, bad) = blocks.enumerated().first(where: { $0.element < 0 || Int($0.element) >= blockCount }) {
            throw DatasetError.invalidParameter("row \(row) is in block \(bad), outside 0..<\(blockCount)")
        }
        self.rowsPerBlock = nil
        self.rowCount = blocks.count
        self.blockCount = blockCount
        self.map = blocks
    }

    /// The block of row `row` (in `0..<rowCount`).
    @inline(__always)
    public func block(ofRow row: Int) -> Int {
        if let r = rowsPerBlock { return row / r }
        return Int(map[row])
    }
}
