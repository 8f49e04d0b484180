import CVectorMath

/// The fused log-softmax + cross-entropy pass behind ``CrossEntropyLoss``'s class-index paths:
/// per-row losses and dLoss/dLogits in one sweep over contiguous rows, with no allocation.
///
/// For row i with target y (not ignored), zᵢⱼ = xᵢⱼ − maxⱼ xᵢⱼ, Lᵢ = log Σⱼ exp zᵢⱼ,
/// pᵢⱼ = exp(zᵢⱼ) / Σⱼ exp zᵢⱼ and label smoothing ε over C classes:
///
///     nllᵢ    = w[y] · (Lᵢ − zᵢy)
///     smoothᵢ = Σ_c w[c] · (Lᵢ − zᵢc)
///     lossᵢ   = (1 − ε) · nllᵢ + (ε / C) · smoothᵢ
///     ∂lossᵢ/∂xᵢⱼ = pᵢⱼ · ((1 − ε) w[y] + (ε / C) Σ_c w[c]) − (1 − ε) w[y] · [j = y] − (ε / C) w[j]
///
/// (w ≡ 1 without class weights). Ignored rows have loss 0 and gradient 0.
enum SoftmaxCrossEntropyKernel {
    /// The class-weight and smoothing configuration of one evaluation.
    struct Configuration {
        /// Per-class weights (`columns` of them), or `nil` for all ones.
        var weight: UnsafeBufferPointer<Float>?
        /// The target value that marks a row as ignored.
        var ignoreIndex: Int32
        /// ε in `0...1`.
        var smoothing: Float
    }

    /// Sums of the two parts of the loss over the rows.
    struct Totals {
        /// Σᵢ nllᵢ (weighted).
        var nll: Double = 0
        /// Σᵢ smoothᵢ (weighted); 0 without smoothing.
        var smooth: Double = 0

        /// The loss for `reduction`, combining the parts as PyTorch does:
        /// `(1 − ε)·nll/W + (ε/C)·smooth/W` for the mean (so 0/0 gives NaN), sums otherwise.
        func value(reduction: LossReduction, smoothing: Float, classes: Int, normalizer: Double) -> Float {
            let eps = Double(smoothing)
            let divisor = reduction == .mean ? normalizer : 1
            var result = (1 - eps) * (nll / divisor)
            if smoothing > 0 { result += eps / Double(classes) * (smooth / divisor) }
            return Float(result)
        }
    }

    /// Checks every target and returns the weighted-mean normaliser W = Σ w[yᵢ] over the rows
    /// whose target is not `ignoreIndex`.
    ///
    /// - Throws: ``LossError/targetOutOfRange(target:row:classes:ignoreIndex:)`` for the first
    ///   target outside `0..<classes` that is not the ignore index.
    static func normalizer(
        targets: UnsafeBufferPointer<Int32>, classes: Int,
        weight: UnsafeBufferPointer<Float>?, ignoreIndex: Int32
    ) throws -> Double {
        let limit = UInt32(truncatingIfNeeded: classes)
        if let weight {
            var total = 0.0
            for (row, target) in targets.enumerated() where target != ignoreIndex {
                guard UInt32(bitPattern: target) < limit else {
                    throw LossError.targetOutOfRange(target: target, row: row, classes: classes, ignoreIndex: ignoreIndex)
                }
                total += Double(weight[Int(target)])
            }
            return total
        }
        var counted = 0
        for (row, target) in targets.enumerated() where target != ignoreIndex {
            guard UInt32(bitPattern: target) < limit else {
                throw LossError.targetOutOfRange(target: target, row: row, classes: classes, ignoreIndex: ignoreIndex)
            }
            counted += 1
        }
        return Double(counted)
    }

    /// The buffers of one evaluation, shared by every sweep of the kernel.
    struct Batch {
        /// `rows × columns` values, row-major; `columns ≥ 1`.
        var logits: UnsafePointer<Float>
        /// N, the rows of `logits`.
        var rows: Int
        /// C, the classes (columns of `logits`).
        var columns: Int
        /// `rows` class indices or the ignore index, checked with
        /// ``normalizer(targets:classes:weight:ignoreIndex:)``.
        var targets: UnsafePointer<Int32>
        /// The factor shared by every row's gradient.
        var scale: Float
        /// Per-row factors of the gradient (reduction `.none`), or `nil`.
        var upstream: UnsafePointer<Float>?
        /// `rows × columns` values, written in full (also used as scratch). It may be the
        /// `logits` buffer itself: every logit is read before its place is written.
        var gradient: UnsafeMutablePointer<Float>
        /// Where to write the `rows` unscaled per-row losses, or `nil`.
        var rowLosses: UnsafeMutablePointer<Float>?
    }

