#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import CHDF5

/// Writes a labelled dataset to an HDF5 file that h5py and any HDF5 reader open as is:
/// `/features` float32 LE `[N, D]`, `/labels` int64 LE `[N]`, both chunked (about 64 KiB a
/// chunk, at most N rows) and deflated at level 4, and `attributes` on the root group.
///
/// ```swift
/// let data = try SpiralSpecification(counts: [1000, 100, 10], noise: 0.2, seed: 1).generate()
/// try writeLabelledDataset(data, to: "spiral.h5",
///                          attributes: ["generator": .string("spiral"), "seed": .int(1)],
///                          overwrite: false)
/// ```
///
/// The write is atomic: the file is written as `.<name>.tmp-<pid>-<random>` in the target's
/// folder, flushed, closed, `fsync`ed and renamed over the target, so a reader (or a crash)
/// never sees half a file. On error the temporary file is removed. Before writing, temporary
/// files of the same target left by processes that no longer run are removed.
///
/// - Parameters:
///   - data: At least one row.
///   - path: The file to write.
///   - attributes: Root attributes (integers as int64, floats as float64, strings as
///     variable-length UTF-8, arrays one-dimensional), written in name order.
///   - overwrite: Replace an existing file. Without it an existing file is left untouched.
/// - Throws: ``FileSystemError/exists(path:)`` (the file is not touched);
///   ``FileSystemError/cannotWrite(path:reason:)`` for a missing or read-only folder or a
///   path that names a folder (as ``checkOutputPath(_:)``);
///   ``FileSystemError/system(path:code:writing:existingKept:)`` when the system fails the
///   write (no space left, permission denied, a read-only file system, an I/O error), saying
///   whether an existing file is unchanged; ``HDF5Error/invalidArgument(_:)`` for an empty
///   dataset; ``HDF5Error/library(file:operation:reason:)`` when HDF5 fails otherwise.
/// - Complexity: O(N·D) plus the deflate time.
public func writeLabelledDataset(
    _ data: LabelledDataset, to path: String, attributes: [String: HDF5AttributeValue] = [:],
    overwrite: Bool = false
) throws {
    guard data.count > 0 else {
        throw HDF5Error.invalidArgument("\(path): nothing to write; the dataset has no rows, expected at least one")
    }
    try writeAtomically(to: path, overwrite: overwrite) { temporary in
        try writeContents(data, to: temporary, reportedAs: path, attributes: attributes)
    }
}

/// One integer dataset for ``writeIntegerDatasets(_:to:attributes:overwrite:)``: a name under
/// the root group and its values, stored as int32 or int64 LE.
public enum HDF5IntegerDataset: Sendable {
    /// int32 LE values.
    case int32(name: String, values: [Int32])
    /// int64 LE values.
    case int64(name: String, values: [Int64])

    var name: String {
        switch self {
        case .int32(let name, _), .int64(let name, _): return name
        }
    }

    var count: Int {
        switch self {
        case .int32(_, let values): return values.count
        case .int64(_, let values): return values.count
        }
    }
}

/// Writes one-dimensional integer datasets (each chunked and deflated like `/labels`) and root
/// attributes to an HDF5 file, atomically, as ``writeLabelledDataset(_:to:attributes:overwrite:)``
/// does: a batch schedule for other tools to replay, say.
///
/// - Parameters:
///   - datasets: The datasets, each with at least one value, written in order.
///   - path: The file to write.
///   - attributes: Root attributes, written in name order.
///   - overwrite: Replace an existing file. Without it an existing file is left untouched.
/// - Throws: As ``writeLabelledDataset(_:to:attributes:overwrite:)``;
///   ``HDF5Error/invalidArgument(_:)`` for an empty dataset.
/// - Complexity: O(total values) plus the deflate time.
public func writeIntegerDatasets(
    _ datasets: [HDF5IntegerDataset], to path: String, attributes: [String: HDF5AttributeValue] = [:],
    overwrite: Bool = false
) throws {
    if let empty = datasets.first(where: { $0.count == 0 }) {
        throw HDF5Error.invalidArgument("\(path): dataset /\(empty.name) has no values, expected at least one")
    }
    try writeAtomically(to: path, overwrite: overwrite) { temporary in
        try writeFile(temporary, reportedAs: path, attributes: attributes) { file in
            for dataset in datasets {
                switch dataset {
                case .int32(let name, let values):
                    try writeColumn(name, values, fileType: chdf5_t_std_i32le(), memoryType: chdf5_t_native_int32(), in: file, reportedAs: path)
                case .int64(let name, let values):
                    try writeColumn(name, values, fileType: chdf5_t_std_i64le(), memoryType: chdf5_t_native_int64(), in: file, reportedAs: path)
                }
            }
        }
    }
}

