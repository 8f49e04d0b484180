import CHDF5

/// Reads multi-label labels: an [N, K] dataset of 0 and 1 (any integer type, or h5py's bool,
/// an enum of one byte), sample i carrying label l where row i, column l is 1.
///
/// - Parameters:
///   - path: The HDF5 file.
///   - labelsPath: The [N, K] dataset, e.g. `/labels`.
/// - Returns: The labels each sample carries; K is the dataset's column count.
/// - Throws: ``HDF5Error`` for a missing file or dataset, a type other than integers or bool,
///   a rank other than 2 or an empty dataset; ``DatasetError/nonBinaryLabel(row:column:value:origin:)``
///   for the first value other than 0 or 1 (naming file, dataset, row, label and value).
/// - Complexity: O(N·K) time, O(rows per block · K) memory besides the result.
public func loadMultiLabels(path: String, labelsPath: String = "/labels") throws -> MultiLabels {
    try HDF5File(path: path).readMultiLabels(at: labelsPath)
}

extension HDF5File {
    /// Reads an [N, K] 0/1 labels dataset (see ``loadMultiLabels(path:labelsPath:)``).
    ///
    /// - Parameter datasetPath: The dataset.
    /// - Returns: The labels each sample carries.
    /// - Throws: As ``loadMultiLabels(path:labelsPath:)``.
    /// - Complexity: O(N·K).
    public func readMultiLabels(at datasetPath: String = "/labels") throws -> MultiLabels {
        try HDF5Library.run {
            let opened = try openDataset(datasetPath)
            let details = opened.details
            let isBool = details.elementType == .enumeration && details.elementSize == 1
            guard details.elementType.isInteger || isBool else {
                throw HDF5Error.wrongType(
                    file: path, dataset: opened.path, found: details.elementType.description,
                    expected: "multi-label labels must be integers or bool, 0 or 1")
            }
            guard details.shape.count == 2 else {
                throw HDF5Error.wrongRank(
                    file: path, dataset: opened.path, shape: details.shape,
                    expected: "multi-label labels must be two-dimensional [N, K] of 0/1")
            }
            let (n, k) = (details.shape[0], details.shape[1])
            guard n > 0, k > 0 else { throw HDF5Error.emptyDataset(file: path, dataset: opened.path, shape: details.shape) }
            try details.requireFilters(file: path, datasetPath: opened.path)
            let origin = DataOrigin(file: path, labels: opened.path)
            let space = try HDF5Handle.checked(
                H5Dget_space(opened.handle.id), closer: H5Sclose, file: path, operation: "reading '\(opened.path)'")
            // Bool is read with the file's own one-byte type (HDF5 does not convert enums to
            // integers); integers as int64, whatever their width.
            let fileType = try HDF5Handle.checked(
                H5Dget_type(opened.handle.id), closer: H5Tclose, file: path, operation: "reading '\(opened.path)'")
            let elementBytes = isBool ? 1 : 8
            let rowsPerBlock = Swift.max(1, (1 << 20) / (k * elementBytes))
            var raw = [UInt8](repeating: 0, count: Swift.min(rowsPerBlock, n) * k * elementBytes)
            var offsets = [Int](repeating: 0, count: n + 1)
            var labels = [Int32]()
            var start = 0
            while start < n {
                let rows = Swift.min(rowsPerBlock, n - start)
                try raw.withUnsafeMutableBytes { block in
                    try Self.readRows(
                        datasetID: opened.handle.id, fileSpaceID: space.id, rank: 2, columns: k,
                        start: start, count: rows, memoryType: isBool ? fileType.id : chdf5_t_native_int64(),
                        into: block.baseAddress!, file: path, datasetPath: opened.path)
                    for r in 0..<rows {
                        for l in 0..<k {
                            let value = isBool
                                ? Int64(block[r * k + l])
                                : block.load(fromByteOffset: (r * k + l) * 8, as: Int64.self)
                            if value == 1 {
                                labels.append(Int32(l))
                            } else if value != 0 {
                                throw DatasetError.nonBinaryLabel(row: start + r, column: l, value: value, origin: origin)
                            }
                        }
                        offsets[start + r + 1] = labels.count
                    }
                }
                start += rows
            }
            return MultiLabels(unchecked: labels, rowOffsets: offsets, labelCount: k)
        }
    }
}
