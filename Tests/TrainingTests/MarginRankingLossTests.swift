import Testing
@testable import Training

@Suite struct MarginRankingLossTests {
    @Test func matchesPyTorch() throws {
        for c in try LossFixture.cases("margin_ranking_loss", minimum: 6) {
            let loss = try MarginRankingLoss(margin: c.floatOption("margin"), reduction: c.reduction())
            let x1 = try c.matrix("input1")
            let x2 = try c.matrix("input2")
            let y = try c.matrix("target")
            LossParity.expect(try loss.forward(x1, x2, target: y), try c.matrix("output"), "\(c.name): output")
            let (g1, g2) = try loss.backward(x1, x2, target: y, upstream: c.matrix("upstream"))
            LossParity.expect(g1, try c.matrix("grad_input1"), "\(c.name): gradient of input1")
            LossParity.expect(g2, try c.matrix("grad_input2"), "\(c.name): gradient of input2")
        }
    }
}
