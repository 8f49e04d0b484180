import Testing
@testable import Training

@Suite struct BCEWithLogitsLossTests {
    private static func loss(_ c: LossFixture.Case) throws -> BCEWithLogitsLoss {
        try BCEWithLogitsLoss(
            weight: c.tensors["weight"] == nil ? nil : c.matrix("weight"),
            positiveWeight: c.floats("pos_weight"), reduction: c.reduction())
    }

    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("bce_with_logits_loss", minimumCases: 18, loss: Self.loss)
    }

    @Test func agreesWithBCEOnSigmoidOfModerateLogits() throws {
        let logits = Matrix([[-3, -0.5, 0, 0.7, 4]])
        let target = Matrix([[0, 1, 0.5, 0.25, 1]])
        var probabilities = logits
        for k in probabilities.storage.indices { probabilities.storage[k] = 1 / (1 + FastMath.exp(-logits.storage[k])) }
        let a = try BCEWithLogitsLoss(reduction: .none).forward(logits, target)
        let b = try BCELoss(reduction: .none).forward(probabilities, target)
        for k in a.storage.indices {
            #expect(abs(a.storage[k] - b.storage[k]) <= 1e-5 * abs(b.storage[k]) + 1e-6, "element \(k)")
        }
    }

    @Test func extremeLogitsStayFinite() throws {
        let loss = try BCEWithLogitsLoss(positiveWeight: [3, 0.5], reduction: .none)
        let x = Matrix([[1000, -1000], [-1000, 1000]])
        let y = Matrix([[0, 1], [1, 0]])
        #expect(try loss.forward(x, y).storage == [1000, 500, 3000, 1000])
        #expect(try loss.backward(x, y).storage.allSatisfy { $0.isFinite })
    }
}
