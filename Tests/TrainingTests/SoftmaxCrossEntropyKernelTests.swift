import Foundation
import Testing
@testable import Training

/// The fused kernel against a direct double-precision evaluation of its formulas, for every
/// row width from 1 to 40 (both the blocked short-row path, with each specialised width, and
/// the row-wise path with every tail length), with ignored rows, weights and smoothing.
@Suite struct SoftmaxCrossEntropyKernelTests {
    /// lossᵢ and ∂lossᵢ/∂xᵢⱼ in Double, straight from the definitions.
    static func reference(
        logits: Matrix, targets: [Int32], weight: [Float]?, smoothing: Double, ignoreIndex: Int32
    ) -> (losses: [Double], gradient: [Double]) {
        let c = logits.columns
        var losses = [Double](repeating: 0, count: logits.rows)
        var gradient = [Double](repeating: 0, count: logits.count)
        for i in 0..<logits.rows where targets[i] != ignoreIndex {
            let row = (0..<c).map { Double(logits[i, $0]) }
            let top = row.max() ?? 0
            let logSum = Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - top) }) + top
            let w = (0..<c).map { Double(weight?[$0] ?? 1) }
            let y = Int(targets[i])
            var loss = (1 - smoothing) * w[y] * (logSum - row[y])
            // (Skipped without smoothing, where masked −∞ logits would give 0·∞.)
            for k in 0..<c where smoothing > 0 { loss += smoothing / Double(c) * w[k] * (logSum - row[k]) }
            losses[i] = loss
            let mass = (1 - smoothing) * w[y] + smoothing / Double(c) * w.reduce(0, +)
            for j in 0..<c {
                let p = Foundation.exp(row[j] - logSum)
                gradient[i * c + j] = p * mass - (j == y ? (1 - smoothing) * w[y] : 0) - smoothing / Double(c) * w[j]
            }
        }
        return (losses, gradient)
    }

    /// Within 1e-5 relative or 1e-6 absolute of the Double reference.
    static func close(_ actual: Float, _ expected: Double) -> Bool {
        let difference: Double = abs(Double(actual) - expected)
        return difference <= 1e-5 * abs(expected) + 1e-6
    }

    /// The losses and gradient elements not ``close(_:_:)`` to the reference, described.
    static func mismatches(
        losses: [Float], gradient: [Float], expected: (losses: [Double], gradient: [Double])
    ) -> [String] {
        var result: [String] = []
        for i in losses.indices where !close(losses[i], expected.losses[i]) {
            result.append("loss of row \(i): \(losses[i]) vs \(expected.losses[i])")
        }
        for k in gradient.indices where !close(gradient[k], expected.gradient[k]) {
            result.append("gradient element \(k): \(gradient[k]) vs \(expected.gradient[k])")
        }
        return result
    }

    @Test func everyRowWidthMatchesADoublePrecisionReference() throws {
        var rng = LossTestRandom(seed: 3)
        for columns in 1...40 {
            for (weighted, smoothing) in [(false, Float(0)), (true, Float(0.2))] {
                let rows = 43 + columns % 5                          // more than one block
                var logits = Matrix(rows: rows, columns: columns)
                for k in logits.storage.indices { logits.storage[k] = 3 * rng.normal() }
                let targets = (0..<rows).map { i -> Int32 in
                    i % 7 == 3 ? -100 : Int32(rng.next() % UInt64(columns))
                }
                let weight = weighted ? (0..<columns).map { _ in Float(rng.unit() * 2) } : nil
                let loss = try CrossEntropyLoss(weight: weight, reduction: .none, labelSmoothing: smoothing)
                let values = try loss.forward(logits: logits, targets: targets)
                let gradient = try loss.backward(logits: logits, targets: targets)
                let expected = Self.reference(
                    logits: logits, targets: targets, weight: weight, smoothing: Double(smoothing), ignoreIndex: -100)
                let context = "width \(columns), weighted \(weighted), smoothing \(smoothing)"
                let mismatches = Self.mismatches(losses: values.storage, gradient: gradient.storage, expected: expected)
                #expect(mismatches.isEmpty, "\(context): \(mismatches.count) mismatches, first \(mismatches.prefix(3))")
            }
        }
    }

    /// The long-row sweep with each kind of vector loop this CPU runs (portable Swift, and on
    /// x86-64 the AVX2 and AVX-512 loops of `CVectorMath`), over widths around the 8-, 16- and
    /// 32-lane steps, with masked (−∞) logits, ignored rows, weights and smoothing, and with the
    /// gradient written over the logits, as the logit-adjusted path does.
    @Test func everyRowLoopMatchesADoublePrecisionReference() throws {
        var rng = LossTestRandom(seed: 11)
        for loops in SoftmaxCrossEntropyKernel.RowLoops.available {
            for columns in [16, 17, 23, 24, 31, 32, 33, 40, 47, 48, 49, 63, 64, 65, 100, 1000] {
                for (weighted, smoothing, inPlace) in [(false, Float(0), false), (true, Float(0.2), false), (false, Float(0), true)] {
                    let rows = 7
                    var logits = Matrix(rows: rows, columns: columns)
                    for k in logits.storage.indices { logits.storage[k] = 3 * rng.normal() }
                    let targets = (0..<rows).map { i -> Int32 in i == 4 ? -100 : Int32(rng.next() % UInt64(columns)) }
                    if smoothing == 0 {
                        // Masked classes (−∞) other than the target: exp gives exactly 0.
                        for i in 0..<rows {
                            let j = (Int(targets[i] < 0 ? 0 : targets[i]) + 1 + i) % columns
                            logits.storage[i * columns + j] = -.infinity
                        }
                    }
                    let weight = weighted ? (0..<columns).map { _ in Float(rng.unit() * 2) } : nil
                    let expected = Self.reference(
                        logits: logits, targets: targets, weight: weight, smoothing: Double(smoothing), ignoreIndex: -100)
                    var gradient = inPlace ? logits.storage : [Float](repeating: .nan, count: logits.count)
                    var losses = [Float](repeating: .nan, count: rows)
                    let totals = targets.withUnsafeBufferPointer { t in
                        (weight ?? []).withUnsafeBufferPointer { w in
                            logits.storage.withUnsafeBufferPointer { x in
                                gradient.withUnsafeMutableBufferPointer { g in
                                    losses.withUnsafeMutableBufferPointer { l in
                                        let batch = SoftmaxCrossEntropyKernel.Batch(
                                            logits: inPlace ? UnsafePointer(g.baseAddress!) : x.baseAddress!,
                                            rows: rows, columns: columns, targets: t.baseAddress!, scale: 1,
                                            upstream: nil, gradient: g.baseAddress!, rowLosses: l.baseAddress)
                                        let configuration = SoftmaxCrossEntropyKernel.Configuration(
                                            weight: weight == nil ? nil : w, ignoreIndex: -100, smoothing: smoothing)
                                        return SoftmaxCrossEntropyKernel.rowwise(batch, configuration: configuration, loops: loops)
                                    }
                                }
                            }
                        }
                    }
                    let context = "\(loops) loops, width \(columns), weighted \(weighted), smoothing \(smoothing), in place \(inPlace)"
                    let mismatches = Self.mismatches(losses: losses, gradient: gradient, expected: expected)
                    #expect(mismatches.isEmpty, "\(context): \(mismatches.count) mismatches, first \(mismatches.prefix(3))")
                    if smoothing == 0 {
                        // Without smoothing the loss is all nll (ignored rows add 0).
                        let nll = expected.losses.reduce(0, +)
                        #expect(abs(totals.nll - nll) <= 1e-5 * abs(nll), "\(context): Σ nll \(totals.nll) vs \(nll)")
                    }
                }
            }
        }
    }

    /// A NaN logit makes its row's loss NaN and leaves the other rows alone, with every loop;
    /// a row of NaN too.
    @Test func nanLogitsStayInTheirRowWithEveryLoop() throws {
        let columns = 37
        var logits = Matrix(rows: 3, columns: columns)
        for k in logits.storage.indices { logits.storage[k] = Float(k % 11) * 0.5 - 2 }
        logits.storage[columns + 30] = .nan
        for j in 0..<columns { logits.storage[2 * columns + j] = .nan }
        let targets: [Int32] = [3, 5, 7]
        let clean = Self.reference(logits: Matrix(rows: 1, columns: columns, storage: Array(logits.storage[0..<columns])),
                                   targets: [3], weight: nil, smoothing: 0, ignoreIndex: -100)
        for loops in SoftmaxCrossEntropyKernel.RowLoops.available {
            var gradient = [Float](repeating: 0, count: logits.count)
            var losses = [Float](repeating: 0, count: 3)
            _ = targets.withUnsafeBufferPointer { t in
                logits.storage.withUnsafeBufferPointer { x in
                    gradient.withUnsafeMutableBufferPointer { g in
                        losses.withUnsafeMutableBufferPointer { l in
                            SoftmaxCrossEntropyKernel.rowwise(
                                SoftmaxCrossEntropyKernel.Batch(
                                    logits: x.baseAddress!, rows: 3, columns: columns, targets: t.baseAddress!, scale: 1,
                                    upstream: nil, gradient: g.baseAddress!, rowLosses: l.baseAddress),
                                configuration: .init(weight: nil, ignoreIndex: -100, smoothing: 0), loops: loops)
                        }
                    }
                }
            }
            #expect(Self.close(losses[0], clean.losses[0]), "\(loops): clean row \(losses[0]) vs \(clean.losses[0])")
            let wrong = (0..<columns).first { !Self.close(gradient[$0], clean.gradient[$0]) }
            #expect(wrong == nil, "\(loops): the clean row's gradient differs at column \(wrong ?? -1)")
            #expect(losses[1].isNaN && losses[2].isNaN, "\(loops): rows with NaN give \(losses[1]), \(losses[2])")
        }
    }

    @Test func normalizerSumsTargetWeightsOfRowsNotIgnored() throws {
        let targets: [Int32] = [0, 2, -100, 2, 1]
        let weight: [Float] = [0.5, 1, 2]
        let weighted = try targets.withUnsafeBufferPointer { t in
            try weight.withUnsafeBufferPointer { w in
                try SoftmaxCrossEntropyKernel.normalizer(targets: t, classes: 3, weight: w, ignoreIndex: -100)
            }
        }
        #expect(weighted == 5.5)  // 0.5 + 2 + 2 + 1
        let counted = try targets.withUnsafeBufferPointer { t in
            try SoftmaxCrossEntropyKernel.normalizer(targets: t, classes: 3, weight: nil, ignoreIndex: -100)
        }
        #expect(counted == 4)
    }
}
