import Testing
@testable import Training

@Suite struct CosineEmbeddingLossTests {
    @Test func matchesPyTorch() throws {
        // Gradients of (near-)parallel rows are differences of O(1/‖a‖) terms that cancel to 0;
        // compare those at an absolute 1e-6.
        try LossFixture.checkTwoInputs("cosine_embedding_loss", minimumCases: 6, gradientFloor: 1e-6) { c, a, b in
            let loss = try CosineEmbeddingLoss(margin: c.floatOption("margin"), reduction: c.reduction())
            let y = try #require(try c.floats("target"))
            return (try loss.forward(a, b, target: y), try loss.backward(a, b, target: y, upstream: c.matrix("upstream")))
        }
    }

    @Test func zeroRowsHaveCosineZero() throws {
        let loss = try CosineEmbeddingLoss(reduction: .none)
        let values = try loss.forward(Matrix([[0, 0], [0, 0]]), Matrix([[1, 2], [0, 0]]), target: [1, -1])
        #expect(values.storage == [1, 0])
    }

    @Test func targetsAreChecked() {
        let count = #expect(throws: LossError.self) {
            try CosineEmbeddingLoss().forward(Matrix([[1, 2]]), Matrix([[1, 2]]), target: [1, 1])
        }
        #expect(count?.description == "target has 2 entries; expected 1 (one label per row of input1)")
        let label = #expect(throws: LossError.self) {
            try CosineEmbeddingLoss().forward(Matrix([[1, 2]]), Matrix([[1, 2]]), target: [0])
        }
        #expect(label?.description == "target of CosineEmbeddingLoss at row 0, column 0 is 0.0; expected 1 or -1")
    }
}
