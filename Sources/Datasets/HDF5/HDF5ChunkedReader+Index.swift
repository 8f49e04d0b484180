#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import CHDF5

// Setting up a chunked reader: the chunk index, the decoders, the user block.
extension HDF5ChunkedReader {
    /// Every chunk's file offset, stored size and filter mask, checked against libhdf5's own
    /// read of the first written chunk (an address relative to a user block would show here).
    static func buildIndex(
        datasetID: hid_t, file: HDF5File, direct: HDF5DirectFile, datasetPath: String, grid: Grid, largestStored: Int
    ) -> Result<Index, HDF5FastPathUnavailable> {
        let count = grid.chunkCount
        var addresses = [Int](repeating: 0, count: count)
        var sizes = [Int](repeating: 0, count: count)
        var masks = [UInt32](repeating: 0, count: count)
        let undefined = chdf5_haddr_undef()
        // libhdf5 reads as many coordinates as the dataset's rank (1 or 2).
        var offset = [hsize_t](repeating: 0, count: 2)
        var firstWritten = -1
        for chunk in 0..<count {
            offset[0] = hsize_t((chunk / grid.columnChunks) * grid.chunkRows)
            offset[1] = hsize_t((chunk % grid.columnChunks) * grid.chunkColumns)
            var mask: UInt32 = 0
            var address: haddr_t = undefined
            var size: hsize_t = 0
            guard H5Dget_chunk_info_by_coord(datasetID, &offset, &mask, &address, &size) >= 0 else {
                return .failure(HDF5FastPathUnavailable("libhdf5 cannot describe \(grid.describe(chunk)): \(HDF5Library.errorStackSummary())"))
            }
            guard address != undefined, size > 0 else { continue }  // never written: sizes[chunk] stays 0
            addresses[chunk] = address > UInt64(Int.max) ? Int.max : Int(address)
            sizes[chunk] = size > UInt64(Int.max) ? Int.max : Int(size)
            masks[chunk] = mask
            if firstWritten < 0 { firstWritten = chunk }
        }
        guard firstWritten >= 0 else { return .success(Index(addresses: addresses, sizes: sizes, masks: masks)) }
        let first = firstWritten
        guard sizes[first] <= largestStored else {
            return .failure(HDF5FastPathUnavailable("\(grid.describe(first)) claims \(sizes[first]) stored bytes"))
        }
        let expected = UnsafeMutableRawBufferPointer.allocate(byteCount: sizes[first], alignment: 16)
        let actual = UnsafeMutableRawBufferPointer.allocate(byteCount: sizes[first], alignment: 16)
        defer {
            expected.deallocate()
            actual.deallocate()
        }
        var filters: UInt32 = 0
        offset[0] = hsize_t((first / grid.columnChunks) * grid.chunkRows)
        offset[1] = hsize_t((first % grid.columnChunks) * grid.chunkColumns)
        guard chdf5_read_chunk(datasetID, chdf5_p_default(), &offset, &filters, expected.baseAddress, sizes[first]) >= 0 else {
            return .failure(HDF5FastPathUnavailable("libhdf5 cannot read \(grid.describe(first)): \(HDF5Library.errorStackSummary())"))
        }
        guard filters == masks[first] else {
            return .failure(HDF5FastPathUnavailable("the filter mask of \(grid.describe(first)) differs between the chunk index and the chunk"))
        }
        var base: Int?
        for candidate in [0, userBlockSize(of: file)] where base == nil {
            if (try? direct.read(into: actual.baseAddress!, count: sizes[first], at: addresses[first] + candidate, dataset: datasetPath, what: "")) != nil,
               memcmp(actual.baseAddress!, expected.baseAddress!, sizes[first]) == 0 {
                base = candidate
            }
        }
        guard let base else {
            return .failure(HDF5FastPathUnavailable("the bytes at the address of \(grid.describe(first)) are not the chunk libhdf5 reads"))
        }
        if base != 0 {
            for chunk in 0..<count where sizes[chunk] > 0 && addresses[chunk] <= Int.max - base { addresses[chunk] += base }
        }
        return .success(Index(addresses: addresses, sizes: sizes, masks: masks))
    }

    static func decoder(file: String) throws -> HDF5ChunkDecoder {
        do {
            return try HDF5ChunkDecoder()
        } catch {
            throw HDF5Error.library(file: file, operation: "setting up zlib", reason: "\(error)")
        }
    }

    /// The file's user block size (0 when there is none). Runs inside ``HDF5Library/run(_:)``.
    static func userBlockSize(of file: HDF5File) -> Int {
        let create = H5Fget_create_plist(file.handle.id)
        guard create >= 0 else {
            _ = H5Eclear2(chdf5_e_default())
            return 0
        }
        defer { H5Pclose(create) }
        var size: hsize_t = 0
        guard H5Pget_userblock(create, &size) >= 0 else {
            _ = H5Eclear2(chdf5_e_default())
            return 0
        }
        return Int(clamping: size)
    }
}
