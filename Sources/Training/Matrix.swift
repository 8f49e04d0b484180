/// A dense row-major `Float` matrix in one contiguous buffer: element `(r, c)` is
/// `storage[r * columns + c]`.
///
/// The type behind activations, logits, weights and gradients in `Training`. It is a value type
/// (copy on write through `Array`); hot loops work on its buffer with
/// `withUnsafeBufferPointer` / `withUnsafeMutableBufferPointer`.
public struct Matrix: Sendable, Equatable {
    /// Number of rows.
    public private(set) var rows: Int
    /// Number of columns.
    public private(set) var columns: Int
    /// `rows * columns` values, row-major.
    public var storage: [Float]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](repeating: value, count: rows * columns)
    }

    /// A `rows × columns` matrix over `storage` (row-major, `rows * columns` values).
    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(storage.count == rows * columns, "storage holds \(storage.count) values, expected \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from nested rows (for tests and small literals; all rows the same length).
    public init(_ nested: [[Float]]) {
        let columns = nested.first?.count ?? 0
        precondition(nested.allSatisfy { $0.count == columns }, "rows differ in length")
        self.init(rows: nested.count, columns: columns, storage: nested.flatMap { $0 })
    }

    /// `rows * columns`.
    public var count: Int { storage.count }

    /// Element `(row, column)`.
    @inlinable
    public subscript(row: Int, column: Int) -> Float {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// Changes the shape to `rows × columns`, reusing the buffer's capacity; contents become
    /// unspecified. Used to keep per-batch buffers allocated across batches.
    public mutating func reshape(rows: Int, columns: Int) {
        let needed = rows * columns
        if storage.count != needed {
            if storage.count > needed {
                storage.removeLast(storage.count - needed)
            } else {
                storage.append(contentsOf: repeatElement(0, count: needed - storage.count))
            }
        }
        self.rows = rows
        self.columns = columns
    }
}
