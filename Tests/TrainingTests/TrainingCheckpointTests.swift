import Datasets
import Foundation
import Sampling
import Testing
import TestSupport
@testable import Training

/// A run stopped after some epochs and resumed from its checkpoint by a fresh trainer ends with
/// the very weights (bit for bit) of an uninterrupted run, for SGD with momentum and Adam, one
/// phase and several (with a re-initialised head), RReLU's random slopes and a cosine schedule
/// included; checkpoints of other runs, or damaged ones, are refused naming what differs.
@Suite struct TrainingCheckpointTests {
    static let data = try! SpiralSpecification(counts: [120, 24, 6], noise: 0.2, seed: 5).generate()

    /// The configurations resumed: name, then the settings.
    static let runs: [(String, TrainingConfiguration)] = {
        var sgd = TrainingConfiguration()
        sgd.optimizer = .sgd
        sgd.momentum = 0.9
        sgd.learningRate = 0.05
        sgd.batchSize = 16
        sgd.epochs = 4
        sgd.hidden = [12]
        var adam = sgd
        adam.optimizer = .adam
        adam.learningRate = 0.01
        adam.activation = .rrelu()
        adam.learningRateSchedule = .cosine()
        var crtSGD = sgd
        crtSGD.phases = try! TrainingPhase.list(parsing: "natural:3,balanced:2/reinit/lr=0.01")
        var crtAdam = adam
        crtAdam.phases = try! TrainingPhase.list(parsing: "balanced:2/lr-schedule=step:1:0.5,natural:2/head/lr=×0.1,balanced:1/reinit")
        return [("sgd+momentum", sgd), ("adam, rrelu, cosine", adam), ("sgd, cRT", crtSGD), ("adam, three phases", crtAdam)]
    }()

    struct Stop: Error {}

    static func bits(_ trainer: Trainer<MLP>) -> [[UInt32]] {
        trainer.model.parameters.map { $0.value.storage.map(\.bitPattern) }
    }

    static func trainer(_ c: TrainingConfiguration) throws -> Trainer<MLP> {
        try Trainer(configuration: c, inputs: data.dimension, classCounts: data.classCounts)
    }

    /// Trains `c` until the checkpoint after `epochs` epochs, then stops (the checkpoint
    /// callback throws), as a killed run would; returns that checkpoint.
    static func stopped(_ c: TrainingConfiguration, after epochs: Int) throws -> TrainingCheckpoint {
        var taken: TrainingCheckpoint?
        let policy = try CheckpointPolicy(every: epochs) { checkpoint in
            taken = checkpoint
            throw Stop()
        }
        #expect(throws: Stop.self) { try trainer(c).fit(source: data, labels: data.labels, checkpoints: policy) }
        return try #require(taken)
    }

    @Test("stopped after e epochs and resumed by a fresh trainer: the final weights are bit-identical", arguments: 0..<4)
    func resumeIsBitIdentical(run: Int) throws {
        let (name, c) = Self.runs[run]
        let reference = try Self.trainer(c)
        var finalCheckpoint: TrainingCheckpoint?
        let report = try reference.fit(source: Self.data, labels: Self.data.labels,
                                       checkpoints: CheckpointPolicy(every: 1000) { finalCheckpoint = $0 })
        let total = c.resolvedPhases.reduce(0) { $0 + $1.epochs }
        #expect(report.epochs.count == total)
        // Only the last epoch is due with a period longer than the run.
        #expect(finalCheckpoint?.nextEpoch == total, "\(name)")
        for stop in 1..<total {
            let checkpoint = try Self.stopped(c, after: stop)
            #expect(checkpoint.nextEpoch == stop, "\(name), stop \(stop)")
            // Through the file layout and back, as datatool stores it.
            let restored = try TrainingCheckpoint(archive: checkpoint.archive)
            #expect(restored == checkpoint, "\(name), stop \(stop): the archive does not round-trip")
            let resumed = try Self.trainer(c)
            var resumedFinal: TrainingCheckpoint?
            let rest = try resumed.fit(source: Self.data, labels: Self.data.labels, resumingFrom: restored,
                                       checkpoints: CheckpointPolicy(every: 1000) { resumedFinal = $0 })
            #expect(rest.epochs.map(\.epoch) == Array(stop..<total), "\(name), stop \(stop)")
            #expect(rest.epochs.map(\.trainLoss) == report.epochs.suffix(total - stop).map(\.trainLoss), "\(name), stop \(stop)")
            #expect(Self.bits(resumed) == Self.bits(reference), "\(name): resumed after epoch \(stop), the weights differ")
            // The optimizer's and the schedule's states end the same too.
            #expect(resumedFinal == finalCheckpoint, "\(name), stop \(stop): the final checkpoints differ")
        }
    }

