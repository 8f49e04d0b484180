#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import CHDF5

/// Sanity checks of what a possibly damaged file claims, made before libhdf5 or this package
/// acts on the claim.
///
/// libhdf5 1.10 trusts much of what it decodes: a dataspace may claim 10^15 rows in a 13 kB
/// file, a datatype 3.6 GB per element, a compact layout fewer bytes than its shape needs. Acting
/// on that means allocating terabytes, reading past a buffer inside libhdf5 (a segfault), or
/// iterating 10^17 chunks. These checks turn such claims into ``HDF5GuardError``s first; the
/// fuzzing harness (`scripts/fuzz/run`) found each of them. Everything here runs inside
/// ``HDF5Library/run(_:)`` unless it says otherwise.
enum HDF5FileGuards {
    /// The largest numeric element: a 128-bit float.
    static let largestNumericElement = 16
    /// libhdf5 refuses chunks of 4 GiB or more when it creates them; a file claiming one is
    /// damaged.
    static let largestChunkBytes = 1 << 32

    // MARK: - Shapes

    /// The dimensions `dims` as `Int`s.
    ///
    /// - Throws: ``HDF5GuardError/dimensionTooLarge(file:object:dimension:)`` for a dimension
    ///   above `Int.max`.
    static func shape(_ dims: some Sequence<hsize_t>, file: String, object: String) throws -> [Int] {
        try dims.map { dimension in
            guard let value = Int(exactly: dimension) else {
                throw HDF5GuardError.dimensionTooLarge(file: file, object: object, dimension: UInt64(dimension))
            }
            return value
        }
    }

