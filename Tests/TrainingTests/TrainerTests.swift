import Datasets
import Foundation
import Sampling
import Testing
import TestSupport
@testable import Training

@Suite struct TrainerTests {
    static func clean() throws -> (LabelledDataset, LabelledDataset) {
        let data = try SpiralSpecification(counts: [1000, 1000, 1000], noise: 0, seed: 1).generate()
        let split = try data.stratifiedSplit(testFraction: 0.2, seed: 0)
        return (split.training, split.test)
    }

    static func train(_ configuration: TrainingConfiguration, _ training: LabelledDataset, _ test: LabelledDataset) throws -> (Trainer<MLP>, TrainingReport) {
        let trainer = try Trainer(configuration: configuration, inputs: training.dimension, classCounts: training.classCounts)
        return (trainer, try trainer.fit(source: training, labels: training.labels, test: test))
    }

    @Test("seed 003: a linear model stays near 50% on the clean spiral, one ReLU layer of 100 reaches 95%")
    func spiralFigures() throws {
        let (training, test) = try Self.clean()
        var linear = TrainingConfiguration()
        linear.hidden = []
        let (_, linearReport) = try Self.train(linear, training, test)
        let linearAccuracy = try #require(linearReport.test?.accuracy)
        #expect(linearAccuracy > 0.35 && linearAccuracy < 0.65, "linear accuracy \(linearAccuracy)")

        var mlp = TrainingConfiguration()
        mlp.hidden = [100]
        mlp.activation = .relu
        let (_, mlpReport) = try Self.train(mlp, training, test)
        let accuracy = try #require(mlpReport.test?.accuracy)
        #expect(accuracy >= 0.95, "MLP accuracy \(accuracy)")
        #expect(mlpReport.epochs.count == 30)
        #expect(mlpReport.epochs.allSatisfy { $0.phase == .balanced && $0.test != nil })
        // Training lowers the loss.
        #expect(mlpReport.epochs.last!.trainLoss < mlpReport.epochs.first!.trainLoss)
    }

    @Test("imbalanced spirals: balanced + fine-tune beats natural sampling on the minority class")
    func balancedPlusFinetuneBeatsNatural() throws {
        let (training, test) = try imbalancedSpirals()
        var natural = TrainingConfiguration()
        natural.sampler = .natural
        var balanced = TrainingConfiguration()
        balanced.finetuneEpochs = 2
        // Means over three seeds, so one lucky or unlucky run decides nothing.
        var naturalRecall = 0.0, naturalBalanced = 0.0, balancedRecall = 0.0, balancedBalanced = 0.0
        for seed in UInt64(0)..<3 {
            natural.seed = seed
            balanced.seed = seed
            let n = try #require(try Self.train(natural, training, test).1.test)
            let b = try #require(try Self.train(balanced, training, test).1.test)
            naturalRecall += n.recall[2] / 3
            naturalBalanced += n.balancedAccuracy / 3
            balancedRecall += b.recall[2] / 3
            balancedBalanced += b.balancedAccuracy / 3
        }
        #expect(balancedRecall > naturalRecall + 0.2, "minority recall: balanced+FT \(balancedRecall) vs natural \(naturalRecall)")
        #expect(balancedBalanced > naturalBalanced + 0.1, "balanced accuracy: balanced+FT \(balancedBalanced) vs natural \(naturalBalanced)")
    }

    @Test func outputLayerFinetuneLeavesHiddenLayersAlone() throws {
        let training = try SpiralSpecification(counts: [300, 30, 3], noise: 0.1, seed: 4).generate()
        var base = TrainingConfiguration()
        base.epochs = 3
        base.batchSize = 30
        var tuned = base
        tuned.finetuneEpochs = 2
        tuned.finetuneLayers = .output
        let (a, _) = try Self.train(base, training, training)
        let (b, report) = try Self.train(tuned, training, training)
        #expect(report.epochs.map(\.phase) == [.balanced, .balanced, .balanced, .natural, .natural])
        // The hidden layer is exactly what the main phase left; the output layer moved.
        #expect(a.model.linears[0].weight.value == b.model.linears[0].weight.value)
        #expect(a.model.linears[0].bias.value == b.model.linears[0].bias.value)
        #expect(a.model.linears[1].bias.value != b.model.linears[1].bias.value)

        var all = base
        all.finetuneEpochs = 2
        all.finetuneLayers = .all
        let (c, _) = try Self.train(all, training, training)
        #expect(a.model.linears[0].weight.value != c.model.linears[0].weight.value)
    }

