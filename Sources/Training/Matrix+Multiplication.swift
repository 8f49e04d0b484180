// Matrix products into a caller-owned destination. The destination is reshaped in place (no
// allocation once its buffer has grown to the largest size used), so a layer can keep one
// buffer per product across training steps.

extension Matrix {
    /// How a product treats its destination's previous contents.
    enum ProductMode {
        /// Overwrite: `C = product`.
        case overwrite
        /// Accumulate: `C += product`.
        case accumulate
        /// Overwrite with a row vector broadcast over the rows added: `C = product + 1·biasᵀ`.
        case addingRow(Matrix)
    }

    /// An elementwise step fused into a product's stores (see ``ProductEpilogue``).
    enum ProductFusion {
        /// Nothing.
        case none
        /// ReLU of the result.
        case relu
        /// The result where `output > 0`, else 0: ReLU's backward given its output.
        case reluBackward(output: Matrix)
    }

    /// Computes `C = A·B`, or `C += A·B` when `accumulate` is true.
    ///
    /// Each block of 32 output columns of a row is accumulated in registers over all of `K`
    /// (`C[i, j…] += A[i, k]·B[k, j…]`, reading rows of `B` contiguously) and stored once.
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
        multiply(a, b, into: &c, mode: accumulate ? .accumulate : .overwrite)
    }

    /// Computes `C = A·Bᵀ`, or `C += A·Bᵀ` when `accumulate` is true.
    ///
    /// Each element is a dot product of a row of `A` with a row of `B`, both contiguous, four
    /// rows of `B` at a time; the fast form when the shared dimension `K` is long and the
    /// output narrow (a layer's forward pass `x·Wᵀ` into few outputs).
    ///
    /// - Parameters:
    ///   - a: The left factor, `[M, K]`.
    ///   - b: The matrix whose transpose is the right factor, `[N, K]`.
    ///   - c: The destination, reshaped to `[M, N]` (must already be `[M, N]` with `accumulate`).
    ///   - accumulate: Add the product to `c` instead of overwriting it.
    /// - Precondition: `a.columns == b.columns`.
    /// - Complexity: O(M·K·N) time, no allocation once `c` has the capacity.
    public static func multiply(_ a: Matrix, transposing b: Matrix, into c: inout Matrix, accumulate: Bool = false) {
        multiply(a, transposing: b, into: &c, mode: accumulate ? .accumulate : .overwrite)
    }

    /// Computes `C = Aᵀ·B`, or `C += Aᵀ·B` when `accumulate` is true.
    ///
    /// Like ``multiply(_:_:into:accumulate:)`` with `A` read down its columns: the form of a
    /// weight gradient `dYᵀ·X`.
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
        runProduct(a, b, &c, m: m, n: n, mode: accumulate ? .accumulate : .overwrite, fusion: .none) {
            ap, bp, cp, start, epilogue in
            ProductKernels.multiply(m: m, n: n, kCount: kCount, a: ap, rowStride: 1, columnStride: m,
                                    b: bp, c: cp, start: start, epilogue: epilogue)
        }
    }

    /// `A·B` with the destination handled per `mode` and `fusion` applied to the result.
    static func multiply(_ a: Matrix, _ b: Matrix, into c: inout Matrix, mode: ProductMode,
                         fusion: ProductFusion = .none) {
        precondition(a.columns == b.rows, "A·B needs A.columns (\(a.columns)) == B.rows (\(b.rows))")
        let m = a.rows, kCount = a.columns, n = b.columns
        c.prepareDestination(rows: m, columns: n, mode: mode)
        runProduct(a, b, &c, m: m, n: n, mode: mode, fusion: fusion) { ap, bp, cp, start, epilogue in
            ProductKernels.multiply(m: m, n: n, kCount: kCount, a: ap, rowStride: kCount, columnStride: 1,
                                    b: bp, c: cp, start: start, epilogue: epilogue)
        }
    }

    /// `A·Bᵀ` with the destination handled per `mode`.
    static func multiply(_ a: Matrix, transposing b: Matrix, into c: inout Matrix, mode: ProductMode) {
        precondition(a.columns == b.columns, "A·Bᵀ needs A.columns (\(a.columns)) == B.columns (\(b.columns))")
        let m = a.rows, kCount = a.columns, n = b.rows
        c.prepareDestination(rows: m, columns: n, mode: mode)
        runProduct(a, b, &c, m: m, n: n, mode: mode, fusion: .none) { ap, bp, cp, start, _ in
            ProductKernels.multiplyTransposed(m: m, n: n, kCount: kCount, a: ap, b: bp, c: cp, start: start)
        }
    }

    /// Hands the three buffers, the start and the epilogue to `kernel`, after dealing with
    /// empty shapes.
    @inline(__always)
    private static func runProduct(
        _ a: Matrix, _ b: Matrix, _ c: inout Matrix, m: Int, n: Int, mode: ProductMode, fusion: ProductFusion,
        kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, ProductStart,
                 ProductEpilogue) -> Void
    ) {
        guard m > 0, n > 0 else { return }
        if case .reluBackward(let output) = fusion {
            precondition(output.rows == m && output.columns == n, "the ReLU mask must have the product's shape")
        }
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    guard let cBase = cp.baseAddress else { return }
                    // An empty shared dimension (K = 0) leaves empty factors: only the start counts.
                    let aBase = ap.baseAddress ?? UnsafePointer(cBase)
                    let bBase = bp.baseAddress ?? UnsafePointer(cBase)
                    func run(_ start: ProductStart) {
                        switch fusion {
                        case .none:
                            kernel(aBase, bBase, cBase, start, .none)
                        case .relu:
                            kernel(aBase, bBase, cBase, start, .clampAtZero)
                        case .reluBackward(let output):
                            output.storage.withUnsafeBufferPointer { mp in
                                guard let mBase = mp.baseAddress else { return }
                                kernel(aBase, bBase, cBase, start, .keepWherePositive(mBase))
                            }
                        }
                    }
                    switch mode {
                    case .overwrite:
                        run(.zero)
                    case .accumulate:
                        run(.accumulate)
                    case .addingRow(let row):
                        row.storage.withUnsafeBufferPointer { rp in
                            guard let rBase = rp.baseAddress else { return }
                            run(.rowVector(rBase))
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

    @inline(__always)
    mutating func prepareDestination(rows: Int, columns: Int, mode: ProductMode) {
        switch mode {
        case .accumulate:
            prepareDestination(rows: rows, columns: columns, accumulate: true)
        case .overwrite:
            reshape(rows: rows, columns: columns)
        case .addingRow(let row):
            precondition(row.count == columns, "broadcasting \(row.count) values over \(columns) columns")
            reshape(rows: rows, columns: columns)
        }
    }
}
