import Testing
@testable import Training

@Suite struct SoftMarginLossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("soft_margin_loss", minimumCases: 6) { c in SoftMarginLoss(reduction: try c.reduction()) }
    }

    @Test func labelsMustBeSigns() {
        let error = #expect(throws: LossError.self) {
            try SoftMarginLoss().forward(Matrix([[1, 2]]), Matrix([[1, 0]]))
        }
        #expect(error?.description == "target of SoftMarginLoss at row 0, column 1 is 0.0; expected 1 or -1")
    }
}
