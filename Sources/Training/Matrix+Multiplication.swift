// Matrix products into a caller-owned destination. The destination is reshaped in place (no
// allocation once its buffer has grown to the largest size used), so a layer can keep one
// buffer per product across training steps.

extension Matrix {
    /// How a product treats its destination's previous contents.
    package enum ProductMode {
        /// Overwrite: `C = product`.
        case overwrite
        /// Accumulate: `C += product`.
        case accumulate
        /// Overwrite with a row vector broadcast over the rows added: `C = product + 1·biasᵀ`.
        case addingRow(Matrix)
    }

    /// An elementwise step fused into a product (into our kernels' stores, or one pass after a
    /// BLAS product).
    package enum ProductFusion {
        /// Nothing.
        case none
        /// ReLU of the result.
        case relu
    }

    /// Computes `C = A·B`, or `C += A·B` when `accumulate` is true.
    ///
    /// Large products go through BLAS (`cblas_sgemm`: OpenBLAS on Linux, Accelerate on
    /// macOS); small ones, where a library call costs more than it saves, through our own
    /// register-blocked kernels, the choice made by shape (``ProductBackend/forShape(m:n:k:)``).
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
    /// Large products go through BLAS; small ones through dot products of contiguous rows of
    /// `A` and `B`, four rows of `B` at a time (a layer's forward pass `x·Wᵀ` into few outputs).
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
        multiply(transposing: a, b, into: &c, mode: accumulate ? .accumulate : .overwrite)
    }

    /// `A·B` with the destination handled per `mode`, `fusion` applied to the result, on
    /// `backend` (by default the one ``ProductBackend/forShape(m:n:k:)`` picks).
    package static func multiply(_ a: Matrix, _ b: Matrix, into c: inout Matrix, mode: ProductMode,
                         fusion: ProductFusion = .none, backend: ProductBackend? = nil) {
        precondition(a.columns == b.rows, "A·B needs A.columns (\(a.columns)) == B.rows (\(b.rows))")
        product(a, transposeA: false, b, transposeB: false, m: a.rows, n: b.columns, k: a.columns,
                into: &c, mode: mode, fusion: fusion, backend: backend)
    }

    /// `A·Bᵀ` with the destination handled per `mode` and `fusion` applied to the result.
    package static func multiply(_ a: Matrix, transposing b: Matrix, into c: inout Matrix, mode: ProductMode,
                         fusion: ProductFusion = .none, backend: ProductBackend? = nil) {
        precondition(a.columns == b.columns, "A·Bᵀ needs A.columns (\(a.columns)) == B.columns (\(b.columns))")
        product(a, transposeA: false, b, transposeB: true, m: a.rows, n: b.rows, k: a.columns,
                into: &c, mode: mode, fusion: fusion, backend: backend)
    }

    /// `Aᵀ·B` with the destination handled per `mode` and `fusion` applied to the result.
    package static func multiply(transposing a: Matrix, _ b: Matrix, into c: inout Matrix, mode: ProductMode,
                         fusion: ProductFusion = .none, backend: ProductBackend? = nil) {
        precondition(a.rows == b.rows, "Aᵀ·B needs A.rows (\(a.rows)) == B.rows (\(b.rows))")
        product(a, transposeA: true, b, transposeB: false, m: a.columns, n: b.columns, k: a.rows,
                into: &c, mode: mode, fusion: fusion, backend: backend)
    }

    /// The one product behind the three forms: `C (mode) op(A)·op(B)`, then `fusion`.
    private static func product(
        _ a: Matrix, transposeA: Bool, _ b: Matrix, transposeB: Bool, m: Int, n: Int, k: Int,
        into c: inout Matrix, mode: ProductMode, fusion: ProductFusion, backend: ProductBackend?
    ) {
        c.prepareDestination(rows: m, columns: n, mode: mode)
        guard m > 0, n > 0 else { return }
        let chosen = backend ?? ProductBackend.forShape(m: m, n: n, k: k)
        precondition(chosen == .ownKernels || ProductBackend.blasIsAvailable, "this build has no BLAS")
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    guard let cBase = cp.baseAddress else { return }
                    // An empty shared dimension (K = 0) leaves empty factors: only the start counts.
                    let aBase = ap.baseAddress ?? UnsafePointer(cBase)
                    let bBase = bp.baseAddress ?? UnsafePointer(cBase)
                    withStart(mode) { start in
                        if chosen == .blas {
                            blasProduct(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                        a: aBase, b: bBase, c: cBase, start: start)
                            applyAfterwards(fusion, count: m * n, cBase)
                        } else if transposeB {
                            precondition(!transposeA, "our kernels have no Aᵀ·Bᵀ")
                            ProductKernels.multiplyTransposed(m: m, n: n, kCount: k, a: aBase, b: bBase, c: cBase,
                                                              start: start)
                            applyAfterwards(fusion, count: m * n, cBase)
                        } else {
                            ProductKernels.multiply(m: m, n: n, kCount: k, a: aBase,
                                                    rowStride: transposeA ? 1 : k, columnStride: transposeA ? m : 1,
                                                    b: bBase, c: cBase, start: start,
                                                    clamp: fusion == .relu)
                        }
                    }
                }
            }
        }
    }

    /// `mode` as the kernels' start, with the bias row's buffer open for the call.
    @inline(__always)
    private static func withStart(_ mode: ProductMode, _ body: (ProductStart) -> Void) {
        switch mode {
        case .overwrite:
            body(.zero)
        case .accumulate:
            body(.accumulate)
        case .addingRow(let row):
            row.storage.withUnsafeBufferPointer { rp in
                guard let rBase = rp.baseAddress else { return }
                body(.rowVector(rBase))
            }
        }
    }

    /// `C (start) op(A)·op(B)` through BLAS: the start becomes `β` (0 or 1), a bias row is
    /// first copied into every row of `C`.
    ///
    /// OpenBLAS always adds its product into `C`, zeroing `C` first when `β = 0`, so the copy
    /// costs the pass over `C` the library would make anyway (measured: no faster with `β = 0`
    /// and the bias added afterwards, with the ReLU's clamp in that pass or not).
    private static func blasProduct(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                    a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                    c: UnsafeMutablePointer<Float>, start: ProductStart) {
        let beta: Float
        switch start {
        case .zero:
            beta = 0
        case .accumulate:
            beta = 1
        case .rowVector(let row):
            for i in 0..<m { VectorKernels.copy(n, row, c + i * n) }
            beta = 1
        }
        blasMultiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, b: b, beta: beta, c: c)
    }

    /// The fusion as a pass over a finished product, for the kernels that cannot fuse it.
    private static func applyAfterwards(_ fusion: ProductFusion, count: Int, _ c: UnsafeMutablePointer<Float>) {
        if fusion == .relu { VectorKernels.relu(count, c, c) }
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
    private mutating func prepareDestination(rows: Int, columns: Int, mode: ProductMode) {
        switch mode {
        case .accumulate:
            precondition(self.rows == rows && self.columns == columns,
                         "accumulating into a \(self.rows)×\(self.columns) matrix, expected \(rows)×\(columns)")
        case .overwrite:
            reshape(rows: rows, columns: columns)
        case .addingRow(let row):
            precondition(row.count == columns, "broadcasting \(row.count) values over \(columns) columns")
            reshape(rows: rows, columns: columns)
        }
    }
}