    @Test("the checkpoint holds what the optimizer has: Adam's moments and step counts, SGD's momentum buffers")
    func optimizerStateIsSaved() throws {
        let (_, sgd) = Self.runs[0]
        let sgdCheckpoint = try Self.stopped(sgd, after: 1)
        #expect(sgdCheckpoint.optimizer.entries.map(\.parameter) == [0, 1, 2, 3])
        #expect(sgdCheckpoint.optimizer.entries.allSatisfy { $0.buffers.map(\.name) == ["momentum_buffer"] })
        let (_, adam) = Self.runs[1]
        let adamCheckpoint = try Self.stopped(adam, after: 2)
        let batches = try Self.trainer(adam).makeSchedule(labels: ClassLabels(Self.data.labels, classCount: 3)).batchesPerRank(epoch: 0)
        #expect(adamCheckpoint.optimizer.entries.map(\.step) == [Int](repeating: 2 * batches, count: 4))
        #expect(adamCheckpoint.optimizer.entries.allSatisfy { $0.buffers.map(\.name) == ["exp_avg", "exp_avg_sq"] })
        #expect(adamCheckpoint.generators.count == 1)
        #expect(adamCheckpoint.generators[0] != Xoshiro256StarStar(seed: adam.seed, stream: 1), "RReLU drew no slopes")
        #expect(adamCheckpoint.learningRate.epoch == 1)
        // In a head-only phase only the head has state (a fresh optimizer at the phase start).
        let (_, crt) = Self.runs[2]
        let headOnly = try Self.stopped(crt, after: 4)
        #expect(headOnly.phaseIndex == 1)
        #expect(headOnly.optimizer.entries.map(\.parameter) == [2, 3])
    }

    @Test("a checkpoint written to HDF5 and read back resumes the same way")
    func fileRoundTrip() throws {
        let folder = try TemporaryFolder("checkpoint")
        defer { folder.remove() }
        let path = folder.path("run.ckpt")
        let (_, c) = Self.runs[3]
        let checkpoint = try Self.stopped(c, after: 3)
        try writeTensorArchive(checkpoint.archive, to: path)
        let archive = try readTensorArchive(from: path)
        #expect(try TrainingCheckpoint(archive: archive) == checkpoint)
        #expect(archive.tensor(named: "optimizer.2.exp_avg")?.shape == [36])
        #expect(archive.attributes["schedule"] == .string("balanced:2/lr-schedule=step:1:0.5,natural:2/head/lr=×0.1,balanced:1/reinit"))
    }