/// One 1-D dataset of `values`, about 64 KiB a chunk.
private func writeColumn<T>(
    _ name: String, _ values: [T], fileType: hid_t, memoryType: hid_t, in file: hid_t, reportedAs path: String
) throws {
    try values.withUnsafeBufferPointer { values in
        try writeDataset(
            named: name, shape: [values.count], chunkRows: chunkRows(rows: values.count, rowBytes: MemoryLayout<T>.size),
            fileType: fileType, memoryType: memoryType, values: UnsafeRawPointer(values.baseAddress), in: file, file: path)
    }
}

/// Writes a file through a temporary in the same folder, synced and renamed over `path`; the
/// temporary is removed on error.
func writeAtomically(to path: String, overwrite: Bool, contents: (String) throws -> Void) throws {
    let write = try AtomicWrite(path: path, overwrite: overwrite)
    do {
        try HDF5Library.run { try contents(write.temporary) }
        try write.commit()
    } catch {
        throw write.abandon(error)
    }
}

/// An atomic write under way: the target checked, stale temporaries removed and a temporary
/// path chosen next to it; ``commit()`` syncs the temporary and renames it over the target,
/// ``abandon(_:)`` removes it.
struct AtomicWrite {
    let path: String
    let overwrite: Bool
    /// Whether a file was at `path` when the write began.
    let existed: Bool
    let folder: String
    let temporary: String

    /// Checks `path` (a file name in a writable folder, not there unless `overwrite`).
    ///
    /// - Throws: ``FileSystemError/exists(path:)``, ``FileSystemError/cannotWrite(path:reason:)``.
    init(path: String, overwrite: Bool) throws {
        let (folder, name) = AtomicFile.split(path)
        guard name != ".", name != ".." else {
            throw FileSystemError.cannotWrite(path: path, reason: "the path names a folder; expected a file name")
        }
        try checkOutputPath(path)
        self.path = path
        self.overwrite = overwrite
        self.existed = try AtomicFile.requireTarget(path, overwrite: overwrite)
        AtomicFile.removeStaleTemporaries(folder: folder, name: name)
        self.folder = folder
        self.temporary = AtomicFile.temporaryPath(folder: folder, name: name)
    }

    /// `fsync`s the finished temporary and renames it over the target.
    func commit() throws {
        try AtomicFile.sync(temporary, reportedAs: path)
        try AtomicFile.publish(temporary, as: path, overwrite: overwrite)
        AtomicFile.syncFolder(folder)
    }

    /// Removes the temporary; returns `error` as the write's failure (saying whether an
    /// existing file was kept).
    func abandon(_ error: any Error) -> any Error {
        unlink(temporary)
        return FileSystemError.asWriteFailure(error, path: path, existed: existed)
    }
}

/// Creates `temporary` and writes the datasets and attributes; every handle is closed (and
/// the file closed, which flushes it) before returning. Runs inside ``HDF5Library/run(_:)``.
private func writeContents(
    _ data: LabelledDataset, to temporary: String, reportedAs path: String,
    attributes: [String: HDF5AttributeValue]
) throws {
    try writeFile(temporary, reportedAs: path, attributes: attributes) { file in
        let n = data.count
        let d = data.dimension
        let featureChunkRows = chunkRows(rows: n, rowBytes: d * MemoryLayout<Float>.size)
        let labelChunkRows = chunkRows(rows: n, rowBytes: MemoryLayout<Int64>.size)
        try data.features.withUnsafeBufferPointer { features in
            try writeDataset(
                named: "features", shape: [n, d], chunkRows: featureChunkRows, fileType: chdf5_t_ieee_f32le(),
                memoryType: chdf5_t_native_float(), values: UnsafeRawPointer(features.baseAddress), in: file,
                file: path)
        }
        try data.labels.withUnsafeBufferPointer { labels in
            try writeDataset(
                named: "labels", shape: [n], chunkRows: labelChunkRows, fileType: chdf5_t_std_i64le(),
                memoryType: chdf5_t_native_int32(), values: UnsafeRawPointer(labels.baseAddress), in: file,
                file: path)
        }
    }
}

