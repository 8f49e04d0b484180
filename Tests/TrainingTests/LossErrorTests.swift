import Testing
@testable import Training

/// Every error case describes what was found and what was expected.
@Suite struct LossErrorTests {
    @Test func descriptionsNameTheArgumentAndTheExpectation() {
        let cases: [(LossError, String)] = [
            (.targetOutOfRange(target: 5, row: 3, classes: 3, ignoreIndex: -100),
             "target 5 at row 3 is out of range; expected 0..<3 or the ignore index -100"),
            (.targetOutOfRange(target: 7, row: 0, classes: 2, ignoreIndex: nil),
             "target 7 at row 0 is out of range; expected 0..<2"),
            (.shapeMismatch(argument: "target", rows: 2, columns: 3, expectedRows: 2, expectedColumns: 4, reason: "the shape of input"),
             "target is 2×3; expected 2×4 (the shape of input)"),
            (.countMismatch(argument: "weight", count: 1, expected: 3, reason: "one per class"),
             "weight has 1 entry; expected 3 (one per class)"),
            (.noClasses(argument: "logits"), "logits has no columns; expected at least one class"),
            (.invalidWeight(argument: "weight", index: 2, value: -1), "weight[2] is -1.0; expected a finite, non-negative weight"),
            (.invalidOption(name: "beta", value: -2, expected: "a finite number ≥ 0"), "beta is -2.0; expected a finite number ≥ 0"),
            (.valueOutOfRange(argument: "input of BCELoss", row: 1, column: 0, value: 2, expected: "a probability in 0...1"),
             "input of BCELoss at row 1, column 0 is 2.0; expected a probability in 0...1"),
            (.labelOutOfRange(argument: "targets", row: 0, column: 2, label: 9, classes: 4),
             "targets at row 0, column 2 is 9; expected a class in 0..<4 or -1 to end the list"),
            (.unreducedLoss(loss: "NLLLoss"), "valueAndGradient needs reduction mean or sum; this NLLLoss has reduction none"),
        ]
        for (error, text) in cases {
            #expect(error.description == text)
        }
    }

    @Test("each loss refuses bad arguments with one error naming the argument and the expectation")
    func lossesRefuseBadArguments() {
        let cases: [(String, () throws -> Void, String)] = [
            ("BCEWithLogitsLoss", { _ = try BCEWithLogitsLoss(positiveWeight: [1, 2, 3]).forward(Matrix([[0.5, 0.5]]), Matrix([[1, 0]])) },
             "positiveWeight has 3 entries; expected 2 (one per column of input)"),
            ("HingeEmbeddingLoss", { _ = try HingeEmbeddingLoss().backward(Matrix([[1, 2]]), Matrix([[1, 2]])) },
             "target of HingeEmbeddingLoss at row 0, column 1 is 2.0; expected 1 or -1"),
            ("HuberLoss", { _ = try HuberLoss(delta: 0) },
             "delta is 0.0; expected a finite number > 0"),
            ("MarginRankingLoss", { _ = try MarginRankingLoss().forward(Matrix([[1, 2]]), Matrix([[1]]), target: Matrix([[1, 1]])) },
             "input2 is 1×1; expected 1×2 (the shape of input1)"),
            ("SmoothL1Loss", { _ = try SmoothL1Loss(beta: -1) },
             "beta is -1.0; expected a finite number ≥ 0"),
            ("MSELoss", { _ = try MSELoss().forward(Matrix(rows: 2, columns: 3), Matrix(rows: 3, columns: 2)) },
             "target is 3×2; expected 2×3 (the shape of input)"),
            ("SoftMarginLoss", { _ = try SoftMarginLoss().forward(Matrix([[1, 2]]), Matrix([[1, 0]])) },
             "target of SoftMarginLoss at row 0, column 1 is 0.0; expected 1 or -1"),
        ]
        for (loss, call, text) in cases {
            let error = #expect(throws: LossError.self, "\(loss)") { try call() }
            #expect(error?.description == text, "\(loss)")
        }
    }
}
