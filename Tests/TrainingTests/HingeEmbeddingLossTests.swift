import Testing
@testable import Training

@Suite struct HingeEmbeddingLossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("hinge_embedding_loss", minimumCases: 6) { c in
            try HingeEmbeddingLoss(margin: c.floatOption("margin"), reduction: c.reduction())
        }
    }

    @Test func gradientAtTheHingeIsPassedAsInPyTorch() throws {
        let gradient = try HingeEmbeddingLoss(reduction: .sum).backward(Matrix([[1, 1.5, 0.5]]), Matrix([[-1, -1, -1]]))
        #expect(gradient.storage == [-1, 0, -1])
    }

    @Test func labelsMustBeSigns() {
        let error = #expect(throws: LossError.self) {
            try HingeEmbeddingLoss().backward(Matrix([[1, 2]]), Matrix([[1, 2]]))
        }
        #expect(error?.description == "target of HingeEmbeddingLoss at row 0, column 1 is 2.0; expected 1 or -1")
    }
}
