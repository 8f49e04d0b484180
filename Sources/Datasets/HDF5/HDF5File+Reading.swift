import CHDF5

/// Reading features and labels.
extension HDF5File {
    // MARK: - Public reads

    /// The shape of a features dataset, after checking it can be read as features.
    ///
    /// - Parameter datasetPath: The dataset, e.g. `/features` or `/data/train/x`.
    /// - Returns: N and D (D = 1 for a one-dimensional dataset).
    /// - Throws: ``HDF5Error`` when there is no such dataset, it is not numeric
    ///   (``HDF5Error/wrongType(file:dataset:found:expected:)``), not one- or two-dimensional
    ///   (``HDF5Error/wrongRank(file:dataset:shape:expected:)``), empty, or needs an
    ///   unavailable filter.
    func featureShape(at datasetPath: String = "/features") throws -> (rowCount: Int, dimension: Int) {
        try HDF5Library.run {
            let opened = try openDataset(datasetPath)
            return try Self.featureShape(opened.details, file: path, datasetPath: opened.path)
        }
    }

    /// Reads a whole features dataset as `Float`.
    ///
    /// Any integer or float type in either byte order is accepted; libhdf5 converts it to the
    /// native `Float` while reading (float64 values are rounded to the nearest float32).
    ///
    /// - Parameter datasetPath: A one- or two-dimensional numeric dataset.
    /// - Returns: The `N × D` values, row-major.
    /// - Throws: As ``featureShape(at:)``; ``HDF5Error/library(file:operation:reason:)`` when
    ///   HDF5 fails to read (a corrupt chunk, a checksum mismatch, …).
    /// - Complexity: O(N·D).
    func readFeatures(at datasetPath: String = "/features") throws -> HDF5FeatureMatrix {
        let dataset = try HDF5FeatureDataset(file: self, datasetPath: datasetPath)
        return HDF5FeatureMatrix(rowCount: dataset.rowCount, dimension: dataset.dimension, values: try dataset.readAll())
    }

    /// Reads the rows `rows` of a features dataset.
    ///
    /// - Throws: As ``readFeatures(at:)``, and ``HDF5Error/rowOutOfRange(file:dataset:row:rowCount:)``
    ///   when `rows` is not inside `0..<N`.
    /// - Complexity: O(rows.count · D).
    func readFeatures(at datasetPath: String = "/features", rows: Range<Int>) throws -> HDF5FeatureMatrix {
        let dataset = try HDF5FeatureDataset(file: self, datasetPath: datasetPath)
        return HDF5FeatureMatrix(rowCount: rows.count, dimension: dataset.dimension, values: try dataset.readRows(rows))
    }

    /// Reads the rows `rowList` (any order, repeats allowed) of a features dataset; row `i` of
    /// the result is row `rowList[i]` of the dataset.
    ///
    /// - Throws: As ``readFeatures(at:rows:)``.
    /// - Complexity: O(k log k + k·D) for k rows, plus one HDF5 read per run of adjacent rows.
    func readFeatures(at datasetPath: String = "/features", rowList: [Int]) throws -> HDF5FeatureMatrix {
        let dataset = try HDF5FeatureDataset(file: self, datasetPath: datasetPath)
        return HDF5FeatureMatrix(rowCount: rowList.count, dimension: dataset.dimension, values: try dataset.gatherRows(rowList))
    }

    /// The number of labels in a labels dataset, after checking it can be read as labels.
    ///
    /// - Throws: ``HDF5Error`` when there is no such dataset, it does not hold integers, is not
    ///   one-dimensional, is empty, or needs an unavailable filter.
    public func labelCount(at datasetPath: String = "/labels") throws -> Int {
        try HDF5Library.run {
            let opened = try openDataset(datasetPath)
            return try Self.labelCount(opened.details, file: path, datasetPath: opened.path)
        }
    }

    /// Reads a labels dataset: a one-dimensional integer dataset of any width, signedness and
    /// byte order, converted to `Int64` (unsigned values above `Int64.max` are clipped to it).
    ///
    /// - Parameters:
    ///   - datasetPath: The dataset, e.g. `/labels`.
    ///   - rows: The rows to read; `nil` for all.
    /// - Throws: As ``labelCount(at:)``; ``HDF5Error/rowOutOfRange(file:dataset:row:rowCount:)``.
    /// - Complexity: O(rows).
    public func readLabels(at datasetPath: String = "/labels", rows: Range<Int>? = nil) throws -> [Int64] {
        var labels = [Int64]()
        try forEachLabelBlock(at: datasetPath, rows: rows, starting: { count, dataset in
            let range = rows ?? 0..<count
            try HDF5FileGuards.requireMemory(
                count: range.count, elementBytes: MemoryLayout<Int64>.size, what: "\(range.count) labels as int64",
                file: path, dataset: dataset)
            labels.reserveCapacity(range.count)
        }) { _, block in
            labels.append(contentsOf: block)
        }
        return labels
    }

