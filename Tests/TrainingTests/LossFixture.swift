import Foundation
import Testing
import TestSupport
@testable import Training

/// A file written by `scripts/fixtures/make_loss_fixtures.py`: PyTorch's values and input
/// gradients for one loss over many option combinations.
struct LossFixture: Decodable {
    /// The torch version that produced the file.
    let torch: String
    let cases: [Case]

    /// One evaluation: options as strings, tensors by name.
    struct Case: Decodable, CustomStringConvertible {
        let name: String
        let options: [String: String]
        let tensors: [String: Tensor]

        var description: String { name }

        /// The named tensor as a matrix: 2-D as is, 1-D `[n]` as `n × 1`, 0-D as `1 × 1`.
        func matrix(_ key: String) throws -> Matrix {
            let tensor = try #require(tensors[key], "case \(name) has no tensor \(key)")
            let values = try tensor.floats()
            switch tensor.shape.count {
            case 0: return Matrix(rows: 1, columns: 1, storage: values)
            case 1: return Matrix(rows: tensor.shape[0], columns: 1, storage: values)
            default: return Matrix(rows: tensor.shape[0], columns: tensor.shape[1], storage: values)
            }
        }

        /// The named tensor's values, or `nil` when the case has no such tensor.
        func floats(_ key: String) throws -> [Float]? {
            try tensors[key]?.floats()
        }

        /// The named integer tensor's values.
        func ints(_ key: String) throws -> [Int32] {
            let tensor = try #require(tensors[key], "case \(name) has no tensor \(key)")
            return try tensor.data.split(separator: " ").map { word in
                try #require(Int32(word), "case \(name): \(word) in \(key) is not an integer")
            }
        }

        /// The named option, which must be present.
        func option(_ key: String) throws -> String {
            try #require(options[key], "case \(name) has no option \(key)")
        }

        /// The named option as a float.
        func floatOption(_ key: String) throws -> Float {
            let text = try option(key)
            return try #require(Float(text), "case \(name): option \(key) = \(text) is not a number")
        }

        /// The `reduction` option.
        func reduction() throws -> LossReduction {
            let text = try option("reduction")
            return try #require(LossReduction(rawValue: text), "case \(name): unknown reduction \(text)")
        }

        /// The `weight`, `ignore_index` (−100 when absent or not an integer, PyTorch's default)
        /// and `reduction` of a class-target loss (NLL, cross-entropy).
        func classTargetOptions() throws -> (weight: [Float]?, ignoreIndex: Int32, reduction: LossReduction) {
            (try floats("weight"), Int32(try option("ignore_index")) ?? -100, try reduction())
        }
    }

    /// A tensor as stored: its shape and its values as space-separated decimals.
    struct Tensor: Decodable {
        let shape: [Int]
        let data: String

        func floats() throws -> [Float] {
            try data.split(separator: " ").map { word in
                try #require(Float(String(word)), "\(word) is not a float")
            }
        }
    }

    /// Loads `Fixtures/losses/<name>.json` from the test bundle.
    static func load(_ name: String) throws -> LossFixture {
        try fixtures.decode(LossFixture.self, from: "losses/\(name).json")
    }
}

/// Float comparison for parity with PyTorch: |actual − expected| ≤ 1e-5·|expected| + atol with
/// atol = `absoluteScale`·max|expected| over the tensor (so values that are tiny because of
/// cancellation next to large ones are compared at the tensor's scale), or `absoluteFloor` where
/// a test knows the terms that cancel are larger than the result. NaN must meet NaN and
/// infinities must agree exactly.
enum LossParity {
    static let relative: Float = 1e-5
    static let absoluteScale: Float = 1e-6

    /// Records an issue naming `context`, the index and both values for every element that
    /// differs; returns whether all agreed.
    @discardableResult
    static func expect(
        _ actual: Matrix, _ expected: Matrix, _ context: String,
        relative: Float = LossParity.relative, absoluteScale: Float = LossParity.absoluteScale,
        absoluteFloor: Float = 0, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        guard actual.rows == expected.rows, actual.columns == expected.columns else {
            Issue.record("\(context): shape \(actual.rows)×\(actual.columns), expected \(expected.rows)×\(expected.columns)", sourceLocation: sourceLocation)
            return false
        }
        var scale: Float = 0
        for v in expected.storage where v.isFinite { scale = max(scale, abs(v)) }
        let tolerance = max(absoluteScale * scale, absoluteFloor)
        var failures = 0
        for k in expected.storage.indices {
            let a = actual.storage[k]
            let e = expected.storage[k]
            if close(a, e, relative: relative, absolute: tolerance) { continue }
            failures += 1
            if failures <= 5 {
                Issue.record("\(context): element \(k) (row \(k / max(expected.columns, 1)), column \(k % max(expected.columns, 1))) is \(a), torch has \(e)", sourceLocation: sourceLocation)
            }
        }
        return failures == 0
    }

    /// Whether `a` is within tolerance of `e`.
    static func close(_ a: Float, _ e: Float, relative: Float, absolute: Float) -> Bool {
        if e.isNaN { return a.isNaN }
        if e.isInfinite { return a == e }
        guard a.isFinite else { return false }
        return abs(a - e) <= relative * abs(e) + absolute
    }
}

/// A small seeded generator for the tests that make their own data (SplitMix64).
struct LossTestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Float {
        let u = max(unit(), 1e-300)
        return Float((-2 * Foundation.log(u)).squareRoot() * cos(2 * Double.pi * unit()))
    }
}

extension LossFixture {
    /// The cases of `file`, which must hold at least `minimum` of them.
    static func cases(_ file: String, minimum: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Case] {
        let fixture = try load(file)
        #expect(fixture.cases.count >= minimum, "\(file): \(fixture.cases.count) cases", sourceLocation: sourceLocation)
        return fixture.cases
    }

    /// Checks an elementwise loss (input and target of one shape) against every case of `file`:
    /// the forward output and the input gradient for the case's upstream gradient, of the loss
    /// `loss` makes with the case's options.
    static func checkElementwise<Loss: ElementwiseLoss>(
        _ file: String, minimumCases: Int, loss: (Case) throws -> Loss
    ) throws {
        for c in try cases(file, minimum: minimumCases) {
            let input = try c.matrix("input")
            let target = try c.matrix("target")
            let made = try loss(c)
            LossParity.expect(try made.forward(input, target), try c.matrix("output"), "\(c.name): output")
            LossParity.expect(try made.backward(input, target, upstream: c.matrix("upstream")), try c.matrix("grad_input"), "\(c.name): gradient")
        }
    }

    /// Checks a loss of two inputs against every case of `file`: `run` evaluates it on the
    /// case's `input1` and `input2` (with the case's options, target and upstream gradient),
    /// and its output and both input gradients are compared with the case's, the gradients at
    /// an absolute tolerance of at least `gradientFloor`.
    static func checkTwoInputs(
        _ file: String, minimumCases: Int, gradientFloor: Float = 0,
        run: (Case, Matrix, Matrix) throws -> (output: Matrix, gradients: (input1: Matrix, input2: Matrix))
    ) throws {
        for c in try cases(file, minimum: minimumCases) {
            let (output, gradients) = try run(c, try c.matrix("input1"), try c.matrix("input2"))
            LossParity.expect(output, try c.matrix("output"), "\(c.name): output")
            LossParity.expect(gradients.input1, try c.matrix("grad_input1"), "\(c.name): gradient of input1", absoluteFloor: gradientFloor)
            LossParity.expect(gradients.input2, try c.matrix("grad_input2"), "\(c.name): gradient of input2", absoluteFloor: gradientFloor)
        }
    }
}
