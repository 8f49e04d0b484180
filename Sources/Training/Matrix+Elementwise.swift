// In-place elementwise updates, vectorised, for layers and optimizers.

extension Matrix {
    /// Sets every element to `value`.
    ///
    /// - Complexity: O(count).
    public mutating func fill(with value: Float) {
        storage.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            base.update(repeating: value, count: buffer.count)
        }
    }

    /// Makes this matrix an independent copy of `other` (same shape and values), reusing this
    /// matrix's buffer instead of sharing `other`'s.
    ///
    /// Sharing would be free now but make the next in-place write to either matrix copy the
    /// whole buffer; a layer that caches its input copies it once instead.
    ///
    /// - Complexity: O(count), no allocation once this matrix has the capacity.
    public mutating func copy(from other: Matrix) {
        reshape(rows: other.rows, columns: other.columns)
        let n = count
        guard n > 0 else { return }
        other.storage.withUnsafeBufferPointer { source in
            storage.withUnsafeMutableBufferPointer { destination in
                guard let s = source.baseAddress, let d = destination.baseAddress else { return }
                VectorKernels.copy(n, s, d)
            }
        }
    }

    /// `self += other`, elementwise.
    ///
    /// - Precondition: Same shape.
    /// - Complexity: O(count).
    public mutating func add(_ other: Matrix) {
        add(other, scaledBy: 1)
    }

    /// `self += scale · other`, elementwise (an "axpy").
    ///
    /// - Precondition: Same shape.
    /// - Complexity: O(count).
    public mutating func add(_ other: Matrix, scaledBy scale: Float) {
        precondition(rows == other.rows && columns == other.columns,
                     "adding a \(other.rows)×\(other.columns) matrix to a \(rows)×\(columns) one")
        combine(with: other) { n, s, d in
            if scale == 1 {
                VectorKernels.add(n, s, d)
            } else {
                VectorKernels.axpy(n, scale, s, d)
            }
        }
    }

    /// `self *= scale`, elementwise.
    ///
    /// - Complexity: O(count).
    public mutating func scale(by scale: Float) {
        let n = count
        storage.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            VectorKernels.scale(n, scale, base)
        }
    }

    /// `self ⊙= other` (Hadamard product), elementwise.
    ///
    /// - Precondition: Same shape.
    /// - Complexity: O(count).
    public mutating func multiplyElementwise(by other: Matrix) {
        precondition(rows == other.rows && columns == other.columns,
                     "multiplying a \(rows)×\(columns) matrix by a \(other.rows)×\(other.columns) one")
        combine(with: other) { n, s, d in
            var j = 0
            while j + 8 <= n {
                VectorKernels.store(VectorKernels.load(d + j) * VectorKernels.load(s + j), d + j)
                j += 8
            }
            while j < n {
                d[j] *= s[j]
                j += 1
            }
        }
    }

    /// Runs `body(count, other's values, self's values)` on the two buffers; nothing when empty.
    private mutating func combine(
        with other: Matrix, _ body: (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let n = count
        guard n > 0 else { return }
        other.storage.withUnsafeBufferPointer { source in
            storage.withUnsafeMutableBufferPointer { destination in
                guard let s = source.baseAddress, let d = destination.baseAddress else { return }
                body(n, s, d)
            }
        }
    }

    /// Adds `row` to every row (broadcast over rows): `self[i, j] += row[j]`, the bias add of
    /// a linear layer.
    ///
    /// - Parameter row: `columns` values (any shape with that many elements, usually `[1, columns]`).
    /// - Precondition: `row.count == columns`.
    /// - Complexity: O(rows·columns).
    public mutating func addRowVector(_ row: Matrix) {
        precondition(row.count == columns, "broadcasting \(row.count) values over \(columns) columns")
        let m = rows, n = columns
        guard m > 0, n > 0 else { return }
        row.storage.withUnsafeBufferPointer { source in
            storage.withUnsafeMutableBufferPointer { destination in
                guard let s = source.baseAddress, let d = destination.baseAddress else { return }
                for i in 0..<m {
                    VectorKernels.add(n, s, d + i * n)
                }
            }
        }
    }
}
