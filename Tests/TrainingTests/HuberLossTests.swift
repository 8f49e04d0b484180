import Testing
@testable import Training

@Suite struct HuberLossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise(
            "huber_loss", minimumCases: 9,
            forward: { c, x, y in try HuberLoss(reduction: c.reduction(), delta: c.floatOption("delta")).forward(x, y) },
            backward: { c, x, y, u in
                try HuberLoss(reduction: c.reduction(), delta: c.floatOption("delta")).backward(x, y, upstream: u)
            })
    }

    @Test func deltaMustBePositive() {
        let error = #expect(throws: LossError.self) { try HuberLoss(delta: 0) }
        #expect(error?.description == "delta is 0.0; expected a finite number > 0")
    }
}
