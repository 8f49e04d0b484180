import CHDF5

/// Owns one HDF5 identifier (file, dataset, dataspace, datatype, property list, attribute,
/// group or object) and releases it exactly once: explicitly with ``close()`` or when the
/// handle is deallocated.
///
/// A handle is used by one owner at a time; the identifier itself is only touched inside
/// ``HDF5Library/run(_:)``.
final class HDF5Handle: @unchecked Sendable {
    /// The libhdf5 function that releases this kind of identifier.
    typealias Closer = @convention(c) (hid_t) -> herr_t

    /// The identifier; valid until the handle is closed.
    let id: hid_t
    private let closer: Closer
    private var isOpen = true

    /// Takes ownership of `id`, which must be valid.
    init(_ id: hid_t, closer: @escaping Closer) {
        self.id = id
        self.closer = closer
    }

    /// Takes ownership of `id`, or throws the HDF5 error stack when `id` is invalid.
    /// Call inside ``HDF5Library/run(_:)``.
    static func checked(
        _ id: hid_t, closer: @escaping Closer, file: String, operation: @autoclosure () -> String
    ) throws -> HDF5Handle {
        HDF5Handle(try HDF5Library.check(id, file: file, operation: operation()), closer: closer)
    }

    /// Releases the identifier now, reporting failure (for files: the final flush).
    func close(file: String) throws {
        guard isOpen else { return }
        isOpen = false
        try HDF5Library.run {
            try HDF5Library.check(closer(id), file: file, operation: "closing")
        }
    }

    deinit {
        if isOpen {
            let id = self.id
            let closer = self.closer
            HDF5Library.run { _ = closer(id) }
        }
    }
}
