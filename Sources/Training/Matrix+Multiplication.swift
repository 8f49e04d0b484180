// Matrix products into a caller-owned destination. The destination is reshaped in place (no
// allocation once its buffer has grown to the largest size used), so a layer can keep one
// buffer per product across training steps.

extension Matrix {
    /// Computes `C = A·B`, or `C += A·B` when `accumulate` is true.
    ///
    /// Loops run in i-k-j order: each output row is built from `A[i, k] · B[k, :]` row updates,
    /// which read `B` and write `C` contiguously, eight lanes at a time.
    ///
    /// - Parameters:
    ///   - a: The left factor, `[M, K]`.
    ///   - b: The right factor, `[K, N]`.
    ///   - c: The destination. Without `accumulate` it is reshaped to `[M, N]` and overwritten;
    ///     with `accumulate` it must already be `[M, N]`.
    ///   - accumulate: Add the product to `c` instead of overwriting it.
    /// - Precondition: `a.columns == b.rows` (a programming error otherwise).
    /// - Complexity: O(M·K·N) time, no allocation once `c` has the capacity.
    public static func multiply(_ a: Matrix, _ b: Matrix, into c: inout Matrix, accumulate: Bool = false) {
        precondition(a.columns == b.rows, "A·B needs A.columns (\(a.columns)) == B.rows (\(b.rows))")
        let m = a.rows, kCount = a.columns, n = b.columns
        c.prepareDestination(rows: m, columns: n, accumulate: accumulate)
        guard m > 0, n > 0 else { return }
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    guard let cBase = cp.baseAddress else { return }
                    if !accumulate { cBase.update(repeating: 0, count: m * n) }
                    guard let aBase = ap.baseAddress, let bBase = bp.baseAddress else { return }
                    for i in 0..<m {
                        let row = cBase + i * n
                        let aRow = aBase + i * kCount
                        for k in 0..<kCount {
                            VectorKernels.axpy(n, aRow[k], bBase + k * n, row)
                        }
                    }
                }
            }
        }
    }

    /// Computes `C = A·Bᵀ`, or `C += A·Bᵀ` when `accumulate` is true.
    ///
    /// Each element is a dot product of a row of `A` with a row of `B`, both contiguous; this is
    /// the fast form when the shared dimension `K` is long (a layer's forward pass `x·Wᵀ` with
    /// many input features).
    ///
    /// - Parameters:
    ///   - a: The left factor, `[M, K]`.
    ///   - b: The matrix whose transpose is the right factor, `[N, K]`.
    ///   - c: The destination, reshaped to `[M, N]` (must already be `[M, N]` with `accumulate`).
    ///   - accumulate: Add the product to `c` instead of overwriting it.
    /// - Precondition: `a.columns == b.columns`.
    /// - Complexity: O(M·K·N) time, no allocation once `c` has the capacity.
    public static func multiply(_ a: Matrix, transposing b: Matrix, into c: inout Matrix, accumulate: Bool = false) {
        precondition(a.columns == b.columns, "A·Bᵀ needs A.columns (\(a.columns)) == B.columns (\(b.columns))")
        let m = a.rows, kCount = a.columns, n = b.rows
        c.prepareDestination(rows: m, columns: n, accumulate: accumulate)
        guard m > 0, n > 0 else { return }
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    guard let cBase = cp.baseAddress else { return }
                    guard let aBase = ap.baseAddress, let bBase = bp.baseAddress else {
                        // K == 0: the product is all zeros.
                        if !accumulate { cBase.update(repeating: 0, count: m * n) }
                        return
                    }
                    for i in 0..<m {
                        let aRow = aBase + i * kCount
                        let row = cBase + i * n
                        for j in 0..<n {
                            let value = VectorKernels.dot(kCount, aRow, bBase + j * kCount)
                            row[j] = accumulate ? row[j] + value : value
                        }
                    }
                }
            }
        }
    }

    /// Computes `C = Aᵀ·B`, or `C += Aᵀ·B` when `accumulate` is true.
    ///
    /// Each output row `i` is built from `A[k, i] · B[k, :]` row updates over `k`, contiguous
    /// in `B` and `C`; this is the form of a weight gradient `dYᵀ·X`.
    ///
    /// - Parameters:
    ///   - a: The matrix whose transpose is the left factor, `[K, M]`.
    ///   - b: The right factor, `[K, N]`.
    ///   - c: The destination, reshaped to `[M, N]` (must already be `[M, N]` with `accumulate`).
    ///   - accumulate: Add the product to `c` instead of overwriting it.
    /// - Precondition: `a.rows == b.rows`.
    /// - Complexity: O(M·K·N) time, no allocation once `c` has the capacity.
    public static func multiply(transposing a: Matrix, _ b: Matrix, into c: inout Matrix, accumulate: Bool = false) {
        precondition(a.rows == b.rows, "Aᵀ·B needs A.rows (\(a.rows)) == B.rows (\(b.rows))")
        let m = a.columns, kCount = a.rows, n = b.columns
        c.prepareDestination(rows: m, columns: n, accumulate: accumulate)
        guard m > 0, n > 0 else { return }
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    guard let cBase = cp.baseAddress else { return }
                    if !accumulate { cBase.update(repeating: 0, count: m * n) }
                    guard let aBase = ap.baseAddress, let bBase = bp.baseAddress else { return }
                    for i in 0..<m {
                        let row = cBase + i * n
                        for k in 0..<kCount {
                            VectorKernels.axpy(n, aBase[k * m + i], bBase + k * n, row)
                        }
                    }
                }
            }
        }
    }

    /// Writes the transpose of this matrix into `result`, reshaping it to `[columns, rows]`.
    ///
    /// - Parameter result: The destination; its previous contents are overwritten.
    /// - Complexity: O(rows·columns), no allocation once `result` has the capacity.
    public func transpose(into result: inout Matrix) {
        let m = rows, n = columns
        result.reshape(rows: n, columns: m)
        guard m > 0, n > 0 else { return }
        storage.withUnsafeBufferPointer { source in
            result.storage.withUnsafeMutableBufferPointer { destination in
                guard let s = source.baseAddress, let d = destination.baseAddress else { return }
                for i in 0..<m {
                    let sourceRow = s + i * n
                    for j in 0..<n {
                        d[j * m + i] = sourceRow[j]
                    }
                }
            }
        }
    }

    /// `A·B` as a new matrix (allocates; for tests and one-off use — hot paths use
    /// ``multiply(_:_:into:accumulate:)``).
    ///
    /// - Precondition: `lhs.columns == rhs.rows`.
    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
        var result = Matrix(rows: 0, columns: 0)
        multiply(lhs, rhs, into: &result)
        return result
    }

    /// Reshapes a product's destination, or checks its shape when the product is accumulated.
    @inline(__always)
    mutating func prepareDestination(rows: Int, columns: Int, accumulate: Bool) {
        if accumulate {
            precondition(self.rows == rows && self.columns == columns,
                         "accumulating into a \(self.rows)×\(self.columns) matrix, expected \(rows)×\(columns)")
        } else {
            reshape(rows: rows, columns: columns)
        }
    }
}
