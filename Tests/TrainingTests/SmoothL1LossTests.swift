import Testing
@testable import Training

@Suite struct SmoothL1LossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("smooth_l1_loss", minimumCases: 9) { c in
            try SmoothL1Loss(reduction: c.reduction(), beta: c.floatOption("beta"))
        }
    }

    @Test func betaZeroIsL1() throws {
        let x = Matrix([[0.5, -2, 3, 1]])
        let y = Matrix([[0.5, 1, 2.75, -1]])
        let smooth = try SmoothL1Loss(reduction: .none, beta: 0)
        let l1 = L1Loss(reduction: .none)
        #expect(try smooth.forward(x, y) == l1.forward(x, y))
        #expect(try smooth.backward(x, y) == l1.backward(x, y))
    }

    @Test func isHuberDividedByBeta() throws {
        let x = Matrix([[0.5, -2, 3, 1, 0.25]])
        let y = Matrix([[0.5, 1, 2.75, -1, 0]])
        for beta: Float in [0.5, 1, 2] {
            let smooth = try SmoothL1Loss(reduction: .none, beta: beta)
            let huber = try HuberLoss(reduction: .none, delta: beta)
            for (s, h) in zip(try smooth.forward(x, y).storage, try huber.forward(x, y).storage) {
                #expect(LayerTolerance.isClose(s, h / beta), "beta \(beta)")
            }
            for (s, h) in zip(try smooth.backward(x, y).storage, try huber.backward(x, y).storage) {
                #expect(LayerTolerance.isClose(s, h / beta), "beta \(beta)")
            }
        }
    }

    @Test func nanGivesANaNGradientAsInPyTorch() throws {
        let gradient = try SmoothL1Loss(reduction: .sum).backward(Matrix([[.nan, 0.5]]), Matrix([[0, 0]]))
        #expect(gradient.storage[0].isNaN && gradient.storage[1] == 0.5)
    }
}
