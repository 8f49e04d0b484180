import Testing
@testable import Training

@Suite struct ElementwiseLossTests {
    @Test func rowWeightsBroadcastLikeFullWeights() throws {
        let input = Matrix([[0.2, 0.7], [0.9, 0.4]])
        let target = Matrix([[0, 1], [1, 0]])
        let row = try BCELoss(weight: Matrix([[2, 0.5]]), reduction: .none).forward(input, target)
        let full = try BCELoss(weight: Matrix([[2, 0.5], [2, 0.5]]), reduction: .none).forward(input, target)
        #expect(row == full)
        let unweighted = try BCELoss(reduction: .none).forward(input, target)
        #expect(row.storage[1] == 0.5 * unweighted.storage[1])
    }

    @Test func upstreamMultipliesEachElement() throws {
        let input = Matrix([[1, 2, 3]])
        let target = Matrix([[0, 0, 0]])
        let gradient = try MSELoss(reduction: .none).backward(input, target, upstream: Matrix([[1, 0, -2]]))
        #expect(gradient.storage == [2, 0, -12])
        let wrong = #expect(throws: LossError.self) {
            try MSELoss(reduction: .none).backward(input, target, upstream: Matrix([[1]]))
        }
        #expect(wrong?.description == "upstream gradient is 1×1; expected 1×3 (the shape of the unreduced loss)")
    }
}

/// A conformer written outside the module's losses: the extension's forward and backward must
/// give it MSELoss's results for every reduction.
private struct SquaredError: ElementwiseLoss {
    var elementwiseReduction: LossReduction
    func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float { (x - y) * (x - y) }
    func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float { 2 * (x - y) }
}

@Suite struct ElementwiseLossProtocolTests {
    @Test(arguments: LossReduction.allCases)
    func aNewConformerGetsForwardAndBackward(reduction: LossReduction) throws {
        let input = Matrix([[1, 2.5, -3], [0.5, 4, 2]])
        let target = Matrix([[0, 3, -1], [1, 1, 2]])
        let mine = SquaredError(elementwiseReduction: reduction)
        let mse = MSELoss(reduction: reduction)
        #expect(try mine.forward(input, target) == mse.forward(input, target))
        #expect(try mine.backward(input, target) == mse.backward(input, target))
        #expect(throws: LossError.self) { try mine.forward(input, Matrix([[1, 2, 3]])) }
        #expect(SquaredError.name == "SquaredError" && BCEWithLogitsLoss.name == "BCEWithLogitsLoss")
    }

    @Test func existentialCallsUseTheLossesOwnForward() throws {
        // KLDivLoss's batchmean divides after the shared reduction; through the protocol too.
        let x = Matrix([[-1, -0.5], [-2, -0.25]])
        let y = Matrix([[0.3, 0.7], [0.1, 0.9]])
        let loss = KLDivLoss(reduction: .batchMean)
        let erased: any ElementwiseLoss = loss
        #expect(try erased.forward(x, y) == loss.forward(x, y))
        #expect(try erased.backward(x, y, upstream: nil) == loss.backward(x, y))
        #expect(try erased.forward(x, y) != KLDivLoss(reduction: .sum).forward(x, y))
    }
}