    /// Computes per-row losses and the gradient of Σᵢ sᵢ·lossᵢ with sᵢ = `scale` · `upstream[i]`.
    ///
    /// - Parameters:
    ///   - batch: the logits, targets, gradient scale and the buffers to write.
    ///   - configuration: weights, ignore index, smoothing.
    /// - Returns: the sums of the nll and smoothing parts.
    /// - Complexity: O(rows × columns). Rows of 16 classes or more are swept one at a time,
    ///   vectorised along the row, with the next row's maximum taken during this row's
    ///   exponentials (see ``rowwise(_:configuration:)``); shorter rows go in blocks (see
    ///   ``blocked(logits:rows:columns:targets:configuration:scale:upstream:gradient:rowLosses:)``).
    static func run(_ batch: Batch, configuration: Configuration) -> Totals {
        guard batch.rows > 0 else { return Totals() }
        if batch.columns >= 16 { return rowwise(batch, configuration: configuration) }
        return blocked(
            logits: batch.logits, rows: batch.rows, columns: batch.columns, targets: batch.targets,
            configuration: configuration, scale: batch.scale, upstream: batch.upstream,
            gradient: batch.gradient, rowLosses: batch.rowLosses)
    }

    /// Σ_c w[c], or C without weights.
    static func weightSum(_ configuration: Configuration, columns: Int) -> Float {
        guard let weight = configuration.weight else { return Float(columns) }
        var total: Float = 0
        for w in weight { total += w }
        return total
    }

    /// log(s) for the sums of exponentials (≥ 1, or NaN/∞ when the logits were): NaN and ∞
    /// come out as NaN.
    @inline(__always)
    static func logOfSum(_ s: SIMD8<Float>) -> SIMD8<Float> {
        FastMath.logOfNormal(s) + (s - s)
    }

    // MARK: Long rows

    /// The code that runs the long-row loops (``maximum(_:_:loops:)``,
    /// ``exponentials(_:shift:into:columns:next:nextMaximum:loops:)``,
    /// ``scaleRow(_:columns:by:loops:)``).
    enum RowLoops: Sendable {
        /// The `SIMD8<Float>` Swift loops, compiled for the baseline target (four-lane SSE2
        /// on x86-64, NEON on arm64, no fused multiply–adds).
        case portable
        /// `CVectorMath`'s AVX2 + FMA loops, eight lanes (x86-64 only).
        case avx2
        /// `CVectorMath`'s AVX-512 loops, sixteen lanes and masked tails (x86-64 only).
        case avx512

        /// The fastest loops this CPU runs.
        static let best: RowLoops = {
            #if arch(x86_64)
            switch cvm_softmax_vector_level() {
            case 2: return .avx512
            case 1: return .avx2
            default: return .portable
            }
            #else
            return .portable
            #endif
        }()

        /// Every kind of loop this CPU runs, `.portable` first.
        static var available: [RowLoops] {
            switch best {
            case .portable: [.portable]
            case .avx2: [.portable, .avx2]
            case .avx512: [.portable, .avx2, .avx512]
            }
        }
    }

    /// The maximum of `count ≥ 1` values (NaN ignored unless all are NaN).
    static func maximum(_ x: UnsafePointer<Float>, _ count: Int, loops: RowLoops) -> Float {
        #if arch(x86_64)
        switch loops {
        case .avx512: return cvm_softmax_row_maximum_avx512(x, count)
        case .avx2: return cvm_softmax_row_maximum_avx2(x, count)
        case .portable: break
        }
        #endif
        var m0 = SIMD8<Float>(repeating: -.infinity)
        var m1 = m0
        var j = 0
        while j + 16 <= count {
            m0 = FastMath.max(m0, FastMath.load(x + j))
            m1 = FastMath.max(m1, FastMath.load(x + j + 8))
            j += 16
        }
        if j + 8 <= count {
            m0 = FastMath.max(m0, FastMath.load(x + j))
            j += 8
        }
        var result = horizontalMaximum(FastMath.max(m0, m1))
        while j < count {
            if x[j] > result { result = x[j] }
            j += 1
        }
        return maximumResult(result, x)
    }

    /// What ``maximum(_:_:loops:)`` returns for a row whose largest non-NaN value is `m`: NaN
    /// when the row is all NaN.
    @inline(__always)
    static func maximumResult(_ m: Float, _ x: UnsafePointer<Float>) -> Float {
        m == -.infinity && x[0].isNaN ? x[0] : m
    }

    @inline(__always)
    static func horizontalMaximum(_ v: SIMD8<Float>) -> Float {
        var result = v[0]
        for lane in 1..<8 where v[lane] > result { result = v[lane] }
        return result
    }