    @Test func sameSeedSameModel() throws {
        let training = try SpiralSpecification(counts: [200, 20, 5], noise: 0.2, seed: 3).generate()
        var c = TrainingConfiguration()
        c.epochs = 3
        c.batchSize = 30
        c.finetuneEpochs = 1
        let (a, ra) = try Self.train(c, training, training)
        let (b, rb) = try Self.train(c, training, training)
        #expect(a.model.parameters.map(\.value) == b.model.parameters.map(\.value))
        #expect(ra.epochs.map(\.trainLoss) == rb.epochs.map(\.trainLoss))
        c.seed = 1
        let (d, _) = try Self.train(c, training, training)
        #expect(a.model.parameters.map(\.value) != d.model.parameters.map(\.value))
    }

    @Test("the nll loss (explicit log-softmax + NLL) trains like cross-entropy")
    func nllMatchesCrossEntropy() throws {
        let training = try SpiralSpecification(counts: [100, 50, 20], noise: 0.2, seed: 5).generate()
        var ce = TrainingConfiguration()
        ce.epochs = 2
        ce.batchSize = 30
        ce.classWeighting = .inverse
        var nll = ce
        nll.loss = .nll
        let (a, ra) = try Self.train(ce, training, training)
        let (b, rb) = try Self.train(nll, training, training)
        for (x, y) in zip(ra.epochs.map(\.trainLoss), rb.epochs.map(\.trainLoss)) {
            #expect(abs(x - y) <= 1e-4 * max(1, abs(x)), "\(x) vs \(y)")
        }
        for (p, q) in zip(a.model.parameters, b.model.parameters) {
            for (x, y) in zip(p.value.storage, q.value.storage) { #expect(abs(x - y) <= 1e-3, "\(p.name)") }
        }
    }

    @Test("logit-adjusted loss and Balanced Softmax on natural batches lift the minority classes over plain cross-entropy")
    func longTailLossesLiftMinorityRecall() throws {
        let (training, test) = try imbalancedSpirals()
        var plain = TrainingConfiguration()
        plain.sampler = .natural
        plain.epochs = 15
        var adjusted = plain
        adjusted.loss = .logitAdjusted
        var balancedSoftmax = plain
        balancedSoftmax.loss = .balancedSoftmax
        // Means over two seeds. Plain cross-entropy on natural batches all but ignores the
        // class of 10 (recall about 0.1 here); the adjusted losses find most of it.
        var p = 0.0, a = 0.0, b = 0.0, pMinority = 0.0, aMinority = 0.0
        for seed in UInt64(0)..<2 {
            plain.seed = seed; adjusted.seed = seed; balancedSoftmax.seed = seed
            let plainTest = try #require(try Self.train(plain, training, test).1.test)
            let adjustedTest = try #require(try Self.train(adjusted, training, test).1.test)
            p += plainTest.balancedAccuracy / 2
            a += adjustedTest.balancedAccuracy / 2
            pMinority += plainTest.recall[2] / 2
            aMinority += adjustedTest.recall[2] / 2
            b += try #require(try Self.train(balancedSoftmax, training, test).1.test).balancedAccuracy / 2
        }
        #expect(aMinority > pMinority + 0.3, "minority recall: logit-adjusted \(aMinority) vs plain \(pMinority)")
        #expect(a > p + 0.05, "balanced accuracy: logit-adjusted \(a) vs plain \(p)")
        // τ = 1: the same loss.
        #expect(abs(a - b) < 1e-9, "balanced softmax \(b) vs logit-adjusted τ = 1 \(a)")
        var nonFinite = plain
        nonFinite.loss = .logitAdjusted
        nonFinite.logitAdjustmentTau = .nan
        #expect(throws: LossError.self) { try Trainer(configuration: nonFinite, inputs: 2, classCounts: [10, 5]) }
    }

    @Test func priorCorrectionAddsTauLogPrior() throws {
        let training = try SpiralSpecification(counts: [90, 9, 1], noise: 0.1, seed: 6).generate()
        var c = TrainingConfiguration()
        c.epochs = 1
        c.batchSize = 30
        let trainer = try Trainer(configuration: c, inputs: 2, classCounts: training.classCounts)
        _ = try trainer.fit(source: training, labels: training.labels)
        let features: [Float] = [0.1, 0.2, -0.3, 0.4]
        let raw = try trainer.logits(features: features, rows: 2)
        let shifted = try trainer.logits(features: features, rows: 2, priorCorrection: 0.5)
        let priors = [0.9, 0.09, 0.01]
        #expect(trainer.priors.enumerated().allSatisfy { abs($0.element - priors[$0.offset]) < 1e-12 })
        for r in 0..<2 {
            for k in 0..<3 {
                let expected = raw[r, k] + Float(0.5 * log(priors[k]))
                #expect(abs(shifted[r, k] - expected) <= 1e-5)
            }
        }
    }

    @Test func badConfigurationsAreErrors() throws {
        let training = try SpiralSpecification(counts: [10, 10], noise: 0, seed: 0).generate()
        var c = TrainingConfiguration()
        c.learningRate = -1
        #expect(throws: TrainingError.self) { try Trainer(configuration: c, inputs: 2, classCounts: [10, 10]) }
        c = TrainingConfiguration()
        #expect(throws: TrainingError.self) { try Trainer(configuration: c, inputs: 2, classCounts: [10]) }
        c.batchSize = 0
        let trainer = try Trainer(configuration: c, inputs: 2, classCounts: [10, 10])
        #expect(throws: SamplingError.invalidParameter("batch size must be at least 1, got 0")) {
            try trainer.fit(source: training, labels: training.labels)
        }
        let wide = try LabelledDataset(features: [Float](repeating: 0, count: 60), dimension: 3, labels: [Int32](repeating: 0, count: 10) + [Int32](repeating: 1, count: 10))
        #expect(throws: TrainingError.self) { try trainer.fit(source: wide, labels: wide.labels) }
    }

