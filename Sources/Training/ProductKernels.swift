// Register-blocked kernels behind the matrix products. Each output block is accumulated in
// registers over the whole shared dimension and stored once, instead of being loaded and
// stored once per term as a row update ("axpy") would: on SSE (the x86-64 baseline) the
// products are bound by loads and stores, not arithmetic.

/// How a product's output block starts before the terms are added.
@usableFromInline
enum ProductStart {
    /// From zero: `C = A·B`.
    case zero
    /// From the destination's values: `C += A·B`.
    case accumulate
    /// From a row vector broadcast over the rows (`C = A·B + 1·rᵀ`, a bias).
    case rowVector(UnsafePointer<Float>)
}

@usableFromInline
enum ProductKernels {
    /// `C[i, j] (start) + Σ_k A(i, k)·B[k, j]` for `i < m`, `j < n`, `k < kCount`, where
    /// `A(i, k) = a[i·rowStride + k·columnStride]` (so `A` or `Aᵀ` of a row-major matrix),
    /// `B` is row-major `[kCount, n]` and `C` row-major `[m, n]`.
    ///
    /// Columns go in blocks of 32 (four `SIMD8` accumulators), then 8, then one at a time.
    /// With `clamp`, each output block is stored as `max(sum, 0)` (`sum < 0 ? 0 : sum`): the
    /// ReLU forward fused into the product, so the network makes no separate pass over the
    /// hidden layer.
    @usableFromInline
    static func multiply(m: Int, n: Int, kCount: Int,
                         a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
                         b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, start: ProductStart,
                         clamp: Bool = false) {
        for i in 0..<m {
            let aRow = a + i * rowStride
            let cRow = c + i * n
            let startRow: UnsafePointer<Float>?
            switch start {
            case .zero: startRow = nil
            case .accumulate: startRow = UnsafePointer(cRow)
            case .rowVector(let row): startRow = row
            }
            var j = 0
            while j + 32 <= n {
                var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
                if let s = startRow {
                    c0 = VectorKernels.load(s + j)
                    c1 = VectorKernels.load(s + j + 8)
                    c2 = VectorKernels.load(s + j + 16)
                    c3 = VectorKernels.load(s + j + 24)
                }
                var bp = b + j
                var ap = aRow
                for _ in 0..<kCount {
                    let scalar = SIMD8<Float>(repeating: ap.pointee)
                    c0 += scalar * VectorKernels.load(bp)
                    c1 += scalar * VectorKernels.load(bp + 8)
                    c2 += scalar * VectorKernels.load(bp + 16)
                    c3 += scalar * VectorKernels.load(bp + 24)
                    bp += n
                    ap += columnStride
                }
                if clamp {
                    c0 = clampAtZero(c0); c1 = clampAtZero(c1); c2 = clampAtZero(c2); c3 = clampAtZero(c3)
                }
                VectorKernels.store(c0, cRow + j)
                VectorKernels.store(c1, cRow + j + 8)
                VectorKernels.store(c2, cRow + j + 16)
                VectorKernels.store(c3, cRow + j + 24)
                j += 32
            }
            while j + 8 <= n {
                var c0 = SIMD8<Float>()
                if let s = startRow { c0 = VectorKernels.load(s + j) }
                var bp = b + j
                var ap = aRow
                for _ in 0..<kCount {
                    c0 += SIMD8<Float>(repeating: ap.pointee) * VectorKernels.load(bp)
                    bp += n
                    ap += columnStride
                }
                if clamp { c0 = clampAtZero(c0) }
                VectorKernels.store(c0, cRow + j)
                j += 8
            }
            if j + 4 <= n {
                var c0 = SIMD4<Float>()
                if let s = startRow { c0 = ProductKernels.load4(s + j) }
                var bp = b + j
                var ap = aRow
                for _ in 0..<kCount {
                    c0 += SIMD4<Float>(repeating: ap.pointee) * ProductKernels.load4(bp)
                    bp += n
                    ap += columnStride
                }
                if clamp { c0 = c0.replacing(with: 0, where: c0 .< 0) }
                ProductKernels.store4(c0, cRow + j)
                j += 4
            }
            while j < n {
                var sum: Float = startRow.map { $0[j] } ?? 0
                var bp = b + j
                var ap = aRow
                for _ in 0..<kCount {
                    sum += ap.pointee * bp.pointee
                    bp += n
                    ap += columnStride
                }
                if clamp { sum = sum < 0 ? 0 : sum }
                cRow[j] = sum
                j += 1
            }
        }
    }

