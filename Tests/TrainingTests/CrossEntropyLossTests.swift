import Testing
@testable import Training

@Suite struct CrossEntropyLossTests {
    private static func loss(for fixtureCase: LossFixture.Case) throws -> CrossEntropyLoss {
        let options = try fixtureCase.classTargetOptions()
        return try CrossEntropyLoss(
            weight: options.weight, ignoreIndex: options.ignoreIndex, reduction: options.reduction,
            labelSmoothing: try fixtureCase.floatOption("label_smoothing"))
    }

    @Test func classTargetsMatchPyTorch() throws {
        let fixture = try LossFixture.load("cross_entropy_loss")
        #expect(fixture.cases.count > 100)
        for c in fixture.cases {
            let loss = try Self.loss(for: c)
            let logits = try c.matrix("logits")
            let targets = try c.ints("targets")
            let upstream = try c.matrix("upstream")
            let output = try loss.forward(logits: logits, targets: targets)
            LossParity.expect(output, try c.matrix("output"), "\(c.name): output")
            let gradient = try loss.backward(logits: logits, targets: targets, upstream: upstream)
            LossParity.expect(gradient, try c.matrix("grad_logits"), "\(c.name): gradient")
        }
    }

    @Test func fusedPathMatchesPyTorch() throws {
        let fixture = try LossFixture.load("cross_entropy_loss")
        // One gradient buffer for every case, as in training: shapes change from case to case.
        var gradient = Matrix(rows: 0, columns: 0)
        var checked = 0
        for c in fixture.cases where try c.reduction() != .none {
            let loss = try Self.loss(for: c)
            let value = try loss.valueAndGradient(
                logits: try c.matrix("logits"), targets: try c.ints("targets"), gradient: &gradient)
            LossParity.expect(Matrix(rows: 1, columns: 1, repeating: value), try c.matrix("output"), "\(c.name): value")
            LossParity.expect(gradient, try c.matrix("grad_logits"), "\(c.name): gradient")
            checked += 1
        }
        #expect(checked > 50)
    }

    @Test func probabilityTargetsMatchPyTorch() throws {
        let fixture = try LossFixture.load("cross_entropy_loss_probabilities")
        #expect(fixture.cases.count == 24)
        for c in fixture.cases {
            let loss = try CrossEntropyLoss(
                weight: try c.floats("weight"), reduction: try c.reduction(),
                labelSmoothing: try c.floatOption("label_smoothing"))
            let logits = try c.matrix("logits")
            let probabilities = try c.matrix("probabilities")
            let output = try loss.forward(logits: logits, probabilities: probabilities)
            LossParity.expect(output, try c.matrix("output"), "\(c.name): output")
            let gradient = try loss.backward(logits: logits, probabilities: probabilities, upstream: try c.matrix("upstream"))
            LossParity.expect(gradient, try c.matrix("grad_logits"), "\(c.name): gradient")
        }
    }

    @Test func meanOverAllIgnoredRowsIsNaNWithZeroGradient() throws {
        let logits = Matrix([[1, 2, 3], [0.5, -1, 2]])
        for smoothing: Float in [0, 0.2] {
            let loss = try CrossEntropyLoss(weight: [1, 2, 3], labelSmoothing: smoothing)
            var gradient = Matrix(rows: 0, columns: 0)
            let value = try loss.valueAndGradient(logits: logits, targets: [-100, -100], gradient: &gradient)
            #expect(value.isNaN, "smoothing \(smoothing)")
            #expect(gradient.storage.allSatisfy { $0 == 0 }, "smoothing \(smoothing)")
            #expect(try loss.forward(logits: logits, targets: [-100, -100]).storage[0].isNaN)
        }
    }

