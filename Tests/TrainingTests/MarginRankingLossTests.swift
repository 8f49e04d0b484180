import Testing
@testable import Training

@Suite struct MarginRankingLossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkTwoInputs("margin_ranking_loss", minimumCases: 6) { c, x1, x2 in
            let loss = try MarginRankingLoss(margin: c.floatOption("margin"), reduction: c.reduction())
            let y = try c.matrix("target")
            return (try loss.forward(x1, x2, target: y), try loss.backward(x1, x2, target: y, upstream: c.matrix("upstream")))
        }
    }
}
