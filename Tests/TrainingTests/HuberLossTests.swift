import Testing
@testable import Training

@Suite struct HuberLossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("huber_loss", minimumCases: 9) { c in
            try HuberLoss(reduction: c.reduction(), delta: c.floatOption("delta"))
        }
    }

    @Test func deltaMustBePositive() {
        let error = #expect(throws: LossError.self) { try HuberLoss(delta: 0) }
        #expect(error?.description == "delta is 0.0; expected a finite number > 0")
    }
}
