import Testing
@testable import Training

@Suite struct CosineEmbeddingLossTests {
    @Test func matchesPyTorch() throws {
        for c in try LossFixture.cases("cosine_embedding_loss", minimum: 6) {
            let loss = try CosineEmbeddingLoss(margin: c.floatOption("margin"), reduction: c.reduction())
            let a = try c.matrix("input1")
            let b = try c.matrix("input2")
            let y = try #require(try c.floats("target"))
            LossParity.expect(try loss.forward(a, b, target: y), try c.matrix("output"), "\(c.name): output")
            // Gradients of (near-)parallel rows are differences of O(1/‖a‖) terms that cancel to
            // 0; compare those at an absolute 1e-6.
            let (ga, gb) = try loss.backward(a, b, target: y, upstream: c.matrix("upstream"))
            LossParity.expect(ga, try c.matrix("grad_input1"), "\(c.name): gradient of input1", absoluteFloor: 1e-6)
            LossParity.expect(gb, try c.matrix("grad_input2"), "\(c.name): gradient of input2", absoluteFloor: 1e-6)
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
