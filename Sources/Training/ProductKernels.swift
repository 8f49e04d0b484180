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
    @usableFromInline
    static func multiply(m: Int, n: Int, kCount: Int,
                         a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
                         b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, start: ProductStart) {
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
                cRow[j] = sum
                j += 1
            }
        }
    }

    /// `C[i, j] (start) + Σ_k A[i, k]·B[j, k]` (`C = A·Bᵀ`) with `A` row-major `[m, kCount]`,
    /// `B` row-major `[n, kCount]`: dot products of contiguous rows, four rows of `B` at a time
    /// so each load of `A` serves four outputs.
    @usableFromInline
    static func multiplyTransposed(m: Int, n: Int, kCount: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                   c: UnsafeMutablePointer<Float>, start: ProductStart) {
        for i in 0..<m {
            let aRow = a + i * kCount
            let cRow = c + i * n
            var j = 0
            while j + 4 <= n {
                let b0 = b + j * kCount, b1 = b0 + kCount, b2 = b1 + kCount, b3 = b2 + kCount
                var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
                var k = 0
                while k + 8 <= kCount {
                    let x = VectorKernels.load(aRow + k)
                    s0 += x * VectorKernels.load(b0 + k)
                    s1 += x * VectorKernels.load(b1 + k)
                    s2 += x * VectorKernels.load(b2 + k)
                    s3 += x * VectorKernels.load(b3 + k)
                    k += 8
                }
                var t0 = s0.sum(), t1 = s1.sum(), t2 = s2.sum(), t3 = s3.sum()
                while k < kCount {
                    let x = aRow[k]
                    t0 += x * b0[k]
                    t1 += x * b1[k]
                    t2 += x * b2[k]
                    t3 += x * b3[k]
                    k += 1
                }
                store(t0, at: j, cRow, start)
                store(t1, at: j + 1, cRow, start)
                store(t2, at: j + 2, cRow, start)
                store(t3, at: j + 3, cRow, start)
                j += 4
            }
            while j < n {
                store(VectorKernels.dot(kCount, aRow, b + j * kCount), at: j, cRow, start)
                j += 1
            }
        }
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

    /// `out[j] (+)= Σᵢ x[i, j]` over the rows of a row-major `[m, n]` matrix, in blocks of 32
    /// columns held in registers.
    @usableFromInline
    static func columnSums(m: Int, n: Int, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        var j = 0
        while j + 32 <= n {
            var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
            if accumulate {
                c0 = VectorKernels.load(out + j)
                c1 = VectorKernels.load(out + j + 8)
                c2 = VectorKernels.load(out + j + 16)
                c3 = VectorKernels.load(out + j + 24)
            }
            var p = x + j
            for _ in 0..<m {
                c0 += VectorKernels.load(p)
                c1 += VectorKernels.load(p + 8)
                c2 += VectorKernels.load(p + 16)
                c3 += VectorKernels.load(p + 24)
                p += n
            }
            VectorKernels.store(c0, out + j)
            VectorKernels.store(c1, out + j + 8)
            VectorKernels.store(c2, out + j + 16)
            VectorKernels.store(c3, out + j + 24)
            j += 32
        }
        while j + 8 <= n {
            var c0 = accumulate ? VectorKernels.load(out + j) : SIMD8<Float>()
            var p = x + j
            for _ in 0..<m {
                c0 += VectorKernels.load(p)
                p += n
            }
            VectorKernels.store(c0, out + j)
            j += 8
        }
        if j + 4 <= n {
            var c0 = accumulate ? load4(out + j) : SIMD4<Float>()
            var p = x + j
            for _ in 0..<m {
                c0 += load4(p)
                p += n
            }
            store4(c0, out + j)
            j += 4
        }
        while j < n {
            var sum: Float = accumulate ? out[j] : 0
            var p = x + j
            for _ in 0..<m {
                sum += p.pointee
                p += n
            }
            out[j] = sum
            j += 1
        }
    }
}
