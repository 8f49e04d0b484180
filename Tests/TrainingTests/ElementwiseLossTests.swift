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
