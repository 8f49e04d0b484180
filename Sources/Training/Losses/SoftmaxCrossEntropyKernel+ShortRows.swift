// The fused softmax cross-entropy for short rows (few classes), a block of rows at a time.
extension SoftmaxCrossEntropyKernel {
    // MARK: Short rows

    /// Rows per block in ``blocked``: six per-row scratch arrays of this length fit in 1 KiB of
    /// stack.
    static var blockRows: Int { 40 }

    /// Per-row values of one block, structure-of-arrays (each `blockRows` long).
    struct RowScratch {
        /// Σⱼ exp zᵢⱼ on entry; on exit 1/Σ (smoothing) or the gradient factor kNLL/Σ.
        let sums: UnsafeMutablePointer<Float>
        /// On exit the one-hot coefficient kNLL.
        let coefficients: UnsafeMutablePointer<Float>
        /// zᵢy on entry; on exit the smoothing coefficient sᵢ·ε/C.
        let zTargets: UnsafeMutablePointer<Float>
        /// w[yᵢ], 0 for ignored rows.
        let targetWeights: UnsafeMutablePointer<Float>
        /// Σ_c w[c]·zᵢc (smoothing only).
        let zWeighted: UnsafeMutablePointer<Float>
        /// sᵢ, the row's gradient scale (only with per-row upstream factors).
        let scales: UnsafeMutablePointer<Float>
    }

    /// Blocks of up to 40 short rows (fewer than 16 classes). The exponentials run over the
    /// block's elements eight at a time regardless of row boundaries, the logarithms and the
    /// per-row coefficients eight rows at a time; only the O(C) bookkeeping of each row is scalar.
    static func blocked(
        logits: UnsafePointer<Float>, rows: Int, columns: Int,
        targets: UnsafePointer<Int32>, configuration: Configuration,
        scale: Float, upstream: UnsafePointer<Float>?,
        gradient: UnsafeMutablePointer<Float>, rowLosses: UnsafeMutablePointer<Float>?
    ) -> Totals {
        // A copy of the loop for each of the commonest widths, with the width a constant so
        // that the per-row loops unroll; the rest share one copy.
        func run(_ width: Int) -> Totals {
            blockedLoop(
                logits: logits, rows: rows, columns: width, targets: targets,
                configuration: configuration, scale: scale, upstream: upstream,
                gradient: gradient, rowLosses: rowLosses)
        }
        switch columns {
        case 1: return run(1)
        case 2: return run(2)
        case 3: return run(3)
        case 4: return run(4)
        case 5: return run(5)
        case 6: return run(6)
        case 7: return run(7)
        case 8: return run(8)
        default: return run(columns)
        }
    }

