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
            for k in 0..<c { loss += smoothing / Double(c) * w[k] * (logSum - row[k]) }
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
                var mismatches: [String] = []
                for i in 0..<rows where !Self.close(values.storage[i], expected.losses[i]) {
                    mismatches.append("loss of row \(i): \(values.storage[i]) vs \(expected.losses[i])")
                }
                for k in gradient.storage.indices where !Self.close(gradient.storage[k], expected.gradient[k]) {
                    mismatches.append("gradient element \(k): \(gradient.storage[k]) vs \(expected.gradient[k])")
                }
                #expect(mismatches.isEmpty, "\(context): \(mismatches.count) mismatches, first \(mismatches.prefix(3))")
            }
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