    /// `C[i, j] (start) + Σ_k A[i, k]·B[j, k]` (`C = A·Bᵀ`) with `A` row-major `[m, kCount]`,
    /// `B` row-major `[n, kCount]`: dot products of contiguous rows, computed for a block of two
    /// rows of `A` and up to four rows of `B` at once, so each load serves several outputs.
    @usableFromInline
    static func multiplyTransposed(m: Int, n: Int, kCount: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                   c: UnsafeMutablePointer<Float>, start: ProductStart) {
        var i = 0
        while i < m {
            let rowCount = min(2, m - i)
            var j = 0
            while j < n {
                let columnCount = min(4, n - j)
                // Constant arguments per case, so each call specialises its loop.
                switch (rowCount, columnCount) {
                case (2, 4): dotBlock(2, 4, i, j, n, kCount, a, b, c, start)
                case (2, 3): dotBlock(2, 3, i, j, n, kCount, a, b, c, start)
                case (2, 2): dotBlock(2, 2, i, j, n, kCount, a, b, c, start)
                case (2, _): dotBlock(2, 1, i, j, n, kCount, a, b, c, start)
                case (_, 4): dotBlock(1, 4, i, j, n, kCount, a, b, c, start)
                case (_, 3): dotBlock(1, 3, i, j, n, kCount, a, b, c, start)
                case (_, 2): dotBlock(1, 2, i, j, n, kCount, a, b, c, start)
                default: dotBlock(1, 1, i, j, n, kCount, a, b, c, start)
                }
                j += columnCount
            }
            i += rowCount
        }
    }

    /// Outputs `C[i..<i+rows, j..<j+columns]` of `A·Bᵀ` (rows ≤ 2, columns ≤ 4), four lanes of
    /// `K` at a time with one accumulator per output. Unused accumulators read valid rows and
    /// are never stored.
    @inline(__always)
    static func dotBlock(_ rows: Int, _ columns: Int, _ i: Int, _ j: Int, _ n: Int, _ kCount: Int,
                         _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                         _ c: UnsafeMutablePointer<Float>, _ start: ProductStart) {
        let a0 = a + i * kCount
        let a1 = rows > 1 ? a0 + kCount : a0
        let b0 = b + j * kCount
        let b1 = columns > 1 ? b0 + kCount : b0
        let b2 = columns > 2 ? b0 + 2 * kCount : b0
        let b3 = columns > 3 ? b0 + 3 * kCount : b0
        var s00 = SIMD4<Float>(), s01 = SIMD4<Float>(), s02 = SIMD4<Float>(), s03 = SIMD4<Float>()
        var s10 = SIMD4<Float>(), s11 = SIMD4<Float>(), s12 = SIMD4<Float>(), s13 = SIMD4<Float>()
        var k = 0
        while k + 4 <= kCount {
            let x0 = load4(a0 + k)
            let y0 = load4(b0 + k)
            s00 += x0 * y0
            if rows > 1 {
                let x1 = load4(a1 + k)
                s10 += x1 * y0
                if columns > 1 { let y = load4(b1 + k); s01 += x0 * y; s11 += x1 * y }
                if columns > 2 { let y = load4(b2 + k); s02 += x0 * y; s12 += x1 * y }
                if columns > 3 { let y = load4(b3 + k); s03 += x0 * y; s13 += x1 * y }
            } else {
                if columns > 1 { s01 += x0 * load4(b1 + k) }
                if columns > 2 { s02 += x0 * load4(b2 + k) }
                if columns > 3 { s03 += x0 * load4(b3 + k) }
            }
            k += 4
        }
        var t00 = s00.sum(), t01 = s01.sum(), t02 = s02.sum(), t03 = s03.sum()
        var t10 = s10.sum(), t11 = s11.sum(), t12 = s12.sum(), t13 = s13.sum()
        while k < kCount {
            let x0 = a0[k], x1 = a1[k]
            t00 += x0 * b0[k]; t01 += x0 * b1[k]; t02 += x0 * b2[k]; t03 += x0 * b3[k]
            t10 += x1 * b0[k]; t11 += x1 * b1[k]; t12 += x1 * b2[k]; t13 += x1 * b3[k]
            k += 1
        }
        let row0 = c + i * n
        store(t00, at: j, row0, start)
        if columns > 1 { store(t01, at: j + 1, row0, start) }
        if columns > 2 { store(t02, at: j + 2, row0, start) }
        if columns > 3 { store(t03, at: j + 3, row0, start) }
        if rows > 1 {
            let row1 = row0 + n
            store(t10, at: j, row1, start)
            if columns > 1 { store(t11, at: j + 1, row1, start) }
            if columns > 2 { store(t12, at: j + 2, row1, start) }
            if columns > 3 { store(t13, at: j + 3, row1, start) }
        }
    }

