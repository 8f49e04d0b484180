import CHDF5

/// The element type of an HDF5 dataset or attribute, as far as this package cares.
///
/// Its description is the short name `datatool inspect` prints: `float32 LE`, `int16 BE`,
/// `uint8` (single bytes have no byte order), `string`, `compound`, `enum`, …
public enum HDF5ElementType: Sendable, Equatable, CustomStringConvertible {
    /// Byte order of a multi-byte number.
    public enum ByteOrder: String, Sendable, Equatable {
        /// Least significant byte first.
        case littleEndian = "LE"
        /// Most significant byte first.
        case bigEndian = "BE"
        /// Single bytes, or an order HDF5 calls "VAX" or "mixed".
        case none = ""
    }

    /// A two's-complement or unsigned integer of `bytes` bytes.
    case integer(signed: Bool, bytes: Int, order: ByteOrder)
    /// An IEEE-style float of `bytes` bytes (2, 4, 8, …).
    case float(bytes: Int, order: ByteOrder)
    /// A fixed- or variable-length string.
    case string
    /// A compound (struct) type.
    case compound
    /// An enumeration.
    case enumeration
    /// Anything else: `array`, `vlen`, `opaque`, `bitfield`, `reference`, `time`.
    case other(String)

    /// True for integers and floats: the types features may hold.
    public var isNumeric: Bool {
        switch self {
        case .integer, .float: return true
        default: return false
        }
    }

    /// True for integers: the types labels may hold.
    public var isInteger: Bool {
        if case .integer = self { return true }
        return false
    }

    /// The short name: `float32 LE`, `int16 BE`, `uint8`, `string`, `compound`, `enum`, ….
    public var description: String {
        switch self {
        case .integer(let signed, let bytes, let order):
            return Self.join((signed ? "int" : "uint") + String(bytes * 8), bytes > 1 ? order : .none)
        case .float(let bytes, let order):
            return Self.join("float" + String(bytes * 8), bytes > 1 ? order : .none)
        case .string: return "string"
        case .compound: return "compound"
        case .enumeration: return "enum"
        case .other(let name): return name
        }
    }

    private static func join(_ base: String, _ order: ByteOrder) -> String {
        order == .none ? base : base + " " + order.rawValue
    }

    /// Describes the HDF5 datatype `typeID`. Call inside ``HDF5Library/run(_:)``.
    init(typeID: hid_t) {
        let size = Int(H5Tget_size(typeID))
        let order: ByteOrder
        switch H5Tget_order(typeID) {
        case H5T_ORDER_LE: order = .littleEndian
        case H5T_ORDER_BE: order = .bigEndian
        default: order = .none
        }
        switch H5Tget_class(typeID) {
        case H5T_INTEGER:
            self = .integer(signed: H5Tget_sign(typeID) != H5T_SGN_NONE, bytes: size, order: order)
        case H5T_FLOAT:
            self = .float(bytes: size, order: order)
        case H5T_STRING:
            self = .string
        case H5T_COMPOUND:
            self = .compound
        case H5T_ENUM:
            self = .enumeration
        case H5T_ARRAY:
            self = .other("array")
        case H5T_VLEN:
            self = .other("vlen")
        case H5T_OPAQUE:
            self = .other("opaque")
        case H5T_BITFIELD:
            self = .other("bitfield")
        case H5T_REFERENCE:
            self = .other("reference")
        case H5T_TIME:
            self = .other("time")
        default:
            self = .other("unknown")
        }
    }
}
