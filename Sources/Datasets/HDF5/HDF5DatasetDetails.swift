import CHDF5

/// Shape, element type, layout, chunks and filters of an open dataset.
struct HDF5DatasetDetails {
    let shape: [Int]
    let elementType: HDF5ElementType
    /// The file type's size in bytes.
    let elementSize: Int
    let layout: HDF5ObjectInfo.Layout?
    let chunkShape: [Int]?
    let filters: [HDF5Filter]

    /// Reads the details of `datasetID`. Runs inside ``HDF5Library/run(_:)``.
    init(datasetID: hid_t, file: String, datasetPath: String) throws {
        let operation = "reading '\(datasetPath)'"
        let space = try HDF5Handle.checked(H5Dget_space(datasetID), closer: H5Sclose, file: file, operation: operation)
        let rank = Int(H5Sget_simple_extent_ndims(space.id))
        guard rank >= 0 else { throw HDF5Library.failure(file: file, operation: operation) }
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        if rank > 0 { _ = H5Sget_simple_extent_dims(space.id, &dims, nil) }
        shape = try HDF5FileGuards.shape(dims.prefix(rank), file: file, object: datasetPath)

        let type = try HDF5Handle.checked(H5Dget_type(datasetID), closer: H5Tclose, file: file, operation: operation)
        elementType = HDF5ElementType(typeID: type.id)
        elementSize = Int(H5Tget_size(type.id))

        let create = try HDF5Handle.checked(
            H5Dget_create_plist(datasetID), closer: H5Pclose, file: file, operation: operation)
        switch H5Pget_layout(create.id) {
        case H5D_COMPACT: layout = .compact
        case H5D_CONTIGUOUS: layout = .contiguous
        case H5D_CHUNKED: layout = .chunked
        case H5D_VIRTUAL: layout = .virtual
        default: layout = nil
        }
        if layout == .chunked, rank > 0 {
            var chunk = [hsize_t](repeating: 0, count: rank)
            let chunkRank = H5Pget_chunk(create.id, Int32(rank), &chunk)
            chunkShape = chunkRank > 0
                ? try HDF5FileGuards.shape(chunk.prefix(Int(chunkRank)), file: file, object: datasetPath) : nil
        } else {
            chunkShape = nil
        }

        var filters: [HDF5Filter] = []
        let filterCount = H5Pget_nfilters(create.id)
        if filterCount > 0 {
            for index in 0..<UInt32(filterCount) {
                var flags: UInt32 = 0
                var parameterCount = 16
                var parameters = [UInt32](repeating: 0, count: parameterCount)
                var nameBuffer = [CChar](repeating: 0, count: 256)
                var configuration: UInt32 = 0
                let id = H5Pget_filter2(
                    create.id, index, &flags, &parameterCount, &parameters, nameBuffer.count, &nameBuffer,
                    &configuration)
                guard id >= 0 else { throw HDF5Library.failure(file: file, operation: operation) }
                let stored = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                let known = HDF5Filter.wellKnownName(of: Int(id))
                let available = H5Zfilter_avail(id) > 0
                _ = H5Eclear2(chdf5_e_default())
                filters.append(HDF5Filter(
                    id: Int(id), name: known != "unknown" || stored.isEmpty ? known : stored,
                    parameters: Array(parameters.prefix(min(parameterCount, parameters.count))),
                    isAvailable: available))
            }
        }
        self.filters = filters
    }

    /// Throws ``HDF5Error/filterUnavailable(file:dataset:filterID:filterName:)`` for the first
    /// filter libhdf5 cannot apply.
    func requireFilters(file: String, datasetPath: String) throws {
        if let missing = filters.first(where: { !$0.isAvailable }) {
            throw HDF5Error.filterUnavailable(
                file: file, dataset: datasetPath, filterID: missing.id, filterName: missing.name)
        }
    }
}
