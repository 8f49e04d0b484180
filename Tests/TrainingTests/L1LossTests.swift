import Testing
@testable import Training

@Suite struct L1LossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise(
            "l1_loss", minimumCases: 9,
            forward: { c, x, y in try L1Loss(reduction: c.reduction()).forward(x, y) },
            backward: { c, x, y, u in try L1Loss(reduction: c.reduction()).backward(x, y, upstream: u) })
    }

    @Test func gradientIsZeroWhereInputEqualsTarget() throws {
        let gradient = try L1Loss(reduction: .sum).backward(Matrix([[1, 2, 3]]), Matrix([[1, 1, 4]]))
        #expect(gradient.storage == [0, 1, -1])
    }
}