    /// The product of `factors`, or `nil` when it overflows `Int` (or a factor is negative).
    static func product(_ factors: some Sequence<Int>, times initial: Int = 1) -> Int? {
        var result = initial
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    // MARK: - Datasets

    /// Checks a dataset about to be read as features or labels: a numeric element size of 1…16
    /// bytes, a shape whose byte count fits in 64 bits, chunks that match the shape and stay
    /// under 4 GiB, and stored data covering the whole shape (all the bytes of a compact or
    /// contiguous dataset, all the chunks of a chunked one).
    ///
    /// - Parameters:
    ///   - datasetID: The open dataset.
    ///   - details: Its shape, type, layout and chunks.
    /// - Throws: ``HDF5GuardError`` naming what does not add up;
    ///   ``HDF5Error/library(file:operation:reason:)`` when libhdf5 cannot read the chunk index.
    /// - Complexity: O(1) for compact and contiguous datasets; one walk of the chunk index
    ///   (its metadata only, not the chunks) for chunked ones.
    static func checkStoredExtent(datasetID: hid_t, details: HDF5DatasetDetails, file: String, datasetPath: String) throws {
        let shape = details.shape
        let elementSize = details.elementSize
        if details.elementType.isNumeric && !(1...largestNumericElement).contains(elementSize) {
            throw HDF5GuardError.implausibleElementSize(file: file, dataset: datasetPath, size: elementSize)
        }
        guard let neededBytes = product(shape, times: max(elementSize, 1)) else {
            throw HDF5GuardError.shapeTooLarge(file: file, dataset: datasetPath, shape: shape, elementSize: elementSize)
        }
        // Empty datasets hold nothing to check; the callers report them.
        guard neededBytes > 0 else { return }
        switch details.layout {
        case .compact?, .contiguous?:
            let stored = H5Dget_storage_size(datasetID)
            if stored < UInt64(neededBytes) {
                _ = H5Eclear2(chdf5_e_default())
                throw HDF5GuardError.storageTooSmall(
                    file: file, dataset: datasetPath, shape: shape, neededBytes: neededBytes, storedBytes: stored)
            }
        case .chunked?:
            let needed = try neededChunks(details, file: file, datasetPath: datasetPath)
            let space = try HDF5Handle.checked(
                H5Dget_space(datasetID), closer: H5Sclose, file: file, operation: "reading the chunk index of '\(datasetPath)'")
            var stored: hsize_t = 0
            try HDF5Library.check(
                H5Dget_num_chunks(datasetID, space.id, &stored), file: file,
                operation: "reading the chunk index of '\(datasetPath)'")
            if stored < UInt64(needed) {
                throw HDF5GuardError.missingChunks(
                    file: file, dataset: datasetPath, shape: shape, chunkShape: details.chunkShape ?? [],
                    needed: needed, stored: stored)
            }
        default:
            break
        }
    }

    /// The number of chunks that cover a chunked dataset's shape, after checking the chunk
    /// shape.
    private static func neededChunks(_ details: HDF5DatasetDetails, file: String, datasetPath: String) throws -> Int {
        let shape = details.shape
        let elementSize = max(details.elementSize, 1)
        func implausible() -> HDF5GuardError {
            .implausibleChunks(
                file: file, dataset: datasetPath, shape: shape, chunkShape: details.chunkShape, elementSize: elementSize)
        }
        guard let chunk = details.chunkShape, chunk.count == shape.count, chunk.allSatisfy({ $0 >= 1 }),
              let chunkBytes = product(chunk, times: elementSize), chunkBytes < largestChunkBytes
        else { throw implausible() }
        // ⌈n / c⌉ per dimension; the product may be absurd for a damaged shape, never wrong.
        guard let needed = product(zip(shape, chunk).map { $0 / $1 + ($0 % $1 == 0 ? 0 : 1) }) else {
            throw HDF5GuardError.shapeTooLarge(file: file, dataset: datasetPath, shape: shape, elementSize: elementSize)
        }
        return needed
    }

    // MARK: - Memory

    /// Throws unless `count` values of `elementBytes` bytes fit in memory (see
    /// ``memoryLimit()``): checked before allocating what a file's shape asks for.
    ///
    /// - Parameters:
    ///   - count: Values to allocate.
    ///   - elementBytes: Bytes per value in memory.
    ///   - what: Words for the values, e.g. "1000 rows × 2 floats".
    /// - Throws: ``HDF5GuardError/exceedsMemory(file:dataset:what:bytes:limit:limitSource:)``.
    static func requireMemory(count: Int, elementBytes: Int, what: @autoclosure () -> String, file: String, dataset: String) throws {
        let limit = memoryLimit()
        guard let bytes = product([count], times: elementBytes), bytes <= limit.bytes else {
            let bytes = product([count], times: elementBytes) ?? Int.max
            throw HDF5GuardError.exceedsMemory(
                file: file, dataset: dataset, what: what(), bytes: bytes, limit: limit.bytes, limitSource: limit.source)
        }
    }

    /// The most memory one allocation may ask for: the machine's physical memory, or the
    /// process's address-space or data-segment limit (`ulimit -v`, `ulimit -d`) when lower.
    /// Runs anywhere (no libhdf5 call).
    static func memoryLimit() -> (bytes: Int, source: String) {
        var result = (bytes: Int.max, source: "the addressable memory")
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0 && pageSize > 0, let physical = product([pages], times: pageSize) {
            result = (physical, "this machine's memory")
        }
        #if canImport(Glibc) || canImport(Musl)
        let limits: [(resource: Int32, name: String)] = [
            (Int32(RLIMIT_AS.rawValue), "this process's address-space limit (ulimit -v)"),
            (Int32(RLIMIT_DATA.rawValue), "this process's data-size limit (ulimit -d)"),
        ]
        #else
        let limits: [(resource: Int32, name: String)] = [
            (RLIMIT_AS, "this process's address-space limit (ulimit -v)"),
            (RLIMIT_DATA, "this process's data-size limit (ulimit -d)"),
        ]
        #endif
        for (resource, name) in limits {
            var limit = rlimit()
            #if canImport(Glibc)
            let status = getrlimit(__rlimit_resource_t(UInt32(resource)), &limit)
            #else
            let status = getrlimit(resource, &limit)
            #endif
            // No limit (RLIM_INFINITY) is all ones on Linux, 2⁶³ − 1 on Darwin: never below the result.
            if status == 0, let bytes = Int(exactly: limit.rlim_cur), bytes < result.bytes {
                result = (bytes, name)
            }
        }
        return result
    }

    // MARK: - Labels

    /// Throws when the labels' largest value implies more classes than there are rows: the
    /// sign of a damaged labels dataset (one flipped bit makes label 2 into 33,686,018), which
    /// would otherwise size per-class tables and output layers by it. Runs anywhere.
    ///
    /// - Throws: ``HDF5GuardError/tooManyClasses(file:dataset:row:label:rowCount:)``.
    static func requirePlausibleClassCount(largestLabel: Int64, row: Int, rowCount: Int, file: String, dataset: String) throws {
        if largestLabel >= Int64(rowCount) {
            throw HDF5GuardError.tooManyClasses(file: file, dataset: dataset, row: row, label: largestLabel, rowCount: rowCount)
        }
    }
}
