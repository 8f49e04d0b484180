import Datasets
import Training

/// Cross-entropy forward + backward (mean reduction, gradient w.r.t. the logits), time per call.
func crossEntropy(rows: Int, classes: Int, key: String) throws -> [Row] {
    var rng = Xoshiro256StarStar(seed: 7)
    let logits = Matrix(rows: rows, columns: classes, storage: (0..<(rows * classes)).map { _ in Float(rng.nextNormal()) * 3 })
    let targets = (0..<rows).map { _ in Int32(rng.nextBounded(classes)) }
    let loss = try CrossEntropyLoss()
    var gradient = Matrix(rows: rows, columns: classes)
    var sink: Float = 0
    let perSecond = try rate(work: 1, rounds: 7, minimum: 0.2) {
        sink += try loss.valueAndGradient(logits: logits, targets: targets, gradient: &gradient)
    }
    blackHole(sink)
    return [Row(key: key, value: 1e6 / perSecond, unit: "us", note: "N=\(rows) C=\(classes), fwd+bwd, mean, 1 thread")]
}

/// One training step of an MLP 2-100-3 (ReLU) with Adam at B = 96: forward, cross-entropy,
/// zero grad, backward, step; batches cycle through 64 random ones.
func mlpStep() throws -> [Row] {
    let model = try MLP(inputs: 2, hidden: [100], outputs: 3, activation: .relu, seed: 1)
    let optimizer = try Adam(learningRate: 1e-3)
    let loss = try CrossEntropyLoss()
    var rng = Xoshiro256StarStar(seed: 2)
    let batches = (0..<64).map { _ in Matrix(rows: 96, columns: 2, storage: (0..<192).map { _ in rng.nextUnitFloat() * 2 - 1 }) }
    let targets = (0..<64).map { _ in (0..<96).map { _ in Int32(rng.nextBounded(3)) } }
    var logits = Matrix(rows: 96, columns: 3)
    var gradient = Matrix(rows: 96, columns: 3)
    var i = 0
    let steps = 1000
    let perSecond = try rate(work: Double(steps), rounds: 5, minimum: 0.3) {
        for _ in 0..<steps {
            try model.forward(batches[i], into: &logits)
            _ = try loss.valueAndGradient(logits: logits, targets: targets[i], gradient: &gradient)
            model.zeroGradients()
            try model.backward(dLogits: gradient)
            optimizer.step(model.parameters)
            i = (i + 1) & 63
        }
    }
    return [Row(key: "mlp_step", value: perSecond, unit: "steps/s", note: "2-100-3 ReLU, Adam, B = 96, 1 thread")]
}