    @inline(__always)
    static func clampAtZero(_ value: SIMD8<Float>) -> SIMD8<Float> {
        value.replacing(with: 0, where: value .< 0)
    }

    @inline(__always)
    static func load4(_ pointer: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always)
    static func store4(_ value: SIMD4<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD4<Float>.self)
    }

    @inline(__always)
    static func store(_ value: Float, at j: Int, _ cRow: UnsafeMutablePointer<Float>, _ start: ProductStart) {
        switch start {
        case .zero: cRow[j] = value
        case .accumulate: cRow[j] += value
        case .rowVector(let row): cRow[j] = row[j] + value
        }
    }

    /// `out[j] (+)= Σᵢ x[i, j]` over the rows of a row-major `[m, n]` matrix: four rows at a
    /// time added into `out` (which stays in L1), so the matrix is read once, front to back.
    @usableFromInline
    static func columnSums(m: Int, n: Int, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        if !accumulate { out.update(repeating: 0, count: n) }
        var i = 0
        while i + 4 <= m {
            let r0 = x + i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n
            var j = 0
            while j + 8 <= n {
                let pair0 = VectorKernels.load(r0 + j) + VectorKernels.load(r1 + j)
                let pair1 = VectorKernels.load(r2 + j) + VectorKernels.load(r3 + j)
                VectorKernels.store(VectorKernels.load(out + j) + (pair0 + pair1), out + j)
                j += 8
            }
            while j < n {
                out[j] += (r0[j] + r1[j]) + (r2[j] + r3[j])
                j += 1
            }
            i += 4
        }
        while i < m {
            VectorKernels.add(n, x + i * n, out)
            i += 1
        }
    }

    /// `x[i, j] = mask[i, j] > 0 ? x[i, j] : 0` over `m` rows of `n` (ReLU's backward given its
    /// output, in place), adding the column sums of the result to `out` in the same pass: the
    /// sums of ``columnSums(m:n:x:out:accumulate:)``, in its order (four rows at a time, added
    /// pairwise), so they come out the same as masking first and summing afterwards.
    static func keepWherePositiveAddingColumnSums(m: Int, n: Int, mask: UnsafePointer<Float>,
                                                  x: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        @inline(__always) func kept(_ row: UnsafeMutablePointer<Float>, _ maskRow: UnsafePointer<Float>,
                                    _ j: Int) -> SIMD8<Float> {
            let value = VectorKernels.load(row + j).replacing(with: 0, where: .!(VectorKernels.load(maskRow + j) .> 0))
            VectorKernels.store(value, row + j)
            return value
        }
        @inline(__always) func kept(_ row: UnsafeMutablePointer<Float>, _ maskRow: UnsafePointer<Float>,
                                    scalar j: Int) -> Float {
            let value = maskRow[j] > 0 ? row[j] : 0
            row[j] = value
            return value
        }
        var i = 0
        while i + 4 <= m {
            let r0 = x + i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n
            let m0 = mask + i * n, m1 = m0 + n, m2 = m1 + n, m3 = m2 + n
            var j = 0
            while j + 8 <= n {
                let pair0 = kept(r0, m0, j) + kept(r1, m1, j)
                let pair1 = kept(r2, m2, j) + kept(r3, m3, j)
                VectorKernels.store(VectorKernels.load(out + j) + (pair0 + pair1), out + j)
                j += 8
            }
            while j < n {
                let pair0 = kept(r0, m0, scalar: j) + kept(r1, m1, scalar: j)
                let pair1 = kept(r2, m2, scalar: j) + kept(r3, m3, scalar: j)
                out[j] += pair0 + pair1
                j += 1
            }
            i += 4
        }
        while i < m {
            let row = x + i * n, maskRow = mask + i * n
            var j = 0
            while j + 8 <= n {
                VectorKernels.store(VectorKernels.load(out + j) + kept(row, maskRow, j), out + j)
                j += 8
            }
            while j < n {
                out[j] += kept(row, maskRow, scalar: j)
                j += 1
            }
            i += 1
        }
    }
}