    /// Writes gⱼ = exp(xⱼ − shift) (``FastMath/expOfNonPositive(_:)``) over one row and returns
    /// Σⱼ gⱼ; when `next` is not nil, also sets `nextMaximum` to ``maximum(_:_:loops:)`` of the next
    /// row, whose load from memory then overlaps this row's arithmetic.
    static func exponentials(
        _ x: UnsafePointer<Float>, shift max: Float, into g: UnsafeMutablePointer<Float>, columns: Int,
        next: UnsafePointer<Float>?, nextMaximum: inout Float, loops: RowLoops
    ) -> Float {
        #if arch(x86_64)
        switch loops {
        case .avx512: return cvm_softmax_row_exponentials_avx512(x, max, g, columns, next, &nextMaximum)
        case .avx2: return cvm_softmax_row_exponentials_avx2(x, max, g, columns, next, &nextMaximum)
        case .portable: break
        }
        #endif
        let shift = SIMD8<Float>(repeating: max)
        var s0 = SIMD8<Float>()
        var s1 = SIMD8<Float>()
        var m0 = SIMD8<Float>(repeating: -.infinity)
        var m1 = m0
        var j = 0
        if let next {
            while j + 16 <= columns {
                let e0 = FastMath.expOfNonPositive(FastMath.load(x + j) - shift)
                let e1 = FastMath.expOfNonPositive(FastMath.load(x + j + 8) - shift)
                m0 = FastMath.max(m0, FastMath.load(next + j))
                m1 = FastMath.max(m1, FastMath.load(next + j + 8))
                FastMath.store(e0, g + j)
                FastMath.store(e1, g + j + 8)
                s0 += e0
                s1 += e1
                j += 16
            }
        } else {
            while j + 16 <= columns {
                let e0 = FastMath.expOfNonPositive(FastMath.load(x + j) - shift)
                let e1 = FastMath.expOfNonPositive(FastMath.load(x + j + 8) - shift)
                FastMath.store(e0, g + j)
                FastMath.store(e1, g + j + 8)
                s0 += e0
                s1 += e1
                j += 16
            }
        }
        if j + 8 <= columns {
            let e0 = FastMath.expOfNonPositive(FastMath.load(x + j) - shift)
            if let next { m0 = FastMath.max(m0, FastMath.load(next + j)) }
            FastMath.store(e0, g + j)
            s0 += e0
            j += 8
        }
        if j < columns {
            var tail = SIMD8<Float>(repeating: -.infinity)     // exp(−∞) = 0 adds nothing
            for lane in 0..<(columns - j) { tail[lane] = x[j + lane] }
            let e = FastMath.expOfNonPositive(tail - shift)
            for lane in 0..<(columns - j) { g[j + lane] = e[lane] }
            s1 += e
        }
        if let next {
            var result = horizontalMaximum(FastMath.max(m0, m1))
            while j < columns {
                if next[j] > result { result = next[j] }
                j += 1
            }
            nextMaximum = maximumResult(result, next)
        }
        return (s0 + s1).sum()
    }

    /// One row at a time, vectorised along the row (rows of 16 or more classes): per row the
    /// exponentials and their sum (with the next row's maximum), then the scaling into the
    /// gradient while the row is in cache. `loops` picks the code of the vector loops (the
    /// fastest by default; tests run each).
    static func rowwise(_ batch: Batch, configuration: Configuration, loops: RowLoops = .best) -> Totals {
        let columns = batch.columns
        var totals = Totals()
        let weightSum = weightSum(configuration, columns: columns)
        var rowMax = maximum(batch.logits, columns, loops: loops)
        for i in 0..<batch.rows {
            let x = batch.logits + i * columns
            let g = batch.gradient + i * columns
            let next: UnsafePointer<Float>? = i + 1 < batch.rows ? x + columns : nil
            let target = batch.targets[i]
            if target == configuration.ignoreIndex {
                g.update(repeating: 0, count: columns)
                batch.rowLosses?[i] = 0
                if let next { rowMax = maximum(next, columns, loops: loops) }
                continue
            }

            // Read before the row is overwritten (the gradient may be the logits' buffer).
            let t = Int(target)
            let zTarget = x[t] - rowMax
            let zSum = configuration.smoothing > 0
                ? weightedShiftedSum(x, columns: columns, max: rowMax, weight: configuration.weight?.baseAddress)
                : 0
            let expSum = exponentials(
                x, shift: rowMax, into: g, columns: columns, next: next, nextMaximum: &rowMax, loops: loops)
            let loss = finishRow(
                gradient: g, columns: columns, target: t, zTarget: zTarget, weightedZSum: zSum,
                logSum: logOfSum(SIMD8(repeating: expSum))[0], expSum: expSum,
                configuration: configuration, weightSum: weightSum,
                rowScale: batch.scale * (batch.upstream?[i] ?? 1), loops: loops, totals: &totals)
            batch.rowLosses?[i] = loss
        }
        return totals
    }

