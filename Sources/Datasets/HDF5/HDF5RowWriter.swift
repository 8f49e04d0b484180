#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import CHDF5

/// One dataset of an ``HDF5RowWriter`` file: N rows of `columns` values (`[N, columns]`), or
/// one value a row (`[N]`) when `columns` is `nil`.
public struct HDF5RowDataset: Sendable, Equatable {
    /// How the values are stored.
    public enum Element: Sendable, Equatable {
        /// float32 LE, written from `Float`.
        case float32
        /// int64 LE, written from `Int64`.
        case int64
    }

    /// The name under the root group (no `/`).
    public var name: String
    /// Values a row, or `nil` for a one-dimensional dataset.
    public var columns: Int?
    /// The stored type.
    public var element: Element

    /// A dataset description.
    public init(name: String, columns: Int?, element: Element) {
        self.name = name
        self.columns = columns
        self.element = element
    }
}

/// Writes datasets of N rows each block by block, for results too large to hold in memory
/// (the predictions for a file read with ``FeatureReading/stream(chunkCacheBudget:)``): each
/// dataset chunked (about 64 KiB a chunk) and deflated like `/features`, the root attributes
/// written at the end.
///
/// The write is atomic like every write of this package: the rows go into a temporary file next
/// to `path`, which ``commit()`` syncs and renames over `path` once every row of every dataset
/// is written; a writer dropped before that (an error, a crash) leaves no file behind and an
/// existing one untouched.
///
/// ```swift
/// let writer = try HDF5RowWriter(path: "out.h5", rowCount: n,
///                                datasets: [HDF5RowDataset(name: "classes", columns: nil, element: .int64)])
/// try classes.withUnsafeBufferPointer { try writer.write($0, to: "classes", rows: 0..<n) }
/// try writer.commit()
/// ```
///
/// Memory: one chunk per dataset in libhdf5's chunk cache, whatever N is.
public final class HDF5RowWriter {
    /// The file being written.
    public let path: String
    /// N, the rows of every dataset.
    public let rowCount: Int

    private let write: AtomicWrite
    private let attributes: [String: HDF5AttributeValue]
    private var file: HDF5Handle?
    private var datasets: [String: (description: HDF5RowDataset, handle: HDF5Handle)] = [:]
    /// The next row to write, per dataset.
    private var nextRow: [String: Int] = [:]
    private var finished = false

    /// Checks `path`, creates the temporary file and the datasets.
    ///
    /// - Parameters:
    ///   - path: The file to write.
    ///   - rowCount: N ≥ 1.
    ///   - datasets: Unique non-empty names without `/`, `columns` ≥ 1 when given.
    ///   - attributes: Root attributes (see ``writeLabelledDataset(_:to:attributes:overwrite:)``
    ///     for their types), written by ``commit()``.
    ///   - overwrite: Replace an existing file (at ``commit()``).
    /// - Throws: ``HDF5Error/invalidArgument(_:)`` for no rows or a bad dataset description;
    ///   ``FileSystemError/exists(path:)``, ``FileSystemError/cannotWrite(path:reason:)`` and
    ///   the other errors of ``writeLabelledDataset(_:to:attributes:overwrite:)``.
    public init(
        path: String, rowCount: Int, datasets: [HDF5RowDataset], attributes: [String: HDF5AttributeValue] = [:],
        overwrite: Bool = false
    ) throws {
        guard rowCount >= 1, !datasets.isEmpty else {
            throw HDF5Error.invalidArgument("\(path): nothing to write (\(rowCount) rows, \(datasets.count) datasets); expected at least one of each")
        }
        var names = Set<String>()
        for dataset in datasets {
            guard !dataset.name.isEmpty, !dataset.name.contains("/"), names.insert(dataset.name).inserted,
                  (dataset.columns ?? 1) >= 1 else {
                throw HDF5Error.invalidArgument("\(path): dataset '\(dataset.name)' with \(dataset.columns.map(String.init) ?? "no") columns; expected a unique name without '/' and at least 1 column")
            }
        }
        self.path = path
        self.rowCount = rowCount
        self.attributes = attributes
        write = try AtomicWrite(path: path, overwrite: overwrite)
        do {
            try HDF5Library.run {
                let file = try createFile(write.temporary, reportedAs: path)
                self.file = file
                for dataset in datasets {
                    let columns = dataset.columns ?? 1
                    let elementBytes = 4 * (dataset.element == .int64 ? 2 : 1)
                    let handle = try createDataset(
                        named: dataset.name, shape: [rowCount] + (dataset.columns.map { [$0] } ?? []),
                        chunkRows: chunkRows(rows: rowCount, rowBytes: columns * elementBytes),
                        fileType: dataset.element == .int64 ? chdf5_t_std_i64le() : chdf5_t_ieee_f32le(),
                        in: file.id, file: path)
                    self.datasets[dataset.name] = (dataset, handle)
                    nextRow[dataset.name] = 0
                }
            }
        } catch {
            throw abandon(error)
        }
    }