    /// Reads the labels block by block, so memory stays at one block whatever N is: `body`
    /// gets each block's first row and its values (as `Int64`, converted from the file's
    /// integer type). The buffer is reused; copy what you keep.
    ///
    /// - Parameters:
    ///   - datasetPath: A one-dimensional integer dataset.
    ///   - blockRows: Rows per block (at least 1).
    /// - Throws: As ``readLabels(at:rows:)``, and whatever `body` throws.
    /// - Complexity: O(N) time, O(blockRows) memory.
    public func forEachLabelBlock(
        at datasetPath: String = "/labels", blockRows: Int = 1 << 16,
        _ body: (_ firstRow: Int, _ labels: UnsafeBufferPointer<Int64>) throws -> Void
    ) throws {
        try forEachLabelBlock(at: datasetPath, blockRows: blockRows, starting: { _, _ in }, body)
    }

    /// The one label reader behind ``readLabels(at:rows:)``, ``forEachLabelBlock(at:blockRows:_:)``
    /// and the labelled-file loaders: opens the dataset once, checks it holds labels, calls
    /// `starting` with N and the dataset's normalised path before any data is read, then
    /// `body` with each block of `rows` (all rows when `nil`).
    func forEachLabelBlock(
        at datasetPath: String, rows: Range<Int>? = nil, blockRows: Int = 1 << 16,
        starting: (_ rowCount: Int, _ dataset: String) throws -> Void,
        _ body: (_ firstRow: Int, _ labels: UnsafeBufferPointer<Int64>) throws -> Void
    ) throws {
        let rowsPerBlock = Swift.max(1, blockRows)
        try HDF5Library.run {
            let opened = try openDataset(datasetPath)
            let count = try Self.labelCount(opened.details, file: path, datasetPath: opened.path)
            let range = rows ?? 0..<count
            try Self.checkRows(range, rowCount: count, file: path, datasetPath: opened.path)
            try starting(count, opened.path)
            if range.isEmpty { return }
            let space = try HDF5Handle.checked(
                H5Dget_space(opened.handle.id), closer: H5Sclose, file: path, operation: "reading '\(opened.path)'")
            var buffer = [Int64](repeating: 0, count: Swift.min(rowsPerBlock, range.count))
            var start = range.lowerBound
            while start < range.upperBound {
                let rows = Swift.min(rowsPerBlock, range.upperBound - start)
                try buffer.withUnsafeMutableBufferPointer { block in
                    guard let base = block.baseAddress else { return }
                    try Self.readRows(
                        datasetID: opened.handle.id, fileSpaceID: space.id, rank: 1, columns: 1,
                        start: start, count: rows, memoryType: chdf5_t_native_int64(),
                        into: UnsafeMutableRawPointer(base), file: path, datasetPath: opened.path)
                    try body(start, UnsafeBufferPointer(start: base, count: rows))
                }
                start += rows
            }
        }
    }

    // MARK: - Internals (all run inside HDF5Library.run)

    /// An open dataset with its normalised path and details.
    struct OpenedDataset {
        let handle: HDF5Handle
        let path: String
        let details: HDF5DatasetDetails
    }

    /// Opens the dataset at `datasetPath` with the dataset access list `access` (default: the
    /// library's).
    ///
    /// - Throws: ``HDF5Error/noSuchDataset(file:path:datasets:)`` (listing the datasets the
    ///   file has) or ``HDF5Error/notADataset(file:path:kind:)``.
    func openDataset(_ datasetPath: String, access: hid_t? = nil) throws -> OpenedDataset {
        let normalized = Self.normalize(datasetPath)
        guard let type = try objectType(at: normalized) else {
            throw HDF5Error.noSuchDataset(file: path, path: normalized, datasets: try datasetPaths())
        }
        switch type {
        case H5O_TYPE_DATASET: break
        case H5O_TYPE_GROUP: throw HDF5Error.notADataset(file: path, path: normalized, kind: "group")
        case H5O_TYPE_NAMED_DATATYPE: throw HDF5Error.notADataset(file: path, path: normalized, kind: "named datatype")
        default: throw HDF5Error.notADataset(file: path, path: normalized, kind: "object of unknown kind")
        }
        let handle = try HDF5Handle.checked(
            H5Dopen2(self.handle.id, normalized, access ?? chdf5_p_default()), closer: H5Dclose, file: path,
            operation: "opening '\(normalized)'")
        let details = try HDF5DatasetDetails(datasetID: handle.id, file: path, datasetPath: normalized)
        try HDF5FileGuards.checkStoredExtent(datasetID: handle.id, details: details, file: path, datasetPath: normalized)
        return OpenedDataset(handle: handle, path: normalized, details: details)
    }