/// Creates `temporary`, lets `datasets` write into it, then writes the attributes; every handle
/// is closed (and the file closed, which flushes it) before returning. Runs inside
/// ``HDF5Library/run(_:)``.
func writeFile(
    _ temporary: String, reportedAs path: String, attributes: [String: HDF5AttributeValue],
    datasets: (hid_t) throws -> Void
) throws {
    let file = try createFile(temporary, reportedAs: path)
    try datasets(file.id)
    try finishFile(file, attributes: attributes, reportedAs: path)
}

/// Creates `temporary` (which must not exist) for writing. Runs inside ``HDF5Library/run(_:)``.
func createFile(_ temporary: String, reportedAs path: String) throws -> HDF5Handle {
    let access = try HDF5Handle.checked(
        H5Pcreate(chdf5_p_file_access()), closer: H5Pclose, file: path, operation: "creating the file")
    _ = H5Pset_file_locking(access.id, true, true)
    // No modification times in object headers (the root group's comes from the file creation
    // list): the same data then gives the same bytes, run after run.
    let creation = try HDF5Handle.checked(
        H5Pcreate(chdf5_p_file_create()), closer: H5Pclose, file: path, operation: "creating the file")
    try HDF5Library.check(H5Pset_obj_track_times(creation.id, false), file: path, operation: "creating the file")
    return try HDF5Handle.checked(
        H5Fcreate(temporary, chdf5_f_acc_excl(), creation.id, access.id), closer: H5Fclose, file: path,
        operation: "creating \(temporary)")
}

/// Writes `attributes` on the root group (in name order), flushes and closes `file`. Runs
/// inside ``HDF5Library/run(_:)``.
func finishFile(_ file: HDF5Handle, attributes: [String: HDF5AttributeValue], reportedAs path: String) throws {
    for name in attributes.keys.sorted() {
        guard let value = attributes[name] else { continue }
        try HDF5AttributeIO.write(value, named: name, on: file.id, file: path)
    }
    try HDF5Library.check(H5Fflush(file.id, H5F_SCOPE_GLOBAL), file: path, operation: "flushing")
    try file.close(file: path)
}

/// Rows a chunk for a dataset of `rows` rows of `rowBytes` bytes in the file: about 64 KiB a
/// chunk, at least one row and at most all of them (0 for an empty dataset), the size every
/// writer of ours uses.
func chunkRows(rows: Int, rowBytes: Int) -> Int {
    min(rows, max(1, (64 << 10) / max(1, rowBytes)))
}

/// One chunked, deflated dataset, written whole from `values` (converted from `memoryType`).
func writeDataset(
    named name: String, shape: [Int], chunkRows: Int, fileType: hid_t, memoryType: hid_t,
    values: UnsafeRawPointer?, in fileID: hid_t, file: String
) throws {
    let dataset = try createDataset(named: name, shape: shape, chunkRows: chunkRows, fileType: fileType, in: fileID, file: file)
    try HDF5Library.check(
        H5Dwrite(dataset.id, memoryType, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), values), file: file,
        operation: "writing /\(name)")
    try dataset.close(file: file)
}

/// Creates a chunked (`chunkRows` rows a chunk), deflated dataset `/<name>` of `shape`, not yet
/// written. Runs inside ``HDF5Library/run(_:)``.
func createDataset(
    named name: String, shape: [Int], chunkRows: Int, fileType: hid_t, in fileID: hid_t, file: String
) throws -> HDF5Handle {
    let operation = "writing /\(name)"
    var dims = shape.map { hsize_t($0) }
    var chunk = dims
    chunk[0] = hsize_t(chunkRows)
    let space = try HDF5Handle.checked(
        H5Screate_simple(Int32(dims.count), &dims, nil), closer: H5Sclose, file: file, operation: operation)
    let create = try HDF5Handle.checked(
        H5Pcreate(chdf5_p_dataset_create()), closer: H5Pclose, file: file, operation: operation)
    try HDF5Library.check(H5Pset_chunk(create.id, Int32(chunk.count), &chunk), file: file, operation: operation)
    try HDF5Library.check(H5Pset_deflate(create.id, 4), file: file, operation: operation)
    try HDF5Library.check(H5Pset_obj_track_times(create.id, false), file: file, operation: operation)
    return try HDF5Handle.checked(
        H5Dcreate2(fileID, name, fileType, space.id, chdf5_p_default(), create.id, chdf5_p_default()),
        closer: H5Dclose, file: file, operation: operation)
}
