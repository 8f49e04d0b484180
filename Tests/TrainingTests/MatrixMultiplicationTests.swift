import Datasets
import Testing
@testable import Training

/// The three products against naive triple loops (in Double) on random shapes, including
/// empty dimensions and lengths that are not multiples of the vector width.
@Suite struct MatrixMultiplicationTests {
    static func random(_ rows: Int, _ columns: Int, _ rng: inout Xoshiro256StarStar) -> Matrix {
        Matrix(rows: rows, columns: columns,
               storage: (0..<(rows * columns)).map { _ in Float(rng.nextUniform(-2, 2)) })
    }

    /// `Σ_k op(A)[i, k] · op(B)[k, j]` in Double, with op = transpose where asked.
    static func naive(_ a: Matrix, _ b: Matrix, transposeA: Bool, transposeB: Bool) -> [Double] {
        let m = transposeA ? a.columns : a.rows
        let kCount = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        var result = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for k in 0..<kCount {
                    let left = transposeA ? a[k, i] : a[i, k]
                    let right = transposeB ? b[j, k] : b[k, j]
                    sum += Double(left) * Double(right)
                }
                result[i * n + j] = sum
            }
        }
        return result
    }

    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (2, 3, 4), (3, 17, 5), (8, 8, 8), (9, 16, 33), (5, 100, 3), (96, 2, 100), (4, 0, 3),
        (0, 4, 3), (3, 4, 0), (7, 1, 23), (13, 31, 1), (5, 9, 2), (6, 7, 6), (2, 3, 64),
    ]

    /// Tolerance for a Float dot product of length K with terms of size ≤ 4.
    static func expectProduct(_ actual: Matrix, _ expected: [Double], k: Int, _ label: String) {
        LayerTolerance.expectClose(actual.storage, expected, relative: 1e-5, absolute: 1e-6 * Float(max(k, 1)) * 4,
                                   label)
    }

    @Test func productMatchesNaiveLoops() {
        var rng = Xoshiro256StarStar(seed: 11)
        for (m, k, n) in Self.shapes {
            let a = Self.random(m, k, &rng), b = Self.random(k, n, &rng)
            var c = Matrix(rows: 5, columns: 5, repeating: 9)   // wrong shape and stale values
            Matrix.multiply(a, b, into: &c)
            #expect(c.rows == m && c.columns == n)
            Self.expectProduct(c, Self.naive(a, b, transposeA: false, transposeB: false), k: k, "A·B \(m)×\(k)×\(n)")
            Self.expectProduct(a * b, Self.naive(a, b, transposeA: false, transposeB: false), k: k, "A*B \(m)×\(k)×\(n)")
        }
    }

    @Test func productWithTransposedRightMatchesNaiveLoops() {
        var rng = Xoshiro256StarStar(seed: 12)
        for (m, k, n) in Self.shapes {
            let a = Self.random(m, k, &rng), b = Self.random(n, k, &rng)
            var c = Matrix(rows: 1, columns: 1, repeating: 9)
            Matrix.multiply(a, transposing: b, into: &c)
            #expect(c.rows == m && c.columns == n)
            Self.expectProduct(c, Self.naive(a, b, transposeA: false, transposeB: true), k: k, "A·Bᵀ \(m)×\(k)×\(n)")
        }
    }

    @Test func productWithTransposedLeftMatchesNaiveLoops() {
        var rng = Xoshiro256StarStar(seed: 13)
        for (m, k, n) in Self.shapes {
            let a = Self.random(k, m, &rng), b = Self.random(k, n, &rng)
            var c = Matrix(rows: 2, columns: 7, repeating: 9)
            Matrix.multiply(transposing: a, b, into: &c)
            #expect(c.rows == m && c.columns == n)
            Self.expectProduct(c, Self.naive(a, b, transposeA: true, transposeB: false), k: k, "Aᵀ·B \(m)×\(k)×\(n)")
        }
    }

    @Test func accumulateAddsToTheDestination() {
        var rng = Xoshiro256StarStar(seed: 14)
        for (m, k, n) in Self.shapes {
            let start = Self.random(m, n, &rng)
            let a = Self.random(m, k, &rng), b = Self.random(k, n, &rng)
            let bt = Self.random(n, k, &rng), at = Self.random(k, m, &rng)
            let products = [
                Self.naive(a, b, transposeA: false, transposeB: false),
                Self.naive(a, bt, transposeA: false, transposeB: true),
                Self.naive(at, b, transposeA: true, transposeB: false),
            ]
            for (index, product) in products.enumerated() {
                var c = start
                switch index {
                case 0: Matrix.multiply(a, b, into: &c, accumulate: true)
                case 1: Matrix.multiply(a, transposing: bt, into: &c, accumulate: true)
                default: Matrix.multiply(transposing: at, b, into: &c, accumulate: true)
                }
                let expected = zip(start.storage, product).map { Double($0) + $1 }
                Self.expectProduct(c, expected, k: k, "accumulate form \(index), \(m)×\(k)×\(n)")
            }
        }
    }

    @Test func fusedReLUMatchesTheUnfusedSteps() {
        var rng = Xoshiro256StarStar(seed: 17)
        for (m, k, n) in Self.shapes {
            let a = Self.random(m, k, &rng), b = Self.random(k, n, &rng)
            let bias = Self.random(1, n, &rng)
            var plain = Matrix(rows: 0, columns: 0)
            Matrix.multiply(a, b, into: &plain, mode: .addingRow(bias))
            var expected = Matrix(rows: 0, columns: 0)
            Matrix.multiply(a, b, into: &expected)
            expected.addRowVector(bias)
            #expect(plain.rows == m && plain.columns == n)
            Self.expectProduct(plain, expected.storage.map(Double.init), k: k, "A·B + bias \(m)×\(k)×\(n)")

            var clamped = Matrix(rows: 0, columns: 0)
            Matrix.multiply(a, b, into: &clamped, mode: .addingRow(bias), fusion: .relu)
            #expect(clamped.storage == plain.storage.map { $0 < 0 ? 0 : $0 }, "ReLU fused, \(m)×\(k)×\(n)")
        }
    }

    @Test func transposeSwapsIndices() {
        var rng = Xoshiro256StarStar(seed: 15)
        for (rows, columns) in [(1, 1), (3, 5), (16, 2), (0, 4), (4, 0)] {
            let a = Self.random(rows, columns, &rng)
            var t = Matrix(rows: 3, columns: 3)
            a.transpose(into: &t)
            #expect(t.rows == columns && t.columns == rows)
            for i in 0..<rows {
                for j in 0..<columns {
                    #expect(t[j, i] == a[i, j])
                }
            }
        }
    }

    @Test func destinationCapacityIsReused() {
        var rng = Xoshiro256StarStar(seed: 16)
        let big = Self.random(10, 10, &rng)
        var c = Matrix(rows: 0, columns: 0)
        Matrix.multiply(big, big, into: &c)
        let capacity = c.storage.capacity
        let small = Self.random(3, 3, &rng)
        Matrix.multiply(small, small, into: &c)
        Matrix.multiply(big, big, into: &c)
        #expect(c.storage.capacity == capacity)
        Self.expectProduct(c, Self.naive(big, big, transposeA: false, transposeB: false), k: 10, "after reuse")
    }

    // MARK: - BLAS against our kernels and the naive loops

    /// Odd and BLAS-sized shapes (m, k, n): lengths off the vector widths, empty dimensions,
    /// one-wide sides, and sizes past BLAS's blocking.
    static let backendShapes: [(Int, Int, Int)] = [
        (1, 1, 1), (3, 17, 5), (9, 16, 33), (31, 7, 65), (4, 0, 3), (5, 9, 1), (1, 40, 7),
        (64, 129, 33), (100, 3, 2), (130, 70, 257), (257, 300, 19),
    ]

    /// Every form × start × fusion on both backends, against the naive loops in Double.
    @Test func blasAndOurKernelsAgreeAcrossFormsStartsAndFusions() throws {
        try #require(ProductBackend.blasIsAvailable, "this build has no BLAS")
        var rng = Xoshiro256StarStar(seed: 18)
        for (m, k, n) in Self.backendShapes {
            let a = Self.random(m, k, &rng), at = Self.random(k, m, &rng)
            let b = Self.random(k, n, &rng), bt = Self.random(n, k, &rng)
            let start = Self.random(m, n, &rng), bias = Self.random(1, n, &rng)
            let forms = [("A·B", Self.naive(a, b, transposeA: false, transposeB: false)),
                         ("A·Bᵀ", Self.naive(a, bt, transposeA: false, transposeB: true)),
                         ("Aᵀ·B", Self.naive(at, b, transposeA: true, transposeB: false))]
            let modes: [(String, Matrix.ProductMode)] = [("overwrite", .overwrite), ("accumulate", .accumulate),
                                                         ("bias", .addingRow(bias))]
            let fusions: [(String, Matrix.ProductFusion)] = [("none", .none), ("relu", .relu)]
            for (formName, product) in forms {
                for (modeName, mode) in modes {
                    for (fusionName, fusion) in fusions {
                        var expected = product
                        for index in expected.indices {
                            switch mode {
                            case .overwrite: break
                            case .accumulate: expected[index] += Double(start.storage[index])
                            case .addingRow(let row): expected[index] += Double(row.storage[index % n])
                            }
                            switch fusion {
                            case .none: break
                            case .relu: expected[index] = max(expected[index], 0)
                            }
                        }
                        var results: [Matrix] = []
                        for backend in ProductBackend.allCases {
                            var c = start
                            switch formName {
                            case "A·B": Matrix.multiply(a, b, into: &c, mode: mode, fusion: fusion, backend: backend)
                            case "A·Bᵀ": Matrix.multiply(a, transposing: bt, into: &c, mode: mode, fusion: fusion, backend: backend)
                            default: Matrix.multiply(transposing: at, b, into: &c, mode: mode, fusion: fusion, backend: backend)
                            }
                            #expect(c.rows == m && c.columns == n)
                            Self.expectProduct(c, expected, k: k,
                                               "\(formName) \(modeName) \(fusionName) \(backend) \(m)×\(k)×\(n)")
                            results.append(c)
                        }
                        // The two backends agree with each other as closely as with the reference.
                        Self.expectProduct(results[0], results[1].storage.map(Double.init), k: k,
                                           "\(formName) \(modeName) \(fusionName) own vs BLAS \(m)×\(k)×\(n)")
                    }
                }
            }
        }
    }

    /// The shape rule: our kernels below about a thousand multiply-adds, BLAS above (where a
    /// build has it), the 2-100-3 network's products included.
    @Test func backendFollowsTheShape() {
        for (m, n, k) in [(4, 4, 4), (8, 8, 8), (96, 3, 2), (1, 1, 999), (0, 500, 500)] {
            #expect(ProductBackend.forShape(m: m, n: n, k: k) == .ownKernels, "\(m)×\(n)×\(k)")
        }
        let large: ProductBackend = ProductBackend.blasIsAvailable ? .blas : .ownKernels
        for (m, n, k) in [(96, 100, 2), (96, 3, 100), (3, 100, 96), (100, 2, 96), (16, 16, 16),
                          (512, 512, 256), (512, 1000, 512), (1000, 512, 512)] {
            #expect(ProductBackend.forShape(m: m, n: n, k: k) == large, "\(m)×\(n)×\(k)")
        }
    }

    /// One product thread unless asked otherwise; a count below 1 is refused; with more, large
    /// products are split into bands of rows whose results match the one-thread products (which
    /// the tests above check against the naive loops) on all three forms, in overwrite and
    /// accumulate mode, for splits that do not fall on a 16-row block. (One test: the count is
    /// process-wide, so checking the default must not race a change.)
    @Test func productThreadsDefaultToOneAndSplitLargeProducts() throws {
        var rng = Xoshiro256StarStar(seed: 19)
        let square = Self.random(300, 300, &rng)
        var c = Matrix(rows: 0, columns: 0)
        Matrix.multiply(square, square, into: &c)
        #if os(Linux)
        #expect(Matrix.productThreadCount == 1)
        #endif
        #expect(throws: LayerError.invalidSize(name: "product thread count", value: 0)) {
            try Matrix.setProductThreadCount(0)
        }
        guard ProductBackend.blasIsAvailable else { return }
        defer { try? Matrix.setProductThreadCount(1) }
        for (m, k, n) in [(300, 200, 150), (97, 500, 301), (1000, 64, 90)] {
            let a = Self.random(m, k, &rng), b = Self.random(k, n, &rng)
            let aT = Self.random(k, m, &rng), bT = Self.random(n, k, &rng)
            func products() -> [Matrix] {
                var ab = Matrix(rows: 0, columns: 0), abT = ab, aTb = ab
                Matrix.multiply(a, b, into: &ab)
                Matrix.multiply(a, transposing: bT, into: &abT)
                Matrix.multiply(transposing: aT, b, into: &aTb)
                var accumulated = aTb
                Matrix.multiply(transposing: aT, b, into: &accumulated, accumulate: true)
                return [ab, abT, aTb, accumulated]
            }
            try Matrix.setProductThreadCount(1)
            let single = products()
            try Matrix.setProductThreadCount(3)
            #if os(Linux)
            #expect(Matrix.productThreadCount == 3)
            #expect(ProductThreads.shared.bands(m: m, n: n, k: k) == 3, "\(m)×\(k)×\(n)")
            #endif
            let split = products()
            for (form, (one, three)) in zip(["A·B", "A·Bᵀ", "Aᵀ·B", "Aᵀ·B accumulated"], zip(single, split)) {
                #expect(one.rows == three.rows && one.columns == three.columns, "\(form) \(m)×\(k)×\(n)")
                Self.expectProduct(three, one.storage.map(Double.init), k: k, "\(form) \(m)×\(k)×\(n) on 3 threads")
            }
        }
        #if os(Linux)
        #expect(ProductThreads.shared.bands(m: 16, n: 300, k: 2000) == 1, "too few rows to split")
        #expect(ProductThreads.shared.bands(m: 64, n: 64, k: 64) == 1, "too small to split")
        #endif
    }

    /// The bands of a split cover the rows once, in order, starting on 16-row blocks.
    @Test func productBandsCoverTheRows() {
        for m in [32, 33, 100, 512, 1000, 1023] {
            for bands in 1...4 where bands * ProductThreads.minimumBandRows <= m {
                let ranges = (0..<bands).map { ProductThreads.rows(of: $0, bands: bands, m: m) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == m, "m \(m), \(bands) bands")
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && $1.lowerBound % 16 == 0 },
                        "m \(m), \(bands) bands")
                #expect(ranges.allSatisfy { !$0.isEmpty }, "m \(m), \(bands) bands")
            }
        }
    }
}