    /// Σ_c w[c]·(x[c] − max) over one row (w ≡ 1 when `weight` is nil).
    static func weightedShiftedSum(
        _ x: UnsafePointer<Float>, columns: Int, max: Float, weight: UnsafePointer<Float>?
    ) -> Float {
        let shift = SIMD8<Float>(repeating: max)
        var acc = SIMD8<Float>()
        var j = 0
        if let weight {
            while j + 8 <= columns {
                acc += FastMath.load(weight + j) * (FastMath.load(x + j) - shift)
                j += 8
            }
        } else {
            while j + 8 <= columns {
                acc += FastMath.load(x + j) - shift
                j += 8
            }
        }
        var total = acc.sum()
        while j < columns {
            total += (weight?[j] ?? 1) * (x[j] - max)
            j += 1
        }
        return total
    }

    /// The loss of one row and its gradient, given zᵢy, Σ_c w[c]·zᵢc, Lᵢ and Σⱼ exp zᵢⱼ, with the
    /// gradient row holding exp zᵢⱼ on entry.
    @inline(__always)
    static func finishRow(
        gradient g: UnsafeMutablePointer<Float>, columns: Int, target: Int,
        zTarget: Float, weightedZSum: Float, logSum: Float, expSum: Float,
        configuration: Configuration, weightSum: Float, rowScale: Float, loops: RowLoops,
        totals: inout Totals
    ) -> Float {
        let eps = configuration.smoothing
        let wy = configuration.weight.map { $0[target] } ?? 1
        let nll = wy * (logSum - zTarget)
        totals.nll += Double(nll)
        let inverseSum = 1 / expSum
        guard eps > 0 else {
            let kNLL = rowScale * wy
            scaleRow(g, columns: columns, by: kNLL * inverseSum, loops: loops)
            g[target] -= kNLL
            return nll
        }
        // Kept as PyTorch's two terms, (1 − ε)·w[y]·(p − δ) + (ε/C)·(Σw·p − w), so that exact
        // zeros (one class, saturated rows) stay exact.
        let smooth = logSum * weightSum - weightedZSum
        totals.smooth += Double(smooth)
        let share = eps / Float(columns)
        let kNLL = rowScale * ((1 - eps) * wy)
        smoothRow(
            g, columns: columns, inverseSum: inverseSum, kNLL: kNLL, kSmooth: rowScale * share,
            weightSum: weightSum, weight: configuration.weight?.baseAddress)
        g[target] -= kNLL
        return (1 - eps) * nll + share * smooth
    }

    /// gⱼ ← gⱼ·k.
    @inline(__always)
    static func scaleRow(_ g: UnsafeMutablePointer<Float>, columns: Int, by k: Float, loops: RowLoops) {
        #if arch(x86_64)
        switch loops {
        case .avx512: return cvm_softmax_row_scale_avx512(g, columns, k)
        case .avx2: return cvm_softmax_row_scale_avx2(g, columns, k)
        case .portable: break
        }
        #endif
        let v = SIMD8<Float>(repeating: k)
        var j = 0
        while j + 8 <= columns {
            FastMath.store(FastMath.load(g + j) * v, g + j)
            j += 8
        }
        while j < columns { g[j] *= k; j += 1 }
    }

    /// With pⱼ = gⱼ·inverseSum: gⱼ ← kNLL·pⱼ + kSmooth·(Σw·pⱼ − w[j]) (w ≡ 1 when `weight` is
    /// nil).
    static func smoothRow(
        _ g: UnsafeMutablePointer<Float>, columns: Int, inverseSum: Float, kNLL: Float,
        kSmooth: Float, weightSum: Float, weight: UnsafePointer<Float>?
    ) {
        let inv = SIMD8<Float>(repeating: inverseSum)
        let k1 = SIMD8<Float>(repeating: kNLL)
        let k2 = SIMD8<Float>(repeating: kSmooth)
        let total = SIMD8<Float>(repeating: weightSum)
        var j = 0
        while j + 8 <= columns {
            let p = FastMath.load(g + j) * inv
            let w = weight.map { FastMath.load($0 + j) } ?? SIMD8(repeating: 1)
            FastMath.store(k1 * p + k2 * (total * p - w), g + j)
            j += 8
        }
        while j < columns {
            let p = g[j] * inverseSum
            g[j] = kNLL * p + kSmooth * (weightSum * p - (weight?[j] ?? 1))
            j += 1
        }
    }
}
