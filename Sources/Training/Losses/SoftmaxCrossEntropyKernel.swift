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

    /// Computes per-row losses and the gradient of Σᵢ sᵢ·lossᵢ with sᵢ = `scale` · `upstream[i]`.
    ///
    /// Targets must have been checked with ``normalizer(targets:classes:weight:ignoreIndex:)``.
    ///
    /// - Parameters:
    ///   - logits: `rows × columns` values, row-major; `columns ≥ 1`.
    ///   - targets: `rows` class indices or the ignore index.
    ///   - configuration: weights, ignore index, smoothing.
    ///   - scale: the factor shared by every row's gradient.
    ///   - upstream: per-row factors (reduction `.none`), or `nil`.
    ///   - gradient: `rows × columns` values, written in full (also used as scratch). It may
    ///     be the `logits` buffer itself: every logit is read before its place is written.
    ///   - rowLosses: where to write the `rows` unscaled per-row losses, or `nil`.
    /// - Returns: the sums of the nll and smoothing parts.
    /// - Complexity: O(rows × columns). Rows of 16 classes or more are swept one at a time,
    ///   vectorised along the row, with the next row's maximum taken during this row's
    ///   exponentials; shorter rows go in blocks (see ``blocked``).
    static func run(
        logits: UnsafePointer<Float>, rows: Int, columns: Int,
        targets: UnsafePointer<Int32>, configuration: Configuration,
        scale: Float, upstream: UnsafePointer<Float>?,
        gradient: UnsafeMutablePointer<Float>, rowLosses: UnsafeMutablePointer<Float>?
    ) -> Totals {
        guard rows > 0 else { return Totals() }
        if columns >= 16 {
            return rowwise(
                logits: logits, rows: rows, columns: columns, targets: targets,
                configuration: configuration, scale: scale, upstream: upstream,
                gradient: gradient, rowLosses: rowLosses)
        }
        return blocked(
            logits: logits, rows: rows, columns: columns, targets: targets,
            configuration: configuration, scale: scale, upstream: upstream,
            gradient: gradient, rowLosses: rowLosses)
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

    /// The maximum of `count ≥ 1` values (NaN ignored unless all are NaN).
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
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
        if result == -.infinity, x[0].isNaN { return x[0] }
        return result
    }

    @inline(__always)
    static func horizontalMaximum(_ v: SIMD8<Float>) -> Float {
        var result = v[0]
        for lane in 1..<8 where v[lane] > result { result = v[lane] }
        return result
    }

    /// One row at a time, vectorised along the row (rows of 16 or more classes).
    static func rowwise(
        logits: UnsafePointer<Float>, rows: Int, columns: Int,
        targets: UnsafePointer<Int32>, configuration: Configuration,
        scale: Float, upstream: UnsafePointer<Float>?,
        gradient: UnsafeMutablePointer<Float>, rowLosses: UnsafeMutablePointer<Float>?
    ) -> Totals {
        var totals = Totals()
        let weightSum = weightSum(configuration, columns: columns)
        var rowMax = maximum(logits, columns)
        for i in 0..<rows {
            let x = logits + i * columns
            let g = gradient + i * columns
            let next: UnsafePointer<Float>? = i + 1 < rows ? x + columns : nil
            let target = targets[i]
            if target == configuration.ignoreIndex {
                g.update(repeating: 0, count: columns)
                rowLosses?[i] = 0
                if let next { rowMax = maximum(next, columns) }
                continue
            }

            // Read before the row is overwritten (the gradient may be the logits' buffer).
            let t = Int(target)
            let zTarget = x[t] - rowMax
            let zSum = configuration.smoothing > 0
                ? weightedShiftedSum(x, columns: columns, max: rowMax, weight: configuration.weight?.baseAddress)
                : 0
            // exp(x − max) into the gradient row and its sum; meanwhile the next row's maximum,
            // so that its load from memory overlaps this row's arithmetic.
            let shift = SIMD8<Float>(repeating: rowMax)
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
            let expSum = (s0 + s1).sum()
            if let next {
                var nextMax = horizontalMaximum(FastMath.max(m0, m1))
                while j < columns {
                    if next[j] > nextMax { nextMax = next[j] }
                    j += 1
                }
                rowMax = nextMax == -.infinity && next[0].isNaN ? next[0] : nextMax
            }

            let loss = finishRow(
                gradient: g, columns: columns, target: t, zTarget: zTarget, weightedZSum: zSum,
                logSum: logOfSum(SIMD8(repeating: expSum))[0], expSum: expSum,
                configuration: configuration, weightSum: weightSum,
                rowScale: scale * (upstream?[i] ?? 1), totals: &totals)
            rowLosses?[i] = loss
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
        configuration: Configuration, weightSum: Float, rowScale: Float,
        totals: inout Totals
    ) -> Float {
        let eps = configuration.smoothing
        let wy = configuration.weight.map { $0[target] } ?? 1
        let nll = wy * (logSum - zTarget)
        totals.nll += Double(nll)
        let inverseSum = 1 / expSum
        guard eps > 0 else {
            let kNLL = rowScale * wy
            scaleRow(g, columns: columns, by: kNLL * inverseSum)
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
    static func scaleRow(_ g: UnsafeMutablePointer<Float>, columns: Int, by k: Float) {
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
