// Locality and pinning for rows read from a file: which chunk band each row is in (so a
// sampler can visit rows chunk by chunk), and whole classes held decoded in memory.
extension LabelledSource {
    /// The storage block of each row: its chunk band (rows `[b·R, (b + 1)·R)` of the file for
    /// chunks of R rows), for rows read from a chunked dataset; `nil` for rows in memory or
    /// read from a contiguous or compact dataset.
    ///
    /// - Complexity: O(1) for all the rows of a file; O(N) for a subset (an explicit map).
    public func rowBlocks() throws -> RowBlocks? {
        guard case .file(let dataset, _) = storage, dataset.layout == .chunked,
              let chunkRows = dataset.chunkShape?.first, chunkRows >= 1 else { return nil }
        guard let baseRows else { return try RowBlocks(rowsPerBlock: chunkRows, rowCount: rowCount) }
        let blockCount = (dataset.rowCount + chunkRows - 1) / chunkRows
        return try RowBlocks(blocks: baseRows.map { Int32(truncatingIfNeeded: $0 / chunkRows) }, blockCount: blockCount)
    }

    /// The same rows with the smallest classes held decoded in memory, as many as fit in
    /// `budgetBytes` (n_c·D·4 bytes a class, smallest first, ties by label): a balanced epoch
    /// draws a rare class many times over, and its rows are then never read from the file
    /// again. The pinned rows are read once, in one call, so every chunk they touch is decoded
    /// once (on all the dataset's threads).
    ///
    /// Rows in memory are returned as they are. A source that is already pinned is pinned
    /// again from scratch.
    ///
    /// - Parameter budgetBytes: The most bytes of pinned features (0 pins nothing).
    /// - Returns: The same rows, labels and order, the chosen classes in ``pinnedClasses``.
    /// - Throws: ``DatasetError/invalidParameter(_:)`` for a negative budget; read errors of
    ///   the file; ``DatasetError/nonFinite(count:firstRow:origin:)`` for a NaN or ±∞ in a
    ///   pinned row unless the file was opened with `allowNonfinite`.
    /// - Complexity: O(N + K log K) plus the read of the pinned rows; memory: their features and
    ///   4 bytes per row of the file.
    public func pinningClasses(budgetBytes: Int) throws -> LabelledSource {
        guard budgetBytes >= 0 else {
            throw DatasetError.invalidParameter("the pinning budget must be 0 or more bytes, got \(budgetBytes)")
        }
        guard case .file(let dataset, let refusingNonfinite) = storage else { return self }
        let counts = labels.counts
        let rowBytes = dimension * MemoryLayout<Float>.size
        var chosen = [Bool](repeating: false, count: counts.count)
        var classes = [Int]()
        var bytes = 0
        for c in counts.indices.sorted(by: { (counts[$0], $0) < (counts[$1], $1) }) where counts[c] > 0 {
            guard bytes + counts[c] * rowBytes <= budgetBytes else { break }
            bytes += counts[c] * rowBytes
            chosen[c] = true
            classes.append(c)
        }
        guard !classes.isEmpty else {
            return LabelledSource(labels: labels, dimension: dimension, origin: origin, storage: storage, baseRows: baseRows)
        }
        var rows = [Int]()
        for (row, label) in labels.values.enumerated() where chosen[Int(label)] { rows.append(baseRows?[row] ?? row) }
        rows.sort()
        let features = try dataset.gatherRows(rows)
        if refusingNonfinite {
            try features.withUnsafeBufferPointer { try requireFinite($0, dimension: dimension, origin: origin) { rows[$0] } }
        }
        var slots = [Int32](repeating: -1, count: dataset.rowCount)
        for (slot, row) in rows.enumerated() { slots[row] = Int32(truncatingIfNeeded: slot) }
        let pinned = PinnedRows(slots: slots, features: features, classes: classes.sorted())
        return LabelledSource(labels: labels, dimension: dimension, origin: origin, storage: storage, baseRows: baseRows, pinned: pinned)
    }

    /// The classes held decoded in memory by ``pinningClasses(budgetBytes:)``, in label order.
    public var pinnedClasses: [Int] { pinned?.classes ?? [] }

    /// Bytes of features held by ``pinningClasses(budgetBytes:)``.
    public var pinnedBytes: Int { (pinned?.features.count ?? 0) * MemoryLayout<Float>.size }
}

/// Rows of a features dataset held decoded in memory, by base row.
struct PinnedRows: Sendable {
    /// The slot of each base row in ``features``, −1 for a row read from the file.
    let slots: [Int32]
    /// Row-major features of the pinned rows, in slot order.
    let features: [Float]
    /// The pinned classes, in label order.
    let classes: [Int]

    /// Copies base rows `rows` (checked) into `destination`: pinned rows from memory, the
    /// others read from `dataset` in one call and handed to `check` before they are placed.
    func gather(
        _ rows: UnsafeBufferPointer<Int>, dimension d: Int, from dataset: HDF5FeatureDataset,
        into destination: UnsafeMutableBufferPointer<Float>,
        check: ((rows: UnsafeBufferPointer<Int>, values: UnsafeBufferPointer<Float>)) throws -> Void
    ) throws {
        guard let out = destination.baseAddress else { return }
        let k = rows.count
        // The batch's unpinned rows and their positions, without allocating per batch.
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * k) { lists in
            let unpinnedRows = lists.baseAddress!, unpinnedPositions = unpinnedRows + k
            var unpinned = 0
            slots.withUnsafeBufferPointer { slots in
                features.withUnsafeBufferPointer { features in
                    for position in 0..<k {
                        let row = rows[position], slot = Int(slots[row])
                        if slot >= 0 {
                            (out + position * d).update(from: features.baseAddress! + slot * d, count: d)
                        } else {
                            unpinnedRows[unpinned] = row
                            unpinnedPositions[unpinned] = position
                            unpinned += 1
                        }
                    }
                }
            }
            if unpinned == 0 { return }
            if unpinned == k {
                // No row of the batch is pinned: read straight into place.
                try dataset.gatherRows(rows, into: destination)
                try check((rows, UnsafeBufferPointer(rebasing: destination[..<(k * d)])))
                return
            }
            let list = UnsafeBufferPointer(start: unpinnedRows, count: unpinned)
            try withUnsafeTemporaryAllocation(of: Float.self, capacity: unpinned * d) { read in
                try dataset.gatherRows(list, into: read)
                try check((list, UnsafeBufferPointer(read)))
                for i in 0..<unpinned {
                    (out + unpinnedPositions[i] * d).update(from: read.baseAddress! + i * d, count: d)
                }
            }
        }
    }
}
