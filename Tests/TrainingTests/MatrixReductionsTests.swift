import Datasets
import Testing
@testable import Training

@Suite struct MatrixReductionsTests {
    @Test func columnSumsMatchNaiveLoops() {
        var rng = Xoshiro256StarStar(seed: 21)
        for (rows, columns) in [(1, 1), (5, 3), (96, 100), (7, 17), (0, 4)] {
            let m = MatrixMultiplicationTests.random(rows, columns, &rng)
            var sums = Matrix(rows: 2, columns: 2, repeating: 5)
            m.columnSums(into: &sums)
            #expect(sums.rows == 1 && sums.columns == columns)
            let expected = (0..<columns).map { j in (0..<rows).reduce(0.0) { $0 + Double(m[$1, j]) } }
            LayerTolerance.expectClose(sums.storage, expected, absolute: 1e-5, "column sums \(rows)×\(columns)")
            m.columnSums(into: &sums, accumulate: true)
            LayerTolerance.expectClose(sums.storage, expected.map { 2 * $0 }, absolute: 1e-5,
                                       "accumulated column sums \(rows)×\(columns)")
        }
    }

    @Test func rowMaximaAndArgmax() {
        let m = Matrix([[1, 5, 5, -2], [-3, -1, -7, -1], [0, 0, 0, 0], [2, .nan, 9, 1], [-1000, 1000, 999, 0]])
        var maxima: [Float] = []
        m.rowMaxima(into: &maxima)
        #expect(maxima.count == 5)
        #expect(maxima[0] == 5 && maxima[1] == -1 && maxima[2] == 0 && maxima[3].isNaN && maxima[4] == 1000)
        // Ties go to the first column; a NaN counts as the largest (torch.argmax).
        #expect(m.rowArgmax() == [1, 1, 0, 1, 1])
        var indices = [7, 7, 7, 7, 7, 7, 7, 7]
        m.rowArgmax(into: &indices)
        #expect(indices == [1, 1, 0, 1, 1])
    }

    @Test func argmaxMatchesNaiveScanOnRandomRows() {
        var rng = Xoshiro256StarStar(seed: 22)
        for columns in [1, 2, 3, 9, 40] {
            let m = MatrixMultiplicationTests.random(30, columns, &rng)
            var maxima: [Float] = []
            m.rowMaxima(into: &maxima)
            let indices = m.rowArgmax()
            for i in 0..<30 {
                let row = (0..<columns).map { m[i, $0] }
                let best = row.max() ?? 0
                #expect(maxima[i] == best)
                #expect(indices[i] == row.firstIndex(of: best))
            }
        }
    }
}