    @Test func extremeLogitsStayFinite() throws {
        let logits = Matrix([[1000, -1000, 0], [-1000, -1000, -1000], [1000, 999, -1000]])
        let loss = try CrossEntropyLoss(reduction: .none, labelSmoothing: 0.1)
        let values = try loss.forward(logits: logits, targets: [1, 0, 1])
        #expect(values.storage.allSatisfy { $0.isFinite })
        let gradient = try loss.backward(logits: logits, targets: [1, 0, 1])
        #expect(gradient.storage.allSatisfy { $0.isFinite })
        // Row 0: log-softmax of the target is −2000, so its loss is about 0.9·2000 + 0.1/3·3000.
        #expect(abs(values.storage[0] - (0.9 * 2000 + 0.1 / 3 * 3000)) < 0.05)
    }

    /// Central differences in Double around the Float implementation; the loss is smooth, so
    /// the two agree to the precision a Float loss allows at step h.
    @Test func gradientMatchesFiniteDifferences() throws {
        var rng = LossTestRandom(seed: 7)
        for (weight, smoothing, reduction) in [
            (nil, Float(0), LossReduction.mean), ([0.5, 1.5, 1, 2, 0.25] as [Float]?, 0.2, .mean),
            (nil, 0.1, .sum), ([1, 2, 3, 0.5, 1] as [Float]?, 0, .sum),
        ] {
            let loss = try CrossEntropyLoss(weight: weight, reduction: reduction, labelSmoothing: smoothing)
            var logits = Matrix(rows: 4, columns: 5)
            for k in logits.storage.indices { logits.storage[k] = rng.normal() }
            let targets: [Int32] = [0, 3, -100, 4]
            var gradient = Matrix(rows: 0, columns: 0)
            _ = try loss.valueAndGradient(logits: logits, targets: targets, gradient: &gradient)
            let h: Float = 1e-2
            for k in logits.storage.indices {
                var plus = logits
                plus.storage[k] += h
                var minus = logits
                minus.storage[k] -= h
                let up = try loss.forward(logits: plus, targets: targets).storage[0]
                let down = try loss.forward(logits: minus, targets: targets).storage[0]
                let numeric = (Double(up) - Double(down)) / Double(2 * h)
                #expect(abs(numeric - Double(gradient.storage[k])) < 2e-4,
                        "weight \(String(describing: weight)), ε \(smoothing), \(reduction), element \(k)")
            }
        }
    }

    @Test func fusedPathRejectsUnreducedLoss() throws {
        let loss = try CrossEntropyLoss(reduction: .none)
        var gradient = Matrix(rows: 0, columns: 0)
        let error = try #require(throws: LossError.self) {
            try loss.valueAndGradient(logits: Matrix([[1, 2]]), targets: [0], gradient: &gradient)
        }
        #expect(error.description == "valueAndGradient needs reduction mean or sum; this CrossEntropyLoss has reduction none")
    }

    @Test func badArgumentsThrowClearErrors() throws {
        let logits = Matrix(rows: 4, columns: 3, repeating: 0.5)
        let loss = try CrossEntropyLoss()
        var gradient = Matrix(rows: 0, columns: 0)

        let outOfRange = try #require(throws: LossError.self) {
            try loss.valueAndGradient(logits: logits, targets: [0, 1, 2, 5], gradient: &gradient)
        }
        #expect(outOfRange.description == "target 5 at row 3 is out of range; expected 0..<3 or the ignore index -100")
        let negative = try #require(throws: LossError.self) {
            try loss.forward(logits: logits, targets: [0, -1, 2, 1])
        }
        #expect(negative.description == "target -1 at row 1 is out of range; expected 0..<3 or the ignore index -100")

        let count = try #require(throws: LossError.self) {
            try loss.backward(logits: logits, targets: [0, 1, 2])
        }
        #expect(count.description == "targets has 3 entries; expected 4 (one per row of logits)")

        let weighted = try CrossEntropyLoss(weight: [1, 2])
        let weightCount = try #require(throws: LossError.self) {
            try weighted.forward(logits: logits, targets: [0, 1, 2, 1])
        }
        #expect(weightCount.description == "weight has 2 entries; expected 3 (one per class, the columns of logits)")

        let noClasses = try #require(throws: LossError.self) {
            try loss.forward(logits: Matrix(rows: 2, columns: 0), targets: [0, 0])
        }
        #expect(noClasses.description == "logits has no columns; expected at least one class")

        let smoothing = try #require(throws: LossError.self) { try CrossEntropyLoss(labelSmoothing: 1.5) }
        #expect(smoothing.description == "labelSmoothing is 1.5; expected a value in 0...1")
        #expect(throws: LossError.self) { try CrossEntropyLoss(labelSmoothing: -0.1) }
        #expect(throws: LossError.self) { try CrossEntropyLoss(labelSmoothing: .nan) }

        let negativeWeight = try #require(throws: LossError.self) { try CrossEntropyLoss(weight: [1, -0.5, 2]) }
        #expect(negativeWeight.description == "weight[1] is -0.5; expected a finite, non-negative weight")
        #expect(throws: LossError.self) { try CrossEntropyLoss(weight: [1, .infinity]) }

        let upstream = try #require(throws: LossError.self) {
            try loss.backward(logits: logits, targets: [0, 1, 2, 1], upstream: Matrix(rows: 4, columns: 1))
        }
        #expect(upstream.description == "upstream gradient is 4×1; expected 1×1 (the shape of a reduced loss)")

        let probabilities = try #require(throws: LossError.self) {
            try loss.forward(logits: logits, probabilities: Matrix(rows: 4, columns: 2))
        }
        #expect(probabilities.description == "probabilities is 4×2; expected 4×3 (the shape of logits)")
    }

    @Test func ignoreIndexMayBeAValidClass() throws {
        let logits = Matrix([[1, 2, 3], [3, 1, 0], [0, 0, 5]])
        let ignoring = try CrossEntropyLoss(ignoreIndex: 1)
        let plain = try CrossEntropyLoss()
        // Ignoring class 1 equals dropping the rows whose target is 1.
        let withIgnored = try ignoring.forward(logits: logits, targets: [0, 1, 2]).storage[0]
        let dropped = try plain.forward(logits: Matrix([[1, 2, 3], [0, 0, 5]]), targets: [0, 2]).storage[0]
        #expect(abs(withIgnored - dropped) <= 1e-6 * abs(dropped))
    }

    // MARK: Long-tail losses

    /// The loss of a `cross_entropy_loss_logit_adjusted` case: logit-adjusted with its τ and π,
    /// or Balanced Softmax with the class counts.
    private static func adjustedLoss(for c: LossFixture.Case) throws -> CrossEntropyLoss {
        let tensor = try #require(c.tensors["priors"], "case \(c.name) has no priors")
        let priors = try tensor.data.split(separator: " ").map { try #require(Double(String($0))) }
        let adjustment: LogitAdjustment
        switch try c.option("kind") {
        case "balanced-softmax": adjustment = try .balancedSoftmax(priors: priors)
        case "logit-adjusted": adjustment = try .logitAdjusted(priors: priors, tau: try #require(Double(try c.option("tau"))))
        case let other: throw LossError.invalidOption(name: "fixture kind \(other)", value: 0, expected: "a known kind")
        }
        return try CrossEntropyLoss(
            weight: try c.floats("weight"), ignoreIndex: Int32(try c.option("ignore_index")) ?? -100,
            reduction: try c.reduction(), labelSmoothing: try c.floatOption("label_smoothing"),
            logitAdjustment: adjustment)
    }

    @Test("logit-adjusted cross-entropy and Balanced Softmax match torch on shifted logits, weights, ignore index and smoothing included")
    func logitAdjustedMatchesPyTorch() throws {
        let fixture = try LossFixture.load("cross_entropy_loss_logit_adjusted")
        #expect(fixture.cases.count > 100)
        var gradient = Matrix(rows: 0, columns: 0)
        var kinds = Set<String>()
        for c in fixture.cases {
            let loss = try Self.adjustedLoss(for: c)
            kinds.insert(try c.option("kind"))
            let logits = try c.matrix("logits")
            let upstream = try c.matrix("upstream")
            if c.tensors["probabilities"] != nil {
                let p = try c.matrix("probabilities")
                LossParity.expect(try loss.forward(logits: logits, probabilities: p), try c.matrix("output"), "\(c.name): output")
                LossParity.expect(try loss.backward(logits: logits, probabilities: p, upstream: upstream),
                                  try c.matrix("grad_logits"), "\(c.name): gradient")
                continue
            }
            let targets = try c.ints("targets")
            LossParity.expect(try loss.forward(logits: logits, targets: targets), try c.matrix("output"), "\(c.name): output")
            LossParity.expect(try loss.backward(logits: logits, targets: targets, upstream: upstream),
                              try c.matrix("grad_logits"), "\(c.name): gradient")
            guard loss.reduction != .none else { continue }
            // The fused training path, its gradient buffer reused from case to case.
            let value = try loss.valueAndGradient(logits: logits, targets: targets, gradient: &gradient)
            LossParity.expect(Matrix(rows: 1, columns: 1, repeating: value), try c.matrix("output"), "\(c.name): fused value")
            LossParity.expect(gradient, try c.matrix("grad_logits"), "\(c.name): fused gradient")
        }
        #expect(kinds == ["logit-adjusted", "balanced-softmax"])
    }

    @Test func logitAdjustmentLeavesTheLogitsUntouchedAndZeroTauIsPlainCrossEntropy() throws {
        let logits = Matrix([[1, 2, 3], [0.5, -1, 2], [4, 0, -2]])
        let targets: [Int32] = [2, 0, 1]
        let priors = [0.7, 0.2, 0.1]
        let plain = try CrossEntropyLoss(weight: [1, 2, 0.5])
        let zero = try CrossEntropyLoss(weight: [1, 2, 0.5], logitAdjustment: .logitAdjusted(priors: priors, tau: 0))
        #expect(try zero.forward(logits: logits, targets: targets) == plain.forward(logits: logits, targets: targets))
        let adjusted = try CrossEntropyLoss(logitAdjustment: .logitAdjusted(priors: priors))
        let copy = logits
        _ = try adjusted.backward(logits: logits, targets: targets)
        #expect(logits == copy)
        // Balanced Softmax is τ = 1, and counts give the same shift up to a constant.
        let counts = try CrossEntropyLoss(logitAdjustment: .balancedSoftmax(priors: [700, 200, 100]))
        let a = try adjusted.forward(logits: logits, targets: targets).storage[0]
        let b = try counts.forward(logits: logits, targets: targets).storage[0]
        #expect(abs(a - b) <= 1e-5 * abs(a))
        #expect(try LogitAdjustment.balancedSoftmax(priors: priors) == LogitAdjustment.logitAdjusted(priors: priors, tau: 1))
    }

    @Test func badLogitAdjustmentsAreErrors() throws {
        for tau in [Double.nan, .infinity, -.infinity] {
            let error = try #require(throws: LossError.self) { try LogitAdjustment.logitAdjusted(priors: [0.5, 0.5], tau: tau) }
            #expect(error.description.hasPrefix("logit adjustment τ is"), "\(error)")
            #expect(error.description.hasSuffix("expected a finite number"), "\(error)")
        }
        let zero = try #require(throws: LossError.self) { try LogitAdjustment.logitAdjusted(priors: [0.5, 0, 0.5]) }
        #expect(zero.description == "logit adjustment prior of class 1 is 0.0; expected a positive, finite class frequency")
        #expect(throws: LossError.self) { try LogitAdjustment.balancedSoftmax(priors: []) }
        #expect(throws: LossError.self) { try LogitAdjustment.balancedSoftmax(priors: [1, .nan]) }
        let adjustment = try LogitAdjustment.logitAdjusted(priors: [0.5, 0.25, 0.25])
        let weights = try #require(throws: LossError.self) { try CrossEntropyLoss(weight: [1, 1], logitAdjustment: adjustment) }
        #expect(weights.description == "weight has 2 entries; expected 3 (one per class of the logit adjustment)")
        let columns = try #require(throws: LossError.self) {
            try CrossEntropyLoss(logitAdjustment: adjustment).forward(logits: Matrix([[1, 2], [3, 4]]), targets: [0, 1])
        }
        #expect(columns.description == "logit adjustment has 3 entries; expected 2 (one per class, the columns of logits)")
    }
}
