import Testing
@testable import Training

@Suite struct LossReductionTests {
    @Test func applyKeepsAveragesOrSums() {
        let values = Matrix([[1, 2], [3, 4]])
        #expect(LossReduction.none.apply(to: values) == values)
        #expect(LossReduction.mean.apply(to: values).storage == [2.5])
        #expect(LossReduction.sum.apply(to: values).storage == [10])
        #expect(LossReduction.mean.apply(to: values, meanDivisor: 5).storage == [2])
        #expect(LossReduction.mean.apply(to: Matrix(rows: 0, columns: 2)).storage[0].isNaN)
    }

    @Test func upstreamFactorsFollowTheReduction() throws {
        let mean = try UpstreamFactors(Matrix([[3]]), reduction: .mean, rows: 2, columns: 3)
        #expect(mean.factor(4) == 0.5)
        let sum = try UpstreamFactors(nil, reduction: .sum, rows: 2, columns: 3)
        #expect(sum.factor(0) == 1)
        let none = try UpstreamFactors(Matrix([[1, 2], [3, 4]]), reduction: .none, rows: 2, columns: 2)
        #expect(none.factor(2) == 3)
        let error = #expect(throws: LossError.self) {
            try UpstreamFactors(Matrix([[1, 2]]), reduction: .sum, rows: 2, columns: 3)
        }
        #expect(error?.description == "upstream gradient is 1×2; expected 1×1 (the shape of a reduced loss)")
    }
}
