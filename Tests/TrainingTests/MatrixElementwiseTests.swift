import Datasets
import Testing
@testable import Training

@Suite struct MatrixElementwiseTests {
    @Test func updatesMatchScalarLoops() {
        var rng = Xoshiro256StarStar(seed: 31)
        for (rows, columns) in [(1, 1), (3, 5), (4, 8), (7, 13), (0, 3)] {
            let a = MatrixMultiplicationTests.random(rows, columns, &rng)
            let b = MatrixMultiplicationTests.random(rows, columns, &rng)
            let row = MatrixMultiplicationTests.random(1, columns, &rng)

            var sum = a
            sum.add(b)
            #expect(sum.storage == zip(a.storage, b.storage).map { $0 + $1 })

            var axpy = a
            axpy.add(b, scaledBy: -0.75)
            #expect(axpy.storage == zip(a.storage, b.storage).map { $0 + -0.75 * $1 })

            var scaled = a
            scaled.scale(by: 3)
            #expect(scaled.storage == a.storage.map { $0 * 3 })

            var product = a
            product.multiplyElementwise(by: b)
            #expect(product.storage == zip(a.storage, b.storage).map { $0 * $1 })

            var broadcast = a
            broadcast.addRowVector(row)
            for i in 0..<rows {
                for j in 0..<columns {
                    #expect(broadcast[i, j] == a[i, j] + row[0, j])
                }
            }

            var filled = a
            filled.fill(with: 2.5)
            #expect(filled.storage.allSatisfy { $0 == 2.5 })
        }
    }

    @Test func copyFromDoesNotShareTheBuffer() {
        let source = Matrix([[1, 2, 3], [4, 5, 6]])
        var destination = Matrix(rows: 4, columns: 4)
        destination.copy(from: source)
        #expect(destination == source)
        destination.storage.withUnsafeBufferPointer { d in
            source.storage.withUnsafeBufferPointer { s in
                #expect(d.baseAddress != s.baseAddress)
            }
        }
    }
}
