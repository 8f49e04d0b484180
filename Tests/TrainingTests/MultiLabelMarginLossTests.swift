import Testing
@testable import Training

@Suite struct MultiLabelMarginLossTests {
    @Test func matchesPyTorch() throws {
        for c in try LossFixture.cases("multilabel_margin_loss", minimum: 9) {
            let loss = MultiLabelMarginLoss(reduction: try c.reduction())
            let x = try c.matrix("input")
            let t = try c.ints("target")
            LossParity.expect(try loss.forward(x, targets: t), try c.matrix("output"), "\(c.name): output")
            LossParity.expect(try loss.backward(x, targets: t, upstream: c.matrix("upstream")), try c.matrix("grad_input"), "\(c.name): gradient")
        }
    }

    @Test func targetsAreChecked() {
        let count = #expect(throws: LossError.self) {
            try MultiLabelMarginLoss().forward(Matrix([[1, 2, 3]]), targets: [0, -1])
        }
        #expect(count?.description == "targets has 2 entries; expected 3 (1×3, the shape of input)")
        let label = #expect(throws: LossError.self) {
            try MultiLabelMarginLoss().forward(Matrix([[1, 2, 3]]), targets: [0, 3, -1])
        }
        #expect(label?.description == "targets at row 0, column 1 is 3; expected a class in 0..<3 or -1 to end the list")
    }
}