    /// N and D of a dataset that must be usable as features.
    static func featureShape(_ details: HDF5DatasetDetails, file: String, datasetPath: String) throws -> (rowCount: Int, dimension: Int) {
        guard details.elementType.isNumeric else {
            throw HDF5Error.wrongType(
                file: file, dataset: datasetPath, found: details.elementType.description,
                expected: "features must be numbers (integers or floats)")
        }
        let shape = details.shape
        let rows: Int
        let dimension: Int
        switch shape.count {
        case 1: (rows, dimension) = (shape[0], 1)
        case 2: (rows, dimension) = (shape[0], shape[1])
        default:
            throw HDF5Error.wrongRank(
                file: file, dataset: datasetPath, shape: shape,
                expected: "features must be two-dimensional [N, D] or one-dimensional [N]")
        }
        guard rows > 0, dimension > 0 else {
            throw HDF5Error.emptyDataset(file: file, dataset: datasetPath, shape: shape)
        }
        try details.requireFilters(file: file, datasetPath: datasetPath)
        return (rows, dimension)
    }

    /// N of a dataset that must be usable as labels.
    static func labelCount(_ details: HDF5DatasetDetails, file: String, datasetPath: String) throws -> Int {
        guard details.elementType.isInteger else {
            throw HDF5Error.wrongType(
                file: file, dataset: datasetPath, found: details.elementType.description,
                expected: "labels must be integers")
        }
        guard details.shape.count == 1 else {
            throw HDF5Error.wrongRank(
                file: file, dataset: datasetPath, shape: details.shape,
                expected: "labels must be one-dimensional [N]")
        }
        guard details.shape[0] > 0 else {
            throw HDF5Error.emptyDataset(file: file, dataset: datasetPath, shape: details.shape)
        }
        try details.requireFilters(file: file, datasetPath: datasetPath)
        return details.shape[0]
    }

    /// Throws ``HDF5Error/rowOutOfRange(file:dataset:row:rowCount:)`` unless `rows` lies in
    /// `0..<rowCount`.
    static func checkRows(_ rows: Range<Int>, rowCount: Int, file: String, datasetPath: String) throws {
        if rows.lowerBound < 0 {
            throw HDF5Error.rowOutOfRange(file: file, dataset: datasetPath, row: rows.lowerBound, rowCount: rowCount)
        }
        if rows.upperBound > rowCount {
            throw HDF5Error.rowOutOfRange(
                file: file, dataset: datasetPath, row: max(rows.lowerBound, rowCount), rowCount: rowCount)
        }
    }

    /// Reads rows `start ..< start + count` (all `columns` of them when `rank` is 2) into
    /// `pointer`, converted to `memoryType`, with one hyperslab selection on `fileSpaceID`.
    static func readRows(
        datasetID: hid_t, fileSpaceID: hid_t, rank: Int, columns: Int, start: Int, count: Int,
        memoryType: hid_t, into pointer: UnsafeMutableRawPointer, file: String, datasetPath: String
    ) throws {
        var offset: [hsize_t] = rank == 2 ? [hsize_t(start), 0] : [hsize_t(start)]
        var size: [hsize_t] = rank == 2 ? [hsize_t(count), hsize_t(columns)] : [hsize_t(count)]
        try HDF5Library.check(
            H5Sselect_hyperslab(fileSpaceID, H5S_SELECT_SET, &offset, nil, &size, nil), file: file,
            operation: "selecting rows \(start)..<\(start + count) of '\(datasetPath)'")
        let memory = try HDF5Handle.checked(
            H5Screate_simple(Int32(rank), &size, nil), closer: H5Sclose, file: file,
            operation: "reading rows \(start)..<\(start + count) of '\(datasetPath)'")
        try HDF5Library.check(
            H5Dread(datasetID, memoryType, memory.id, fileSpaceID, chdf5_p_default(), pointer), file: file,
            operation: "reading rows \(start)..<\(start + count) of '\(datasetPath)'")
    }
}
