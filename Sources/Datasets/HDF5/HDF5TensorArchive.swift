import CHDF5

/// A named Float32 tensor of rank 1 or 2, row-major: what a model's parameters are on disk.
public struct NamedTensor: Sendable, Equatable {
    /// The name, e.g. `"0.weight"` (no `/`).
    public var name: String
    /// The shape: `[n]` or `[rows, columns]`.
    public var shape: [Int]
    /// `shape.reduce(1, *)` values, row-major.
    public var values: [Float]

    /// A tensor.
    ///
    /// - Parameters:
    ///   - name: The name (no `/`).
    ///   - shape: One or two positive sizes.
    ///   - values: As many values as the shape holds.
    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// Named Float32 tensors with root attributes: the file format of a saved model (one
/// dataset per tensor, at the root, named as the tensor), independent of what the tensors mean.
public struct TensorArchive: Sendable, Equatable {
    /// The tensors, in the order they were given (files list them in name order).
    public var tensors: [NamedTensor]
    /// Root attributes.
    public var attributes: [String: HDF5AttributeValue]

    /// An archive.
    public init(tensors: [NamedTensor], attributes: [String: HDF5AttributeValue]) {
        self.tensors = tensors
        self.attributes = attributes
    }

    /// The tensor called `name`, if any.
    public func tensor(named name: String) -> NamedTensor? {
        tensors.first { $0.name == name }
    }
}

/// Writes `archive` as HDF5: each tensor a float32 LE dataset `/<name>` of its shape (chunked
/// whole, deflated), the attributes on the root group (see ``writeLabelledDataset(_:to:attributes:overwrite:)``
/// for their types). h5py reads it as `f["0.weight"][...]`, `dict(f.attrs)`.
///
/// Atomic like every write of this package: a temporary file next to `path`, `fsync`ed and
/// renamed, so a crash never leaves half a file; an existing file is kept unless `overwrite`.
///
/// - Parameters:
///   - archive: At least one tensor; names non-empty, unique, without `/`; shapes of rank 1
///     or 2 with positive sizes matching the value counts.
///   - path: The file to write.
///   - overwrite: Replace an existing file.
/// - Throws: ``HDF5Error/invalidArgument(_:)`` for a bad tensor (naming it),
///   ``FileSystemError/exists(path:)`` and the other errors of ``writeLabelledDataset(_:to:attributes:overwrite:)``.
/// - Complexity: O(total values) plus the deflate time.
public func writeTensorArchive(_ archive: TensorArchive, to path: String, overwrite: Bool = false) throws {
    guard !archive.tensors.isEmpty else {
        throw HDF5Error.invalidArgument("\(path): nothing to write; the archive has no tensors, expected at least one")
    }
    var names = Set<String>()
    for tensor in archive.tensors {
        guard !tensor.name.isEmpty, !tensor.name.contains("/"), names.insert(tensor.name).inserted else {
            throw HDF5Error.invalidArgument("\(path): tensor name '\(tensor.name)' is empty, holds a '/' or is repeated; expected unique names without '/'")
        }
        guard (1...2).contains(tensor.shape.count), tensor.shape.allSatisfy({ $0 >= 1 }),
              tensor.shape.reduce(1, *) == tensor.values.count else {
            throw HDF5Error.invalidArgument("\(path): tensor '\(tensor.name)' has shape \(tensor.shape) and \(tensor.values.count) values; expected a shape of 1 or 2 positive sizes holding that many values")
        }
    }
    try writeAtomically(to: path, overwrite: overwrite) { temporary in
        try writeFile(temporary, reportedAs: path, attributes: archive.attributes) { file in
            for tensor in archive.tensors {
                try tensor.values.withUnsafeBufferPointer { values in
                    try writeDataset(
                        named: tensor.name, shape: tensor.shape, chunkRows: tensor.shape[0], fileType: chdf5_t_ieee_f32le(),
                        memoryType: chdf5_t_native_float(), values: UnsafeRawPointer(values.baseAddress), in: file,
                        file: path)
                }
            }
        }
    }
}

/// Reads every dataset of an HDF5 file as a named Float32 tensor, with the root attributes
/// (the inverse of ``writeTensorArchive(_:to:overwrite:)``; any numeric type is converted).
///
/// - Parameters:
///   - path: The file.
///   - check: Called with the root attributes before any tensor is read; what it throws is
///     thrown as is, so a file that is not the archive the caller expects (a large features
///     file, say) is refused without reading its datasets.
/// - Returns: The tensors in name order (names without the leading `/`) and the attributes
///   this package can read (others are left out).
/// - Throws: ``HDF5Error`` naming the file: not there, not HDF5, damaged; a dataset that is
///   not numeric, not of rank 1 or 2, or empty; whatever `check` throws.
/// - Complexity: O(total values).
public func readTensorArchive(
    from path: String, checkingAttributes check: ([String: HDF5AttributeValue]) throws -> Void = { _ in }
) throws -> TensorArchive {
    let file = try HDF5File(path: path)
    var attributes = [String: HDF5AttributeValue]()
    for attribute in try file.rootAttributes() {
        if let value = attribute.value { attributes[attribute.name] = value }
    }
    try check(attributes)
    var tensors = [NamedTensor]()
    for object in try file.objects() where object.kind == .dataset {
        let shape = object.shape ?? []
        guard (1...2).contains(shape.count) else {
            throw HDF5Error.wrongRank(file: path, dataset: object.path, shape: shape, expected: "a tensor of rank 1 or 2")
        }
        let matrix = try file.readFeatures(at: object.path)
        tensors.append(NamedTensor(name: String(object.path.drop { $0 == "/" }), shape: shape, values: matrix.values))
    }
    return TensorArchive(tensors: tensors, attributes: attributes)
}
