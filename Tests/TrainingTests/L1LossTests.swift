import Testing
@testable import Training

@Suite struct L1LossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("l1_loss", minimumCases: 9) { c in L1Loss(reduction: try c.reduction()) }
    }

    @Test func gradientIsZeroWhereInputEqualsTarget() throws {
        let gradient = try L1Loss(reduction: .sum).backward(Matrix([[1, 2, 3]]), Matrix([[1, 1, 4]]))
        #expect(gradient.storage == [0, 1, -1])
    }
}