    /// Writes rows `rows` of the float32 dataset `name` from `values` (row-major).
    ///
    /// - Parameters:
    ///   - values: `rows.count × columns` values.
    ///   - name: A float32 dataset of this writer.
    ///   - rows: The next rows of that dataset: blocks are written in order, each row once.
    /// - Throws: ``HDF5Error/invalidArgument(_:)`` for an unknown dataset, another type, rows
    ///   out of order or the wrong number of values; the write's errors (the file is then
    ///   abandoned).
    public func write(_ values: UnsafeBufferPointer<Float>, to name: String, rows: Range<Int>) throws {
        try write(UnsafeRawPointer(values.baseAddress), count: values.count, element: .float32, memoryType: chdf5_t_native_float(), to: name, rows: rows)
    }

    /// Writes rows `rows` of the int64 dataset `name` from `values`, as the float32 overload
    /// does (blocks in order, each row once).
    ///
    /// - Throws: As the float32 overload.
    public func write(_ values: UnsafeBufferPointer<Int64>, to name: String, rows: Range<Int>) throws {
        try write(UnsafeRawPointer(values.baseAddress), count: values.count, element: .int64, memoryType: chdf5_t_native_int64(), to: name, rows: rows)
    }

    private func write(
        _ values: UnsafeRawPointer?, count: Int, element: HDF5RowDataset.Element, memoryType: hid_t, to name: String,
        rows: Range<Int>
    ) throws {
        guard !finished, let (description, handle) = datasets[name], let next = nextRow[name] else {
            throw HDF5Error.invalidArgument("\(path): no dataset '\(name)' is being written")
        }
        let columns = description.columns ?? 1
        guard description.element == element, rows.lowerBound == next, rows.upperBound <= rowCount,
              count == rows.count * columns else {
            throw HDF5Error.invalidArgument("\(path): rows \(rows) of '\(name)' (\(count) \(element) values); expected rows from \(next) up to \(rowCount), \(columns) \(description.element) values a row")
        }
        guard !rows.isEmpty else { return }
        do {
            try HDF5Library.run {
                let operation = "writing rows \(rows) of /\(name)"
                let fileSpace = try HDF5Handle.checked(H5Dget_space(handle.id), closer: H5Sclose, file: path, operation: operation)
                let matrix = description.columns != nil
                var offset: [hsize_t] = matrix ? [hsize_t(rows.lowerBound), 0] : [hsize_t(rows.lowerBound)]
                var size: [hsize_t] = matrix ? [hsize_t(rows.count), hsize_t(columns)] : [hsize_t(rows.count)]
                try HDF5Library.check(
                    H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &offset, nil, &size, nil), file: path, operation: operation)
                let memorySpace = try HDF5Handle.checked(
                    H5Screate_simple(Int32(size.count), &size, nil), closer: H5Sclose, file: path, operation: operation)
                try HDF5Library.check(
                    H5Dwrite(handle.id, memoryType, memorySpace.id, fileSpace.id, chdf5_p_default(), values),
                    file: path, operation: operation)
            }
        } catch {
            throw abandon(error)
        }
        nextRow[name] = rows.upperBound
    }

    /// Writes the attributes, closes the file, syncs it and renames it over ``path``.
    ///
    /// - Throws: ``HDF5Error/invalidArgument(_:)`` when a dataset is not fully written (the
    ///   file is abandoned); ``FileSystemError/exists(path:)`` when a file appeared at `path`
    ///   meanwhile without `overwrite`; the write's errors.
    public func commit() throws {
        guard !finished else { throw HDF5Error.invalidArgument("\(path): the file is already committed or abandoned") }
        if let (name, row) = nextRow.sorted(by: { $0.key < $1.key }).first(where: { $0.value < rowCount }) {
            throw abandon(HDF5Error.invalidArgument("\(path): dataset '\(name)' has \(row) of its \(rowCount) rows written; expected all"))
        }
        do {
            try HDF5Library.run {
                for (_, handle) in datasets.values { try handle.close(file: path) }
                if let file { try finishFile(file, attributes: attributes, reportedAs: path) }
            }
            try write.commit()
        } catch {
            throw abandon(error)
        }
        finished = true
        datasets = [:]
        file = nil
    }

    /// Closes everything and removes the temporary file; returns `error` as the write's failure.
    private func abandon(_ error: any Error) -> any Error {
        finished = true
        datasets = [:]     // the handles close as they go
        file = nil
        return write.abandon(error)
    }

    deinit {
        if !finished { _ = abandon(HDF5Error.invalidArgument("\(path): abandoned")) }
    }
}
