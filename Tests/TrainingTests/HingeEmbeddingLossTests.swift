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
}
