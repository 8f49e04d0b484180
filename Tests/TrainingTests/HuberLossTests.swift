import Testing
@testable import Training

@Suite struct HuberLossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("huber_loss", minimumCases: 9) { c in
            try HuberLoss(reduction: c.reduction(), delta: c.floatOption("delta"))
        }
    }
}
