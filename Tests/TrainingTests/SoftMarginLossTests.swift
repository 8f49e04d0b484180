import Testing
@testable import Training

@Suite struct SoftMarginLossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("soft_margin_loss", minimumCases: 6) { c in SoftMarginLoss(reduction: try c.reduction()) }
    }
}
