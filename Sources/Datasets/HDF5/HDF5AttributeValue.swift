/// The value of an HDF5 attribute this package reads and writes: numeric scalars and
/// one-dimensional arrays, and strings.
///
/// Integers of any width are read as `Int` (unsigned values above `Int.max` are clipped),
/// floats of any width as `Double`.
public enum HDF5AttributeValue: Sendable, Equatable, CustomStringConvertible {
    /// A scalar integer (written as int64 LE).
    case int(Int)
    /// A scalar float (written as float64 LE).
    case double(Double)
    /// A string (written as variable-length UTF-8).
    case string(String)
    /// A one-dimensional integer array (written as int64 LE).
    case intArray([Int])
    /// A one-dimensional float array (written as float64 LE).
    case doubleArray([Double])

    /// `3`, `0.125`, `"spiral"`, `[1000, 100, 10]`.
    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return "\"" + value + "\""
        case .intArray(let values): return "[" + values.map(String.init).joined(separator: ", ") + "]"
        case .doubleArray(let values): return "[" + values.map { String($0) }.joined(separator: ", ") + "]"
        }
    }
}

/// An attribute as found in a file: its name, its type and shape in words, and its value when
/// it is one ``HDF5AttributeValue`` can hold.
public struct HDF5Attribute: Sendable, Equatable {
    /// The attribute's name.
    public let name: String
    /// Element type and shape, e.g. `int32 LE [3]`, `string`, `compound [2]`.
    public let typeDescription: String
    /// The value, or `nil` for types this package does not read (compounds, string arrays, …).
    public let value: HDF5AttributeValue?

    /// Creates an attribute description.
    init(name: String, typeDescription: String, value: HDF5AttributeValue?) {
        self.name = name
        self.typeDescription = typeDescription
        self.value = value
    }
}
