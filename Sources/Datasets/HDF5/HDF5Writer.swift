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
/// - Throws: ``HDF5Error/alreadyExists(file:)`` (the file is not touched),
///   ``HDF5Error/isDirectory(file:)``, ``HDF5Error/noSuchFolder(file:folder:)``,
///   ``HDF5Error/folderNotWritable(file:folder:)``, ``HDF5Error/invalidArgument(_:)`` for an
///   empty dataset, ``HDF5Error/library(file:operation:reason:)`` when HDF5 or the system fails.
/// - Complexity: O(N·D) plus the deflate time.
public func writeLabelledDataset(
    _ data: LabelledDataset, to path: String, attributes: [String: HDF5AttributeValue] = [:],
    overwrite: Bool = false
) throws {
    guard data.count > 0 else {
        throw HDF5Error.invalidArgument("\(path): nothing to write; the dataset has no rows, expected at least one")
    }
    try writeHDF5Atomically(to: path, overwrite: overwrite) { temporary in
        try writeContents(data, to: temporary, reportedAs: path, attributes: attributes)
    }
}

/// The atomic write behind every HDF5 file this package writes: checks the folder and the
/// target, removes stale temporaries, runs `write` on a fresh temporary path inside
/// ``HDF5Library/run(_:)``, `fsync`s it and publishes it as `path` (removing it on error).
func writeHDF5Atomically(to path: String, overwrite: Bool, _ write: (String) throws -> Void) throws {
    let (folder, name) = HDF5AtomicFile.split(path)
    guard !name.isEmpty, name != ".", name != ".." else {
        throw HDF5Error.invalidArgument("\(path) names a folder, expected a file name")
    }
    try HDF5AtomicFile.requireWritableFolder(folder, file: path)
    try HDF5AtomicFile.requireTarget(path, overwrite: overwrite)
    HDF5AtomicFile.removeStaleTemporaries(folder: folder, name: name)

    let temporary = HDF5AtomicFile.temporaryPath(folder: folder, name: name)
    do {
        try HDF5Library.run { try write(temporary) }
        try HDF5AtomicFile.sync(temporary, reportedAs: path)
        try HDF5AtomicFile.publish(temporary, as: path, overwrite: overwrite)
    } catch {
        unlink(temporary)
        throw error
    }
    HDF5AtomicFile.syncFolder(folder)
}

/// Creates `temporary` (exclusively, with file locking and without modification times, so the
/// same contents give the same bytes) for a write reported as `path`.
func createHDF5File(_ temporary: String, reportedAs path: String) throws -> HDF5Handle {
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

/// Writes `attributes` on the root group in name order, flushes and closes `file`.
func finishHDF5File(_ file: HDF5Handle, attributes: [String: HDF5AttributeValue], reportedAs path: String) throws {
    for name in attributes.keys.sorted() {
        guard let value = attributes[name] else { continue }
        try HDF5AttributeIO.write(value, named: name, on: file.id, file: path)
    }
    try HDF5Library.check(H5Fflush(file.id, H5F_SCOPE_GLOBAL), file: path, operation: "flushing")
    try file.close(file: path)
}

/// Creates `temporary` and writes the datasets and attributes; every handle is closed (and
/// the file closed, which flushes it) before returning. Runs inside ``HDF5Library/run(_:)``.
private func writeContents(
    _ data: LabelledDataset, to temporary: String, reportedAs path: String,
    attributes: [String: HDF5AttributeValue]
) throws {
    let file = try createHDF5File(temporary, reportedAs: path)
    let n = data.count
    let d = data.dimension
    let featureChunkRows = min(n, max(1, (64 << 10) / (d * MemoryLayout<Float>.size)))
    let labelChunkRows = min(n, (64 << 10) / MemoryLayout<Int64>.size)
    try data.features.withUnsafeBufferPointer { features in
        try writeDataset(
            named: "features", shape: [n, d], chunkRows: featureChunkRows, fileType: chdf5_t_ieee_f32le(),
            memoryType: chdf5_t_native_float(), values: UnsafeRawPointer(features.baseAddress), in: file.id,
            file: path)
    }
    try data.labels.withUnsafeBufferPointer { labels in
        try writeDataset(
            named: "labels", shape: [n], chunkRows: labelChunkRows, fileType: chdf5_t_std_i64le(),
            memoryType: chdf5_t_native_int32(), values: UnsafeRawPointer(labels.baseAddress), in: file.id,
            file: path)
    }
    try finishHDF5File(file, attributes: attributes, reportedAs: path)
}

/// One chunked, deflated dataset, written whole from `values` (converted from `memoryType`).
func writeDataset(
    named name: String, shape: [Int], chunkRows: Int, fileType: hid_t, memoryType: hid_t,
    values: UnsafeRawPointer?, in fileID: hid_t, file: String
) throws {
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
    let dataset = try HDF5Handle.checked(
        H5Dcreate2(fileID, name, fileType, space.id, chdf5_p_default(), create.id, chdf5_p_default()),
        closer: H5Dclose, file: file, operation: operation)
    try HDF5Library.check(
        H5Dwrite(dataset.id, memoryType, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), values), file: file,
        operation: operation)
    try dataset.close(file: file)
}