    @Test("a checkpoint of another run is refused, naming what differs")
    func mismatchesAreNamed() throws {
        let (_, base) = Self.runs[0]
        let checkpoint = try Self.stopped(base, after: 2)
        func refusal(_ c: TrainingConfiguration, data: LabelledDataset = Self.data) throws -> [FingerprintMismatch] {
            let trainer = try Trainer(configuration: c, inputs: data.dimension, classCounts: data.classCounts)
            do {
                _ = try trainer.fit(source: data, labels: data.labels, resumingFrom: checkpoint)
            } catch CheckpointError.mismatch(let differences) {
                return differences
            }
            Issue.record("the checkpoint was accepted")
            return []
        }
        var longer = base
        longer.epochs = 5
        let schedule = try refusal(longer)
        #expect(schedule.map(\.description) == ["the checkpoint was made with schedule balanced:4 but this run has balanced:5"])
        var other = base
        other.seed = 9
        other.batchSize = 17
        other.optimizer = .adam
        #expect(try refusal(other).map(\.field) == [.batchSize, .seed, .optimizer])
        var wider = base
        wider.hidden = [13]
        #expect(try refusal(wider).map(\.description) == ["the checkpoint was made with model Linear(2, 12), relu, Linear(12, 3) but this run has Linear(2, 13), relu, Linear(13, 3)"])
        let four = try SpiralSpecification(counts: [120, 24, 6, 6], noise: 0.2, seed: 5).generate()
        #expect(try refusal(base, data: four).first?.description == "the checkpoint was made on data with 3 classes but the data has 4")
        // The same class counts, other labels: two rows of classes 0 and 1 swap labels.
        var labels = Self.data.labels
        let zero = labels.firstIndex(of: 0)!, one = labels.firstIndex(of: 1)!
        labels.swapAt(zero, one)
        let relabelled = try LabelledDataset(features: Self.data.features, dimension: 2, labels: labels, classCount: 3)
        #expect(try refusal(base, data: relabelled).map(\.field) == [.labels])
    }

    @Test("a checkpoint that is not one, or is damaged, is refused with a reason and changes nothing")
    func damagedCheckpointsAreRefused() throws {
        let (_, c) = Self.runs[1]
        let checkpoint = try Self.stopped(c, after: 1)
        let model = try MLP(inputs: 2, hidden: [12], outputs: 3, activation: .relu, seed: 0)
        let saved = model.archive(provenance: ModelProvenance(priors: [0.8, 0.16, 0.04], schedule: "", seed: 0))
        #expect(throws: CheckpointError.notACheckpoint("its format is \"imbalanced-training/mlp\" (a saved model, not a checkpoint); expected \"imbalanced-training/checkpoint\"")) {
            try TrainingCheckpoint(archive: saved)
        }
        var noFormat = checkpoint.archive
        noFormat.attributes["format"] = nil
        #expect(throws: CheckpointError.notACheckpoint("it has no format attribute; expected \"imbalanced-training/checkpoint\"")) {
            try TrainingCheckpoint(archive: noFormat)
        }
        var missing = checkpoint.archive
        missing.tensors.removeAll { $0.name == "model.1" }
        #expect(throws: CheckpointError.damaged("tensor model.1 (parameter layers.0.bias) is missing or not of rank 2")) {
            try TrainingCheckpoint(archive: missing)
        }
        var stray = checkpoint.archive
        stray.tensors.append(NamedTensor(name: "extra", shape: [1], values: [0]))
        #expect(throws: CheckpointError.damaged("tensor extra is not part of the checkpoint layout")) { try TrainingCheckpoint(archive: stray) }

        // Decodes, but does not fit: a short moment buffer, a step past the run.
        let trainer = try Self.trainer(c)
        let before = Self.bits(trainer)
        var short = checkpoint
        short.optimizer.entries[0].buffers[0].values.removeLast()
        #expect(throws: CheckpointError.damaged("optimizer state: buffer exp_avg of parameter layers.0.weight has 23 values; expected 24")) {
            try trainer.fit(source: Self.data, labels: Self.data.labels, resumingFrom: short)
        }
        var late = checkpoint
        late.nextEpoch = 9
        #expect(throws: CheckpointError.damaged("it resumes at epoch 9; expected 1 to 4, the run's epochs")) {
            try trainer.fit(source: Self.data, labels: Self.data.labels, resumingFrom: late)
        }
        var noGenerators = checkpoint
        noGenerators.generators = []
        #expect(throws: CheckpointError.doesNotFit("the checkpoint holds 0 random generator states but the model has 1 activation layers")) {
            try trainer.fit(source: Self.data, labels: Self.data.labels, resumingFrom: noGenerators)
        }
        #expect(Self.bits(trainer) == before, "a refused checkpoint changed the model")
        #expect(throws: TrainingError.self) { try CheckpointPolicy(every: 0) { _ in } }
    }
}
