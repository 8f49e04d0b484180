import Testing
@testable import Training

@Suite struct BCELossTests {
    @Test func matchesPyTorch() throws {
        try LossFixture.checkElementwise("bce_loss", minimumCases: 9) { c in
            try BCELoss(weight: c.tensors["weight"] == nil ? nil : c.matrix("weight"), reduction: c.reduction())
        }
    }

    @Test func certainWrongPredictionsCostTheClampedHundred() throws {
        let loss = try BCELoss(reduction: .none).forward(Matrix([[0, 1]]), Matrix([[1, 0]]))
        #expect(loss.storage == [100, 100])
    }

    @Test func badArgumentsThrowClearErrors() {
        let outside = #expect(throws: LossError.self) {
            try BCELoss().forward(Matrix([[0.5, 1.5]]), Matrix([[1, 0]]))
        }
        #expect(outside?.description == "input of BCELoss at row 0, column 1 is 1.5; expected a probability in 0...1")
        let nan = #expect(throws: LossError.self) {
            try BCELoss().backward(Matrix([[0.5, 0.5]]), Matrix([[.nan, 0]]))
        }
        #expect(nan?.description == "target of BCELoss at row 0, column 0 is nan; expected a value in 0...1")
        let weight = #expect(throws: LossError.self) {
            try BCELoss(weight: Matrix([[1, 2, 3]])).forward(Matrix([[0.5, 0.5]]), Matrix([[1, 0]]))
        }
        #expect(weight?.description == "weight is 1×3; expected 1×2 (or 1×2: the shape of input, or one row shared by all rows)")
        let negative = #expect(throws: LossError.self) {
            try BCELoss(weight: Matrix([[1, -2]])).forward(Matrix([[0.5, 0.5]]), Matrix([[1, 0]]))
        }
        #expect(negative?.description == "weight[1] is -2.0; expected a finite, non-negative weight")
    }
}