    /// The README's second example: a file streamed and the same file in memory are the same
    /// `LabelledSource` to the trainer, and train the very same model.
    @Test func aStreamedFileTrainsLikeTheSameFileInMemory() throws {
        let folder = try TemporaryFolder("trainer")
        defer { folder.remove() }
        let path = folder.path("s.h5")
        try writeLabelledDataset(try SpiralSpecification(counts: [300, 60, 12], noise: 0.2, seed: 3).generate(), to: path)
        var configuration = TrainingConfiguration()
        configuration.epochs = 2
        configuration.finetuneEpochs = 1
        configuration.batchSize = 30
        var reports = [TrainingReport]()
        for reading in [FeatureReading.memory, .stream(chunkCacheBudget: 0)] {
            let data = try openLabelledFile(path: path, reading: reading)
            #expect(data.isInMemory == (reading == .memory))
            let (rows, heldOut) = try data.stratifiedSplit(testFraction: 0.2, seed: 0)
            let trainer = try Trainer(configuration: configuration, inputs: rows.dimension, classCounts: rows.labels.counts)
            reports.append(try trainer.fit(source: rows, schedule: trainer.makeSchedule(labels: rows.labels),
                                           test: heldOut.materialize(), lookahead: 16))
        }
        #expect(reports[0].epochs.map(\.trainLoss) == reports[1].epochs.map(\.trainLoss))
        #expect(reports[0].test?.confusion == reports[1].test?.confusion)
        #expect(reports[0].test != nil)
    }

    /// Imbalanced noisy spirals (1000/100/10, σ = 0.2) to train on and a balanced set (300 each) to test on.
    private func imbalancedSpirals() throws -> (training: LabelledDataset, test: LabelledDataset) {
        (try SpiralSpecification(counts: [1000, 100, 10], noise: 0.2, seed: 1).generate(),
         try SpiralSpecification(counts: [300, 300, 300], noise: 0.2, seed: 2).generate())
    }
}