    /// The body of ``blocked``.
    @inline(__always)
    static func blockedLoop(
        logits: UnsafePointer<Float>, rows: Int, columns: Int,
        targets: UnsafePointer<Int32>, configuration: Configuration,
        scale: Float, upstream: UnsafePointer<Float>?,
        gradient: UnsafeMutablePointer<Float>, rowLosses: UnsafeMutablePointer<Float>?
    ) -> Totals {
        let block = blockRows
        let weight = configuration.weight?.baseAddress
        let ignoreIndex = configuration.ignoreIndex
        let smoothing = configuration.smoothing > 0
        let weightSum = weightSum(configuration, columns: columns)
        var totals = Totals()
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * block) { buffer in
            let base = buffer.baseAddress.unsafelyUnwrapped
            let scratch = RowScratch(
                sums: base, coefficients: base + block, zTargets: base + 2 * block,
                targetWeights: base + 3 * block, zWeighted: base + 4 * block, scales: base + 5 * block)
            var start = 0
            while start < rows {
                let count = Swift.min(block, rows - start)
                let padded = (count + 7) & ~7
                let blockStart = gradient + start * columns
                // Shift each row by its maximum; note the row's target, weight and scale.
                for r in 0..<count {
                    let i = start + r
                    let x = logits + i * columns
                    let g = blockStart + r * columns
                    var rowMax = x[0]
                    for j in 1..<columns where x[j] > rowMax { rowMax = x[j] }
                    for j in 0..<columns { g[j] = x[j] - rowMax }
                    let target = targets[i]
                    if target == ignoreIndex {
                        scratch.zTargets[r] = 0
                        scratch.targetWeights[r] = 0
                        scratch.zWeighted[r] = 0
                    } else {
                        scratch.zTargets[r] = g[Int(target)]
                        scratch.targetWeights[r] = weight?[Int(target)] ?? 1
                        if smoothing {
                            var total: Float = 0
                            if let weight {
                                for j in 0..<columns { total += weight[j] * g[j] }
                            } else {
                                for j in 0..<columns { total += g[j] }
                            }
                            scratch.zWeighted[r] = total
                        }
                    }
                    if let upstream { scratch.scales[r] = scale * upstream[i] }
                }
                FastMath.expOfNonPositiveInPlace(UnsafeMutableBufferPointer(start: blockStart, count: count * columns))
                for r in 0..<count {
                    let g = blockStart + r * columns
                    var total: Float = 0
                    for j in 0..<columns { total += g[j] }
                    // Ignored rows get a harmless sum (their weight is 0 and gradient cleared).
                    scratch.sums[r] = targets[start + r] == ignoreIndex ? 1 : total
                }
                for r in count..<padded {
                    scratch.sums[r] = 1
                    scratch.zTargets[r] = 0
                    scratch.targetWeights[r] = 0
                    scratch.zWeighted[r] = 0
                    if upstream != nil { scratch.scales[r] = 0 }
                }
                rowTerms(
                    scratch, count: count, padded: padded, scale: upstream == nil ? scale : nil,
                    smoothing: configuration.smoothing,
                    classes: columns, weightSum: weightSum, rowLosses: rowLosses.map { $0 + start },
                    totals: &totals)
                // The gradient rows.
                for r in 0..<count {
                    let g = blockStart + r * columns
                    let target = targets[start + r]
                    if target == ignoreIndex {
                        g.update(repeating: 0, count: columns)
                        continue
                    }
                    let kNLL = scratch.coefficients[r]
                    if smoothing {
                        let inverseSum = scratch.sums[r]
                        let kSmooth = scratch.zTargets[r]
                        for j in 0..<columns {
                            let p = g[j] * inverseSum
                            g[j] = kNLL * p + kSmooth * (weightSum * p - (weight?[j] ?? 1))
                        }
                    } else {
                        let k = scratch.sums[r]
                        for j in 0..<columns { g[j] *= k }
                    }
                    g[Int(target)] -= kNLL
                }
                start += count
            }
            return totals
        }
    }

    /// The per-row logarithms, losses and gradient coefficients of one block, eight rows at a
    /// time (a separate function so that it compiles to straight vector code). `scale` is the
    /// gradient scale shared by all rows, or `nil` to read per-row scales from the scratch.
    @inline(never)
    static func rowTerms(
        _ scratch: RowScratch, count: Int, padded: Int, scale: Float?, smoothing eps: Float, classes: Int,
        weightSum: Float, rowLosses: UnsafeMutablePointer<Float>?, totals: inout Totals
    ) {
        let share = eps / Float(classes)
        var nllTotal = SIMD8<Float>()
        var smoothTotal = SIMD8<Float>()
        var r = 0
        while r < padded {
            let s = FastMath.load(scratch.sums + r)
            let logSum = logOfSum(s)
            let wy = FastMath.load(scratch.targetWeights + r)
            let rowScale = scale.map { SIMD8(repeating: $0) } ?? FastMath.load(scratch.scales + r)
            let nll = wy * (logSum - FastMath.load(scratch.zTargets + r))
            nllTotal += nll
            var loss = nll
            if eps > 0 {
                let smooth = logSum * weightSum - FastMath.load(scratch.zWeighted + r)
                smoothTotal += smooth
                loss = (1 - eps) * nll + share * smooth
                FastMath.store(rowScale * ((1 - eps) * wy), scratch.coefficients + r)
                FastMath.store(1 / s, scratch.sums + r)
                FastMath.store(rowScale * share, scratch.zTargets + r)
            } else {
                let kNLL = rowScale * wy
                FastMath.store(kNLL, scratch.coefficients + r)
                FastMath.store(kNLL / s, scratch.sums + r)
            }
            if let rowLosses {
                if r + 8 <= count {
                    FastMath.store(loss, rowLosses + r)
                } else {
                    for lane in 0..<(count - r) { rowLosses[r + lane] = loss[lane] }
                }
            }
            r += 8
        }
        totals.nll += Double(nllTotal.sum())
        if eps > 0 { totals.smooth += Double(smoothTotal.sum()) }
    }
}
