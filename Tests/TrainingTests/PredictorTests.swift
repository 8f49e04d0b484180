import Datasets
import Foundation
import Testing
import Training

@Suite struct PredictorTests {
    /// 9 000 rows (three blocks) of 2 features, labels in 0..<3.
    static func data() throws -> LabelledDataset {
        try SpiralSpecification(counts: [5000, 3000, 1000], noise: 0.2, seed: 4).generate()
    }

    @Test("blocks cover the rows in order: logits = model + τ·log π, probabilities their softmax, classes their argmax", arguments: [0.0, 1.0, -0.5])
    func blocks(tau: Double) throws {
        let data = try Self.data()
        let model = try MLP(inputs: 2, hidden: [8], outputs: 3, activation: .tanh, seed: 7)
        let priors = [0.6, 0.3, 0.1]
        let predictor = try Predictor(model: model, priors: priors, priorCorrection: tau)
        var next = 0
        var bad: String?
        try predictor.forEachBlock(of: data) { block in
            #expect(block.rows.lowerBound == next && block.rows.count <= Predictor<MLP>.blockRows)
            next = block.rows.upperBound
            let x = Matrix(rows: block.rows.count, columns: 2, storage: Array(data.features[(block.rows.lowerBound * 2)..<(block.rows.upperBound * 2)]))
            let raw = try model.predict(x)
            for i in 0..<block.rows.count {
                var sum = 0.0
                for c in 0..<3 {
                    let expected = Double(raw[i, c]) + tau * log(priors[c])
                    if abs(Double(block.logits[i, c]) - expected) > 1e-5 || block.rawLogits[i, c] != raw[i, c] { bad = bad ?? "logit row \(block.rows.lowerBound + i)" }
                    sum += Double(block.probabilities[i, c])
                }
                let row = (0..<3).map { block.logits[i, $0] }
                if abs(sum - 1) > 1e-5 { bad = bad ?? "row \(block.rows.lowerBound + i) sums to \(sum)" }
                if block.classes[i] != row.indices.reduce(0, { row[$1] > row[$0] ? $1 : $0 }) { bad = bad ?? "class of row \(block.rows.lowerBound + i)" }
                let p = (0..<3).map { Double(block.probabilities[i, $0]) }
                if abs(log(p[0] / p[1]) - Double(row[0] - row[1])) > 1e-3 { bad = bad ?? "softmax of row \(block.rows.lowerBound + i)" }
            }
        }
        #expect(next == data.count)
        #expect(bad == nil, "\(bad ?? "")")
    }

    @Test("evaluate counts the predicted classes against the labels, and the trainer reports the same")
    func evaluateMatchesTheTrainer() throws {
        let data = try Self.data()
        var configuration = TrainingConfiguration()
        configuration.epochs = 1
        configuration.batchSize = 64
        configuration.hidden = [8]
        configuration.priorCorrection = 0.5
        let trainer = try Trainer(configuration: configuration, inputs: 2, classCounts: data.classCounts)
        _ = try trainer.fit(source: data, labels: data.labels)
        let predictor = try Predictor(model: trainer.model, priors: trainer.priors, priorCorrection: 0.5)
        let metrics = try predictor.evaluate(data, labels: data.labels)
        let classes = try trainer.predict(features: data.features, rows: data.count)
        #expect(metrics == ClassificationMetrics(predictions: classes, labels: data.labels, classCount: 3))
        #expect(try trainer.evaluate(data).metrics == metrics)
    }

    @Test("τ that is not finite, priors that do not fit, a zero prior under correction and labels outside 0..<K are refused")
    func refusals() throws {
        let model = try MLP(inputs: 2, hidden: [], outputs: 3, activation: .relu, seed: 0)
        for tau in [Double.nan, .infinity, -.infinity] {
            #expect(throws: TrainingError.self) { try Predictor(model: model, priors: [0.5, 0.3, 0.2], priorCorrection: tau) }
        }
        #expect(throws: TrainingError.self) { try Predictor(model: model, priors: [0.5, 0.5]) }
        #expect(throws: TrainingError.self) { try Predictor(model: model, priors: [0.5, 0.5, 0], priorCorrection: -1) }
        _ = try Predictor(model: model, priors: [0.5, 0.5, 0])       // no correction: a zero prior is harmless
        let predictor = try Predictor(model: model, priors: [0.5, 0.3, 0.2])
        let data = try LabelledDataset(features: [0, 0, 1, 1], dimension: 2, labels: [0, 3])
        let error = try #require(throws: TrainingError.self) { try predictor.evaluate(data, labels: data.labels) }
        #expect("\(error)".contains("label 3 at row 1"), "\(error)")
        let wide = try LabelledDataset(features: [0, 0, 1], dimension: 3, labels: [0])
        #expect(throws: TrainingError.self) { try predictor.forEachBlock(of: wide) { _ in } }
    }
}
