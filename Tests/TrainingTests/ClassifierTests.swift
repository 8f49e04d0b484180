import Datasets
import Foundation
import Sampling
import Testing
import Training

/// A model a user would write: `Linear → tanh → Linear`, with the tanh and its derivative by
/// hand (no ``MLP``, no ``ActivationLayer``), through the public API only.
final class TanhNetwork: Classifier {
    let hiddenLayer: Linear
    let head: Linear
    var inputs: Int { hiddenLayer.inFeatures }
    var outputs: Int { head.outFeatures }
    var parameters: [Parameter] { hiddenLayer.parameters + head.parameters }
    var headParameters: [Parameter] { head.parameters }
    private(set) var headResets = 0

    private var input = Matrix(rows: 0, columns: 0)
    private var hidden = Matrix(rows: 0, columns: 0)        // tanh(x·W₁ᵀ + b₁)
    private var hiddenGradient = Matrix(rows: 0, columns: 0)

    init(inputs: Int, width: Int, classes: Int, seed: UInt64) throws {
        var rng = Xoshiro256StarStar(seed: seed)
        hiddenLayer = try Linear(inFeatures: inputs, outFeatures: width, using: &rng, name: "0")
        head = try Linear(inFeatures: width, outFeatures: classes, using: &rng, name: "2")
    }

    func forward(_ x: Matrix, into logits: inout Matrix, training: Bool) throws {
        input.copy(from: x)
        try hiddenLayer.forward(x, into: &hidden)
        for i in 0..<hidden.count { hidden.storage[i] = Foundation.tanh(hidden.storage[i]) }
        try head.forward(hidden, into: &logits)
    }

    func backward(dLogits: Matrix, headOnly: Bool) throws {
        if headOnly {
            try head.backward(input: hidden, outputGradient: dLogits)
            return
        }
        try head.backward(input: hidden, outputGradient: dLogits, inputGradient: &hiddenGradient)
        for i in 0..<hiddenGradient.count {
            let h = hidden.storage[i]
            hiddenGradient.storage[i] *= 1 - h * h
        }
        try hiddenLayer.backward(input: input, outputGradient: hiddenGradient)
    }

    func resetHead<G: RandomNumberGenerator>(using rng: inout G) {
        head.resetParameters(using: &rng)
        headResets += 1
    }
}

/// A linear softmax model: one `Linear`, which is also its head.
final class SoftmaxRegression: Classifier {
    let layer: Linear
    var inputs: Int { layer.inFeatures }
    var outputs: Int { layer.outFeatures }
    var parameters: [Parameter] { layer.parameters }
    var headParameters: [Parameter] { layer.parameters }
    private var input = Matrix(rows: 0, columns: 0)

    init(inputs: Int, classes: Int, seed: UInt64) throws {
        layer = try Linear(inFeatures: inputs, outFeatures: classes, seed: seed, name: "0")
    }

    func forward(_ x: Matrix, into logits: inout Matrix, training: Bool) throws {
        input.copy(from: x)
        try layer.forward(x, into: &logits)
    }

    func backward(dLogits: Matrix, headOnly: Bool) throws {
        try layer.backward(input: input, outputGradient: dLogits)
    }

    func resetHead<G: RandomNumberGenerator>(using rng: inout G) { layer.resetParameters(using: &rng) }
}

@Suite struct ClassifierTests {
    @Test("a hand-written tanh network learns the imbalanced clean spiral through Trainer on balanced batches")
    func userModelLearnsSpirals() throws {
        let training = try SpiralSpecification(counts: [1000, 300, 100], noise: 0, seed: 1).generate()
        let test = try SpiralSpecification(counts: [300, 300, 300], noise: 0, seed: 2).generate()
        let model = try TanhNetwork(inputs: 2, width: 64, classes: 3, seed: 3)
        let before = model.parameters.map(\.value)
        var c = TrainingConfiguration()
        c.sampler = .balanced
        c.epochs = 40
        c.learningRate = 0.02
        let trainer = try Trainer(model: model, configuration: c, classCounts: training.classCounts)
        let report = try trainer.fit(source: training, labels: training.labels, test: test)
        #expect(trainer.model === model)
        #expect(model.parameters.map(\.value) != before, "training changed the caller's model")
        #expect(report.epochs.allSatisfy { $0.phase == .balanced })
        let metrics = try #require(report.test)
        // Chance is 1/3; a linear model stays near 0.5 on this spiral (seed 003). With a hidden
        // layer the balanced stream lifts every class, the rarest included.
        #expect(metrics.balancedAccuracy > 0.85, "balanced accuracy \(metrics.balancedAccuracy)")
        #expect(metrics.recall.allSatisfy { $0 > 0.7 }, "recall \(metrics.recall)")
        #expect(report.epochs.last!.trainLoss < report.epochs.first!.trainLoss)
    }

    @Test("a linear softmax model separates linearly separable classes through Trainer")
    func linearModelSeparatesBlobs() throws {
        // Three well-separated clusters, 200/40/8 points, around (±2, 0) and (0, 2).
        var rng = Xoshiro256StarStar(seed: 9)
        let centers: [(Float, Float)] = [(-2, 0), (2, 0), (0, 2)]
        var features = [Float](), labels = [Int32]()
        for (c, count) in [200, 40, 8].enumerated() {
            for _ in 0..<count {
                features.append(centers[c].0 + Float(rng.nextUniform(-0.5, 0.5)))
                features.append(centers[c].1 + Float(rng.nextUniform(-0.5, 0.5)))
                labels.append(Int32(c))
            }
        }
        let data = try LabelledDataset(features: features, dimension: 2, labels: labels)
        var c = TrainingConfiguration()
        c.epochs = 20
        c.batchSize = 24
        c.learningRate = 0.05
        let trainer = try Trainer(model: try SoftmaxRegression(inputs: 2, classes: 3, seed: 1),
                                  configuration: c, classCounts: data.classCounts)
        let report = try trainer.fit(source: data, labels: data.labels, test: data)
        let metrics = try #require(report.test)
        #expect(metrics.accuracy == 1, "accuracy \(metrics.accuracy), confusion \(metrics.confusion)")
    }

    @Test func modelWithTheWrongNumberOfOutputsIsRefused() throws {
        let model = try SoftmaxRegression(inputs: 2, classes: 4, seed: 0)
        #expect(throws: TrainingError.invalidParameter("the model has 4 outputs but the data has 3 classes")) {
            try Trainer(model: model, configuration: TrainingConfiguration(), classCounts: [5, 5, 5])
        }
    }
}
