/// What the sanity checks of ``HDF5FileGuards`` found wrong with a file: values that a
/// damaged file claims and that would make libhdf5 or this package misbehave (read past a
/// buffer, allocate terabytes, loop for hours) if they were acted on. Each description names
/// the file, the dataset and what was expected, in one line:
///
///     /tmp/x.h5: '/labels' claims 1000000000000000 rows of 8 bytes (8.0 PB), more than this machine's memory (23.4 GB)
///     /tmp/x.h5: '/labels' is chunked [56] over [2147483648] and needs 38347923 chunks, but the file stores 1; the file is damaged (or the dataset was never fully written)
public enum HDF5GuardError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A dimension that does not fit in `Int` (HDF5 sizes are unsigned 64-bit).
    case dimensionTooLarge(file: String, object: String, dimension: UInt64)
    /// The product of the dimensions (times the element size) overflows 64 bits.
    case shapeTooLarge(file: String, dataset: String, shape: [Int], elementSize: Int)
    /// A numeric element size outside 1…16 bytes.
    case implausibleElementSize(file: String, dataset: String, size: Int)
    /// Chunk dimensions that do not match the dataset, are zero, or make a chunk of 4 GiB or
    /// more (libhdf5's own limit).
    case implausibleChunks(file: String, dataset: String, shape: [Int], chunkShape: [Int]?, elementSize: Int)
    /// A compact or contiguous dataset whose stored bytes are fewer than its shape needs.
    case storageTooSmall(file: String, dataset: String, shape: [Int], neededBytes: Int, storedBytes: UInt64)
    /// A chunked dataset that stores fewer chunks than its shape needs.
    case missingChunks(file: String, dataset: String, shape: [Int], chunkShape: [Int], needed: Int, stored: UInt64)
    /// Reading would allocate more than the process can have.
    case exceedsMemory(file: String, dataset: String, what: String, bytes: Int, limit: Int, limitSource: String)
    /// The largest label implies more classes than there are rows.
    case tooManyClasses(file: String, dataset: String, row: Int, label: Int64, rowCount: Int)

    /// One line naming the file, the dataset and what was expected.
    public var description: String {
        switch self {
        case .dimensionTooLarge(let file, let object, let dimension):
            return "\(file): '\(object)' has a dimension of \(dimension), beyond any real size (at most \(Int.max)); the file is damaged"
        case .shapeTooLarge(let file, let dataset, let shape, let elementSize):
            return "\(file): '\(dataset)' claims shape \(HDF5Error.format(shape)) of \(elementSize)-byte elements, more bytes than 64 bits can count; the file is damaged"
        case .implausibleElementSize(let file, let dataset, let size):
            return "\(file): '\(dataset)' claims numbers of \(size) bytes each, expected 1 to 16; the file is damaged"
        case .implausibleChunks(let file, let dataset, let shape, let chunkShape, let elementSize):
            let chunks = chunkShape.map { HDF5Error.format($0) } ?? "none"
            return "\(file): '\(dataset)' has shape \(HDF5Error.format(shape)) and chunks \(chunks) of \(elementSize)-byte elements; expected one positive chunk size per dimension and chunks under 4 GiB; the file is damaged"
        case .storageTooSmall(let file, let dataset, let shape, let needed, let stored):
            return "\(file): '\(dataset)' has shape \(HDF5Error.format(shape)), which needs \(needed) bytes (\(Self.bytesText(needed))), but the file stores \(stored); the file is damaged (or the dataset was never written)"
        case .missingChunks(let file, let dataset, let shape, let chunkShape, let needed, let stored):
            return "\(file): '\(dataset)' is chunked \(HDF5Error.format(chunkShape)) over \(HDF5Error.format(shape)) and needs \(needed) chunks, but the file stores \(stored); the file is damaged (or the dataset was never fully written)"
        case .exceedsMemory(let file, let dataset, let what, let bytes, let limit, let source):
            return "\(file): reading '\(dataset)' needs \(what) (\(Self.bytesText(bytes))), more than \(source) (\(Self.bytesText(limit))); expected a dataset that fits in memory"
        case .tooManyClasses(let file, let dataset, let row, let label, let rowCount):
            return "\(file): '\(dataset)' row \(row) has label \(label), which makes \(label + 1) classes for \(rowCount) rows; expected class indices 0..<K with K at most the number of rows (give the number of classes explicitly if empty classes are intended)"
        }
    }

    /// `8.0 PB`, `23.4 GB`, `512 bytes`.
    static func bytesText(_ bytes: Int) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        return String(Int((value * 10).rounded()) / 10) + "." + String(Int((value * 10).rounded()) % 10) + " " + units[unit]
    }
}
