import Datasets
import Training

/// Cross-entropy forward + backward (mean reduction, gradient w.r.t. the logits), time per call.
func crossEntropy(rows: Int, classes: Int, key: String) throws -> [Measurement] {
    var rng = Xoshiro256StarStar(seed: 7)
    let logits = Matrix(rows: rows, columns: classes, storage: (0..<(rows * classes)).map { _ in Float(rng.nextNormal()) * 3 })
    let targets = (0..<rows).map { _ in Int32(rng.nextBounded(classes)) }
    let loss = try CrossEntropyLoss()
    var gradient = Matrix(rows: rows, columns: classes)
    var sink: Float = 0
    return [Measurement(key: key, unit: "us", work: 1, minimum: 0.2, value: { 1e6 / $0 },
                        note: "N=\(rows) C=\(classes), fwd+bwd, mean") {
        sink += try loss.valueAndGradient(logits: logits, targets: targets, gradient: &gradient)
        blackHole(sink)
    }]
}

/// Training steps of an MLP `inputs`-`hidden`-`outputs` (ReLU; `hidden: []` for a linear
/// model) with Adam and cross-entropy at batch size `batch`: forward, loss, zero grad,
/// backward, step; batches cycle through a few random ones.
func mlpStep(key: String, inputs: Int, hidden: [Int], outputs: Int, batch: Int) throws -> [Measurement] {
    let model = try MLP(inputs: inputs, hidden: hidden, outputs: outputs, activation: .relu, seed: 1)
    let optimizer = try Adam(learningRate: 1e-3)
    let loss = try CrossEntropyLoss()
    var rng = Xoshiro256StarStar(seed: 2)
    // 64 batches for the small networks, fewer for the large (each batch is B·inputs floats).
    let batchCount = batch * inputs > 65_536 ? 8 : 64
    let batches = (0..<batchCount).map { _ in
        Matrix(rows: batch, columns: inputs, storage: (0..<(batch * inputs)).map { _ in rng.nextUnitFloat() * 2 - 1 })
    }
    let targets = (0..<batchCount).map { _ in (0..<batch).map { _ in Int32(rng.nextBounded(outputs)) } }
    var gradient = Matrix(rows: batch, columns: outputs)
    var i = 0
    // Small networks run 1,000 steps per call, so the clock is read rarely.
    let multiplyAdds = batch * zip([inputs] + hidden, hidden + [outputs]).reduce(0) { $0 + $1.0 * $1.1 }
    let steps = multiplyAdds < 1_000_000 ? 1000 : 1
    let shape = ([inputs] + hidden + [outputs]).map(String.init).joined(separator: "-")
    return [Measurement(key: key, unit: "steps/s", work: Double(steps), minimum: steps == 1 ? 1.0 : 0.3,
                        note: "\(shape) \(hidden.isEmpty ? "linear" : "ReLU"), Adam, cross-entropy, B = \(batch)") {
        for _ in 0..<steps {
            // The logits share the network's buffer (no copy) and are let go before the next step.
            let logits = try model.forward(batches[i])
            _ = try loss.valueAndGradient(logits: logits, targets: targets[i], gradient: &gradient)
            model.zeroGradients()
            try model.backward(dLogits: gradient)
            optimizer.step(model.parameters)
            i = (i + 1) % batchCount
        }
    }]
}

/// Our kernels against BLAS on the three product forms, over the shapes of the benchmark
/// networks and a sweep of small ones: the measurement behind `ProductBackend.forShape`.
/// One row per shape and form: BLAS's speed over ours (> 1: BLAS is faster), and the choice.
func productCrossover() -> [Row] {
    var shapes: [(Int, Int, Int)] = []
    // The layers' products (m, n, k) for D-H-K networks at batch B.
    for (d, h, k, b) in [(2, 100, 3, 96), (64, 256, 10, 320), (256, 512, 1000, 512), (512, 1000, 0, 512)] {
        let widths = k == 0 ? [d, h] : [d, h, k]
        for l in 0..<(widths.count - 1) {
            let input = widths[l], output = widths[l + 1]
            shapes += [(b, output, input), (output, input, b), (b, input, output)]
        }
    }
    for side in [4, 6, 8, 10, 12, 16, 24, 32, 64] { shapes.append((side, side, side)) }
    // Small and skinny products around the crossover.
    for (m, n, k) in [(96, 3, 2), (16, 3, 16), (2, 2, 256), (1, 100, 10), (1, 1, 1000), (100, 1, 10), (8, 8, 32),
                      (32, 4, 8), (4, 64, 4)] {
        shapes.append((m, n, k))
    }
    var rng = Xoshiro256StarStar(seed: 9)
    func random(_ rows: Int, _ columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in rng.nextUnitFloat() - 0.5 })
    }
    var rows: [Row] = []
    for (m, n, k) in shapes {
        for form in ["A·B", "A·Bᵀ", "Aᵀ·B"] {
            let a = form == "Aᵀ·B" ? random(k, m) : random(m, k)
            let b = form == "A·Bᵀ" ? random(n, k) : random(k, n)
            var c = Matrix(rows: m, columns: n)
            var speeds: [ProductBackend: Double] = [:]
            // Three rounds each, alternating the backends; the best of each.
            for _ in 0..<3 {
                for backend in ProductBackend.allCases {
                    let product = Measurement(key: "", unit: "", work: Double(2 * m * n * k), minimum: 0.05, note: "") {
                        switch form {
                        case "A·B": Matrix.multiply(a, b, into: &c, mode: .accumulate, backend: backend)
                        case "A·Bᵀ": Matrix.multiply(a, transposing: b, into: &c, mode: .accumulate, backend: backend)
                        default: Matrix.multiply(transposing: a, b, into: &c, mode: .accumulate, backend: backend)
                        }
                        blackHole(c)
                    }
                    speeds[backend] = max(speeds[backend] ?? 0, (try? product.round().wall) ?? 0)
                }
            }
            let own = speeds[.ownKernels] ?? 0, blas = speeds[.blas] ?? 0
            rows.append(Row(key: "product_crossover", value: blas / own, unit: "x",
                            note: "\(form) m=\(m) n=\(n) k=\(k): own \(Int(own / 1e6)) MFLOP/s, BLAS \(Int(blas / 1e6)) MFLOP/s, chosen \(ProductBackend.forShape(m: m, n: n, k: k))"))
        }
    }
    return rows
}
