import Testing
@testable import Training

@Suite struct KLDivLossTests {
    private static func loss(_ c: LossFixture.Case) throws -> KLDivLoss {
        let reduction = try #require(KLDivLoss.Reduction(rawValue: c.option("reduction")))
        return KLDivLoss(reduction: reduction, logTarget: try c.option("log_target") == "true")
    }

    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("kl_div_loss", minimumCases: 8, loss: Self.loss)
    }

    @Test func batchMeanDividesTheSumByRows() throws {
        let x = Matrix([[-1, -2, -0.5], [-0.3, -1, -4]])
        let y = Matrix([[0.2, 0.3, 0.5], [0.6, 0.4, 0]])
        let sum = try KLDivLoss(reduction: .sum).forward(x, y).storage[0]
        let batchMean = try KLDivLoss(reduction: .batchMean).forward(x, y).storage[0]
        #expect(abs(batchMean - sum / 2) <= 1e-6 * abs(sum))
    }

    @Test func negativeTargetsNeedLogTarget() throws {
        let error = #expect(throws: LossError.self) {
            try KLDivLoss().forward(Matrix([[-1, -2]]), Matrix([[-0.5, 0.2]]))
        }
        #expect(error?.description == "target of KLDivLoss at row 0, column 0 is -0.5; expected a probability ≥ 0 (or set logTarget)")
        #expect(throws: Never.self) {
            try KLDivLoss(logTarget: true).forward(Matrix([[-1, -2]]), Matrix([[-0.5, -0.2]]))
        }
    }
}
