import Testing
@testable import Training

@Suite struct MSELossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("mse_loss", minimumCases: 9) { c in MSELoss(reduction: try c.reduction()) }
    }

    @Test func meanOfNothingIsNaNAndSumIsZero() throws {
        let empty = Matrix(rows: 0, columns: 3)
        #expect(try MSELoss().forward(empty, empty).storage[0].isNaN)
        #expect(try MSELoss(reduction: .sum).forward(empty, empty).storage[0] == 0)
    }
}
