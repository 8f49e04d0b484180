import CHDF5

/// An HDF5 file opened read-only.
///
/// ```swift
/// let file = try HDF5File(path: "spiral.h5")
/// for object in try file.objects() { print(object.path, object.shape ?? []) }
/// let features = try HDF5FeatureDataset(file: file, datasetPath: "/features").readAll()  // [N, D] as Float
/// let labels = try file.readLabels(at: "/labels")           // [N] as Int64
/// ```
///
/// The path is checked before libhdf5 sees it (exists, not a directory, readable, non-empty,
/// HDF5 signature) so each mistake gets its own ``HDF5Error``. The file stays open until the
/// value and every ``HDF5FeatureDataset`` made from it are gone. All methods may be called
/// from any thread; calls into libhdf5 are serialised (one process-wide lock).
public final class HDF5File: @unchecked Sendable {
    /// The path the file was opened with; errors name it.
    public let path: String
    /// The file identifier; immutable for the object's life.
    let handle: HDF5Handle

    /// Opens `path` read-only.
    ///
    /// - Throws: ``HDF5Error`` naming the file: no such file, a directory, permission denied,
    ///   empty, not HDF5, or damaged/truncated (with HDF5's error stack in one line);
    ///   ``FileSystemError/system(path:code:writing:existingKept:)`` when the system fails the
    ///   read (an I/O error).
    public init(path: String) throws {
        try HDF5FileCheck.checkReadable(path)
        self.path = path
        handle = try HDF5Library.run {
            let access = try HDF5Handle.checked(
                H5Pcreate(chdf5_p_file_access()), closer: H5Pclose, file: path, operation: "opening")
            // Use file locks where the file system has them; do not fail where it has none.
            _ = H5Pset_file_locking(access.id, true, true)
            let id = H5Fopen(path, chdf5_f_acc_rdonly(), access.id)
            guard id >= 0 else {
                let stack = HDF5Library.errorStackSummary()
                throw FileSystemError.reported(inErrorStack: stack, path: path)
                    ?? HDF5Error.unreadableFile(file: path, reason: stack)
            }
            return HDF5Handle(id, closer: H5Fclose)
        }
        DataAccessCounts.shared.add(fileOpens: 1)
    }

    // MARK: - Listing

    /// Every group, dataset and named datatype in the file, root first, then depth first in
    /// name order, with shape, element type, layout, chunks, filters and attributes.
    ///
    /// - Throws: ``HDF5Error/library(file:operation:reason:)`` when HDF5 cannot read the
    ///   file's structure.
    /// - Complexity: O(objects + attributes).
    public func objects() throws -> [HDF5ObjectInfo] {
        try HDF5Library.run {
            try visit().map { path, type in try describe(path: path, type: type) }
        }
    }

    /// The description of the one object at `objectPath`.
    ///
    /// - Throws: ``HDF5Error/noSuchDataset(file:path:datasets:)`` when nothing is there.
    public func object(at objectPath: String) throws -> HDF5ObjectInfo {
        try HDF5Library.run {
            let normalized = Self.normalize(objectPath)
            guard let type = try objectType(at: normalized) else {
                throw HDF5Error.noSuchDataset(file: path, path: normalized, datasets: try datasetPaths())
            }
            return try describe(path: normalized, type: type)
        }
    }

    /// The absolute paths of all datasets, in listing order.
    public func datasetPaths() throws -> [String] {
        try HDF5Library.run {
            try visit().filter { $0.type == H5O_TYPE_DATASET }.map(\.path)
        }
    }

    /// The attributes of the root group, in name order.
    public func rootAttributes() throws -> [HDF5Attribute] {
        try HDF5Library.run {
            try HDF5AttributeIO.readAll(of: handle.id, file: path, objectPath: "/")
        }
    }

    /// Absolute paths and object types of everything reachable from the root (hard links
    /// visited once).
    private func visit() throws -> [(path: String, type: H5O_type_t)] {
        var entries: [(path: String, type: H5O_type_t)] = []
        let status = withUnsafeMutablePointer(to: &entries) { pointer in
            chdf5_object_visit(handle.id, H5_INDEX_NAME, H5_ITER_INC, { _, name, info, context in
                guard let name, let info, let context else { return 0 }
                let list = context.assumingMemoryBound(to: [(path: String, type: H5O_type_t)].self)
                let relative = String(cString: name)
                list.pointee.append((relative == "." ? "/" : "/" + relative, info.pointee.type))
                return 0
            }, pointer, UInt32(H5O_INFO_BASIC))
        }
        try HDF5Library.check(status, file: path, operation: "listing the objects")
        return entries
    }

    /// The type of the object at the absolute `objectPath`, or `nil` when there is none
    /// (including missing intermediate groups and dangling links).
    func objectType(at objectPath: String) throws -> H5O_type_t? {
        var prefix = ""
        for component in objectPath.split(separator: "/") {
            prefix += "/" + component
            if H5Lexists(handle.id, prefix, chdf5_p_default()) <= 0 {
                _ = H5Eclear2(chdf5_e_default())
                return nil
            }
        }
        var info = chdf5_object_info()
        guard chdf5_object_get_info_by_name(handle.id, objectPath, &info, UInt32(H5O_INFO_BASIC), chdf5_p_default()) >= 0 else {
            _ = H5Eclear2(chdf5_e_default())
            return nil
        }
        return info.type
    }

    /// Describes one object. Runs inside ``HDF5Library/run(_:)``.
    private func describe(path objectPath: String, type: H5O_type_t) throws -> HDF5ObjectInfo {
        let operation = "reading '\(objectPath)'"
        switch type {
        case H5O_TYPE_DATASET:
            let dataset = try HDF5Handle.checked(
                H5Dopen2(handle.id, objectPath, chdf5_p_default()), closer: H5Dclose, file: path, operation: operation)
            let details = try HDF5DatasetDetails(datasetID: dataset.id, file: path, datasetPath: objectPath)
            return HDF5ObjectInfo(
                path: objectPath, kind: .dataset, shape: details.shape, elementType: details.elementType,
                layout: details.layout, chunkShape: details.chunkShape, filters: details.filters,
                attributes: try HDF5AttributeIO.readAll(of: dataset.id, file: path, objectPath: objectPath))
        case H5O_TYPE_GROUP, H5O_TYPE_NAMED_DATATYPE:
            let object = try HDF5Handle.checked(
                H5Oopen(handle.id, objectPath, chdf5_p_default()), closer: H5Oclose, file: path, operation: operation)
            var elementType: HDF5ElementType?
            if type == H5O_TYPE_NAMED_DATATYPE { elementType = HDF5ElementType(typeID: object.id) }
            return HDF5ObjectInfo(
                path: objectPath, kind: type == H5O_TYPE_GROUP ? .group : .datatype, elementType: elementType,
                attributes: try HDF5AttributeIO.readAll(of: object.id, file: path, objectPath: objectPath))
        default:
            return HDF5ObjectInfo(path: objectPath, kind: .other)
        }
    }

    /// `features` → `/features`, `/a//b/` → `/a/b`.
    package static func normalize(_ objectPath: String) -> String {
        "/" + objectPath.split(separator: "/").joined(separator: "/")
    }
}
