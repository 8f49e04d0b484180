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
        var total = 0.0
        for (row, target) in targets.enumerated() {
            if target == ignoreIndex { continue }
            guard target >= 0, Int(target) < classes else {
                throw LossError.targetOutOfRange(target: target, row: row, classes: classes, ignoreIndex: ignoreIndex)
            }
            total += weight.map { Double($0[Int(target)]) } ?? 1
        }
        return total
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
    ///   - gradient: `rows × columns` values, written in full (also used as scratch).
    ///   - rowLosses: where to write the `rows` unscaled per-row losses, or `nil`.
    /// - Returns: the sums of the nll and smoothing parts.
    /// - Complexity: O(rows × columns); three passes over each row while it sits in cache.
    static func run(
        logits: UnsafePointer<Float>, rows: Int, columns: Int,
        targets: UnsafePointer<Int32>, configuration: Configuration,
        scale: Float, upstream: UnsafePointer<Float>?,
        gradient: UnsafeMutablePointer<Float>, rowLosses: UnsafeMutablePointer<Float>?
    ) -> Totals {
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
    @inline(__always)
    private static func weightSum(_ configuration: Configuration, columns: Int) -> Float {
        guard let weight = configuration.weight else { return Float(columns) }
        var total: Float = 0
        for w in weight { total += w }
        return total
    }

    /// The loss of one row and its gradient, given zᵢy, Σ_c w[c]·zᵢc, Lᵢ and Σⱼ exp zᵢⱼ, with the
    /// gradient row holding exp zᵢⱼ on entry.
    @inline(__always)
    private static func finishRow(
        gradient g: UnsafeMutablePointer<Float>, columns: Int, target: Int,
        zTarget: Float, weightedZSum: Float, logSum: Float, expSum: Float,
        configuration: Configuration, weightSum: Float, rowScale: Float,
        totals: inout Totals
    ) -> Float {
        let eps = configuration.smoothing
        let wy = configuration.weight.map { $0[target] } ?? 1
        let nll = wy * (logSum - zTarget)
        totals.nll += Double(nll)
        var loss = nll
        let inverseSum = 1 / expSum
        if eps > 0 {
            // Kept as PyTorch's two terms, (1 − ε)·w[y]·(p − δ) + (ε/C)·(Σw·p − w), so that
            // exact zeros (one class, saturated rows) stay exact.
            let smooth = logSum * weightSum - weightedZSum
            totals.smooth += Double(smooth)
            let share = eps / Float(columns)
            loss = (1 - eps) * nll + share * smooth
            let kNLL = rowScale * ((1 - eps) * wy)
            smoothRow(
                g, columns: columns, inverseSum: inverseSum, kNLL: kNLL, kSmooth: rowScale * share,
                weightSum: weightSum, weight: configuration.weight?.baseAddress)
            g[target] -= kNLL
        } else {
            let kNLL = rowScale * wy
            scaleRow(g, columns: columns, by: kNLL * inverseSum)
            g[target] -= kNLL
        }
        return loss
    }

    /// gⱼ ← gⱼ·k.
    @inline(__always)
    private static func scaleRow(_ g: UnsafeMutablePointer<Float>, columns: Int, by k: Float) {
        let v = SIMD8<Float>(repeating: k)
        var j = 0
        while j + 8 <= columns {
            FastMath.store(FastMath.load(g + j) * v, g + j)
            j += 8
        }
        while j < columns { g[j] *= k; j += 1 }
    }

    /// With pⱼ = gⱼ·inverseSum: gⱼ ← kNLL·pⱼ + kSmooth·(Σw·pⱼ − w[j]) (w ≡ 1 when `weight` is nil).
    @inline(__always)
    private static func smoothRow(
        _ g: UnsafeMutablePointer<Float>, columns: Int, inverseSum: Float, kNLL: Float,
        kSmooth: Float, weightSum: Float, weight: UnsafePointer<Float>?
    ) {
        if let weight {
            for j in 0..<columns {
                let p = g[j] * inverseSum
                g[j] = kNLL * p + kSmooth * (weightSum * p - weight[j])
            }
        } else {
            for j in 0..<columns {
                let p = g[j] * inverseSum
                g[j] = kNLL * p + kSmooth * (weightSum * p - 1)
            }
        }
    }

    /// Σ_c w[c]·(x[c] − max) over one row (w ≡ 1 when `weight` is nil).
    @inline(__always)
    private static func weightedShiftedSum(
        _ x: UnsafePointer<Float>, columns: Int, max: Float, weight: UnsafePointer<Float>?
    ) -> Float {
        var total: Float = 0
        if let weight {
            for j in 0..<columns { total += weight[j] * (x[j] - max) }
        } else {
            for j in 0..<columns { total += x[j] - max }
        }
        return total
    }

    /// One row at a time, vectorised along the row (rows of 16 or more classes).
    private static func rowwise(
        logits: UnsafePointer<Float>, rows: Int, columns: Int,
        targets: UnsafePointer<Int32>, configuration: Configuration,
        scale: Float, upstream: UnsafePointer<Float>?,
        gradient: UnsafeMutablePointer<Float>, rowLosses: UnsafeMutablePointer<Float>?
    ) -> Totals {
        var totals = Totals()
        let weightSum = weightSum(configuration, columns: columns)
        for i in 0..<rows {
            let x = logits + i * columns
            let g = gradient + i * columns
            let target = targets[i]
            if target == configuration.ignoreIndex {
                g.update(repeating: 0, count: columns)
                rowLosses?[i] = 0
                continue
            }

            // Pass 1: the row maximum.
            var m0 = FastMath.load(x)
            var m1 = FastMath.load(x + 8)
            var j = 16
            while j + 16 <= columns {
                m0 = FastMath.max(m0, FastMath.load(x + j))
                m1 = FastMath.max(m1, FastMath.load(x + j + 8))
                j += 16
            }
            if j + 8 <= columns {
                m0 = FastMath.max(m0, FastMath.load(x + j))
                j += 8
            }
            m0 = FastMath.max(m0, m1)
            var rowMax = m0[0]
            for lane in 1..<8 where m0[lane] > rowMax { rowMax = m0[lane] }
            while j < columns {
                if x[j] > rowMax { rowMax = x[j] }
                j += 1
            }

            // Pass 2: exp(x − max) into the gradient row, and its sum.
            let shift = SIMD8<Float>(repeating: rowMax)
            var s0 = SIMD8<Float>()
            var s1 = SIMD8<Float>()
            j = 0
            while j + 16 <= columns {
                let e0 = FastMath.exp(FastMath.load(x + j) - shift)
                let e1 = FastMath.exp(FastMath.load(x + j + 8) - shift)
                FastMath.store(e0, g + j)
                FastMath.store(e1, g + j + 8)
                s0 += e0
                s1 += e1
                j += 16
            }
            if j + 8 <= columns {
                let e0 = FastMath.exp(FastMath.load(x + j) - shift)
                FastMath.store(e0, g + j)
                s0 += e0
                j += 8
            }
            if j < columns {
                var tail = SIMD8<Float>(repeating: -.infinity)
                for lane in 0..<(columns - j) { tail[lane] = x[j + lane] }
                let e = FastMath.exp(tail - shift)
                for lane in 0..<(columns - j) { g[j + lane] = e[lane] }
                s1 += e
            }
            let expSum = (s0 + s1).sum()

            let t = Int(target)
            let zSum = configuration.smoothing > 0
                ? weightedShiftedSum(x, columns: columns, max: rowMax, weight: configuration.weight?.baseAddress)
                : 0
            // Pass 3: the gradient.
            let rowScale = scale * (upstream?[i] ?? 1)
            let loss = finishRow(
                gradient: g, columns: columns, target: t, zTarget: x[t] - rowMax,
                weightedZSum: zSum, logSum: FastMath.log(expSum), expSum: expSum,
                configuration: configuration, weightSum: weightSum, rowScale: rowScale,
                totals: &totals)
            rowLosses?[i] = loss
        }
        return totals
    }

    /// Rows per block in ``blocked`` (rows shorter than 16 classes).
    private static var blockRows: Int { 64 }

    /// Blocks of short rows: the exponentials and logarithms are vectorised across rows.
    private static func blocked(
        logits: UnsafePointer<Float>, rows: Int, columns: Int,
        targets: UnsafePointer<Int32>, configuration: Configuration,
        scale: Float, upstream: UnsafePointer<Float>?,
        gradient: UnsafeMutablePointer<Float>, rowLosses: UnsafeMutablePointer<Float>?
    ) -> Totals {
        var totals = Totals()
        let weightSum = weightSum(configuration, columns: columns)
        let weight = configuration.weight?.baseAddress
        let smoothing = configuration.smoothing > 0
        // 4 × 64 floats (1 KiB): small enough to live on the stack.
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * blockRows) { scratch in
            let sums = scratch.baseAddress.unsafelyUnwrapped
            let logs = sums + blockRows
            let zTargets = logs + blockRows
            let zSums = zTargets + blockRows
            var start = 0
            while start < rows {
                let count = Swift.min(blockRows, rows - start)
                let block = gradient + start * columns
                // Shift every row by its maximum.
                for r in 0..<count {
                    let x = logits + (start + r) * columns
                    let g = block + r * columns
                    var rowMax = x[0]
                    for j in 1..<columns where x[j] > rowMax { rowMax = x[j] }
                    for j in 0..<columns { g[j] = x[j] - rowMax }
                    let target = targets[start + r]
                    zTargets[r] = target == configuration.ignoreIndex ? 0 : g[Int(target)]
                    if smoothing {
                        var total: Float = 0
                        if let weight {
                            for j in 0..<columns { total += weight[j] * g[j] }
                        } else {
                            for j in 0..<columns { total += g[j] }
                        }
                        zSums[r] = total
                    }
                }
                FastMath.expInPlace(UnsafeMutableBufferPointer(start: block, count: count * columns))
                for r in 0..<count {
                    let g = block + r * columns
                    var total: Float = 0
                    for j in 0..<columns { total += g[j] }
                    sums[r] = total
                }
                logs.update(from: sums, count: count)
                FastMath.logInPlace(UnsafeMutableBufferPointer(start: logs, count: count))
                for r in 0..<count {
                    let i = start + r
                    let g = block + r * columns
                    let target = targets[i]
                    if target == configuration.ignoreIndex {
                        g.update(repeating: 0, count: columns)
                        rowLosses?[i] = 0
                        continue
                    }
                    let rowScale = scale * (upstream?[i] ?? 1)
                    let loss = finishRow(
                        gradient: g, columns: columns, target: Int(target), zTarget: zTargets[r],
                        weightedZSum: smoothing ? zSums[r] : 0, logSum: logs[r],
                        expSum: sums[r], configuration: configuration, weightSum: weightSum,
                        rowScale: rowScale, totals: &totals)
                    rowLosses?[i] = loss
                }
                start += count
            }
            return totals
        }
    }
}
