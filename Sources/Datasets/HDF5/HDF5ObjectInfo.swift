/// One group, dataset or named datatype of an HDF5 file, as listed by ``HDF5File/objects()``.
public struct HDF5ObjectInfo: Sendable, Equatable {
    /// What kind of object this is.
    public enum Kind: String, Sendable, Equatable {
        /// A group (the root is one).
        case group
        /// A dataset.
        case dataset
        /// A named (committed) datatype.
        case datatype
        /// Anything else HDF5 may report.
        case other
    }

    /// How a dataset's values are stored.
    public enum Layout: String, Sendable, Equatable {
        /// Stored in the object header (small datasets).
        case compact
        /// One contiguous block in the file.
        case contiguous
        /// Split into chunks, which may be filtered (compressed).
        case chunked
        /// Mapped from other datasets.
        case virtual
    }

    /// The absolute path, `/` for the root group.
    public let path: String
    /// Group, dataset, ….
    public let kind: Kind
    /// A dataset's dimensions (`[]` for a scalar); `nil` for groups.
    public let shape: [Int]?
    /// A dataset's element type; `nil` for groups.
    public let elementType: HDF5ElementType?
    /// A dataset's storage layout; `nil` for groups.
    public let layout: Layout?
    /// A chunked dataset's chunk dimensions; `nil` otherwise.
    public let chunkShape: [Int]?
    /// A dataset's filter pipeline, in the order applied on write; empty for groups.
    public let filters: [HDF5Filter]
    /// The object's attributes, in name order.
    public let attributes: [HDF5Attribute]

    /// Creates an object description.
    init(
        path: String, kind: Kind, shape: [Int]? = nil, elementType: HDF5ElementType? = nil,
        layout: Layout? = nil, chunkShape: [Int]? = nil, filters: [HDF5Filter] = [],
        attributes: [HDF5Attribute] = []
    ) {
        self.path = path
        self.kind = kind
        self.shape = shape
        self.elementType = elementType
        self.layout = layout
        self.chunkShape = chunkShape
        self.filters = filters
        self.attributes = attributes
    }
}
