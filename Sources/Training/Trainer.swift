import Datasets
import Sampling

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a training run reports as it goes.
public enum TrainingEvent: Sendable {
    /// A batch was trained on: epoch, phase, its position in this epoch and the epoch's
    /// running mean loss and accuracy so far.
    case batch(epoch: Int, phase: SamplingPolicy, batch: Int, batchesInEpoch: Int, loss: Double, accuracy: Double)
    /// An epoch ended.
    case epoch(EpochReport)
}

/// One epoch's figures.
public struct EpochReport: Sendable {
    /// Epoch number, counted over the whole run.
    public var epoch: Int
    /// The policy the epoch's batches were drawn with.
    public var phase: SamplingPolicy
    /// The position of the epoch's phase in ``Trainer/phases``.
    public var phaseIndex: Int
    /// The learning rate of the epoch.
    public var learningRate: Double
    /// Mean training loss over the epoch's batches (weighted by batch size).
    public var trainLoss: Double
    /// Accuracy on the epoch's training batches.
    public var trainAccuracy: Double
    /// Held-out figures after the epoch (with prior correction when configured).
    public var test: ClassificationMetrics?
    /// Mean unweighted cross-entropy on the held-out data.
    public var testLoss: Double?
    /// Wall-clock seconds the epoch took (training and evaluation).
    public var seconds: Double
}

/// The result of ``Trainer/fit(source:labels:test:lookahead:resumingFrom:checkpoints:observer:)``.
public struct TrainingReport: Sendable {
    /// Every epoch, in order.
    public var epochs: [EpochReport]
    /// The held-out figures of the final model (with prior correction when configured).
    public var test: ClassificationMetrics?
    /// The training-set class frequencies π (used by prior correction).
    public var priors: [Double]
}

/// Trains a ``Classifier`` (an ``MLP``, or any model of the caller's) the way the course notes do it: the five steps (forward, loss,
/// zero the gradients, backward, step) over class-balanced batches from per-class circular
/// buffers, then a few epochs at the real class frequencies so the output layer learns the
/// priors back; or, instead of that fine-tune phase, post-hoc prior correction (Menon et al.,
/// "Long-tail learning via logit adjustment", ICLR 2021): predict with `logits + τ·log π_y`.
///
/// The trainer knows nothing of files: rows come from any ``Datasets/FeatureRowSource`` (in
/// memory, or an HDF5 dataset read batch by batch), assembled on a background thread by a
/// ``Sampling/BatchPrefetcher``.
///
/// ```swift
/// var configuration = TrainingConfiguration()
/// configuration.finetuneEpochs = 2
/// let trainer = try Trainer(configuration: configuration, inputs: 2, classCounts: train.classCounts)  // an MLP
/// let report = try trainer.fit(source: train, labels: train.labels, test: test)
/// print(report.test?.balancedAccuracy ?? .nan)
///
/// let custom = try Trainer(model: myNetwork, configuration: configuration, classCounts: train.classCounts)
/// ```
///
/// The configuration's `hidden` and `activation` describe the network only for the
/// convenience initialiser that builds an ``MLP``; a given model is trained as it is.
public final class Trainer<Model: Classifier> {
    /// The parameters of the run.
    public let configuration: TrainingConfiguration
    /// The model being trained (shared with the caller: training changes it in place).
    public let model: Model
    /// Samples of each class in the training data.
    public let classCounts: [Int]
    /// π_c = n_c / N of the training data.
    public let priors: [Double]
    /// The phases ``fit(source:labels:test:lookahead:resumingFrom:checkpoints:observer:)`` trains, in order
    /// (``TrainingConfiguration/resolvedPhases``).
    public let phases: [TrainingPhase]

    private let crossEntropy: CrossEntropyLoss
    private let nll: NLLLoss
    private let logSoftmax: ActivationLayer
    /// The main phase's optimiser, built (and so checked) by `init`; the first `fit` uses it.
    private var preparedOptimizer: (any Optimizer)?
    /// Log-probabilities and their gradient for the NLL path, kept across batches.
    private var logProbabilities = Matrix(rows: 0, columns: 0)
    private var logProbabilityGradient = Matrix(rows: 0, columns: 0)

    /// A trainer for `model`, checking the configuration against the model and the data's
    /// class counts.
    ///
    /// - Parameters:
    ///   - model: The network to train, with `outputs` equal to the number of classes.
    ///   - configuration: Loss, optimiser, schedule and seed (its `hidden` and `activation`
    ///     are not used).
    ///   - classCounts: n_c for every class of the training data (K = its length).
    /// - Throws: ``TrainingError`` for a parameter out of range or a model whose outputs are
    ///   not K; the optimiser's and the loss's errors for settings they refuse (a τ of the
    ///   logit-adjusted loss that is not finite, an empty class under a long-tail loss).
    public init(model: Model, configuration: TrainingConfiguration, classCounts: [Int]) throws {
        let c = configuration
        guard classCounts.count >= 2 else {
            throw TrainingError.invalidParameter("training needs at least 2 classes, got \(classCounts.count)")
        }
        guard c.learningRate > 0 && c.learningRate.isFinite else {
            throw TrainingError.invalidParameter("learning rate must be a positive number, got \(c.learningRate)")
        }
        if let lr = c.finetuneLearningRate, !(lr > 0 && lr.isFinite) {
            throw TrainingError.invalidParameter("fine-tune learning rate must be a positive number, got \(lr)")
        }
        phases = c.resolvedPhases
        for (index, phase) in phases.enumerated() {
            try phase.validate(index: index, mainLearningRate: c.learningRate)
        }
        _ = try Self.scheduleConfiguration(phases: phases, configuration: c)
        self.configuration = c
        self.classCounts = classCounts
        let n = Double(classCounts.reduce(0, +))
        self.priors = classCounts.map { Double($0) / n }
        _ = try priorCorrectionShift(priors: priors, tau: c.priorCorrection ?? 0)
        let weights: [Float]?
        switch c.classWeighting {
        case .none: weights = nil
        case .inverse: weights = try ClassWeights.inverseFrequency(counts: classCounts).map { Float($0) }
        case .effective(let beta): weights = try ClassWeights.effectiveNumber(counts: classCounts, beta: beta).map { Float($0) }
        }
        let adjustment: LogitAdjustment?
        switch c.loss {
        case .crossEntropy, .nll: adjustment = nil
        case .logitAdjusted: adjustment = try .logitAdjusted(priors: priors, tau: c.logitAdjustmentTau)
        case .balancedSoftmax: adjustment = try .balancedSoftmax(priors: priors)
        }
        crossEntropy = try CrossEntropyLoss(weight: weights, logitAdjustment: adjustment)
        nll = try NLLLoss(weight: weights)
        logSoftmax = try ActivationLayer(.logSoftmax, name: "log_softmax")
        guard model.outputs == classCounts.count else {
            throw TrainingError.invalidParameter("the model has \(model.outputs) outputs but the data has \(classCounts.count) classes")
        }
        self.model = model
        // Fail now, not after the first epoch, on optimiser settings the optimisers refuse.
        preparedOptimizer = try makeOptimizer(learningRate: c.learningRate)
    }

    func makeOptimizer(learningRate: Double) throws -> any Optimizer {
        let c = configuration
        switch c.optimizer {
        case .sgd:
            return try SGD(learningRate: learningRate, momentum: c.momentum, weightDecay: c.weightDecay ?? 0)
        case .adam:
            return try Adam(learningRate: learningRate, weightDecay: c.weightDecay ?? 0)
        case .adamw:
            return try Adam.adamW(learningRate: learningRate, weightDecay: c.weightDecay ?? 0.01)
        }
    }

    // MARK: - Training

    /// Trains on `source`'s rows with `labels`, evaluating on `test` after every epoch.
    ///
    /// - Parameters:
    ///   - source: The training features, one row per label.
    ///   - labels: The training labels in `0..<K`.
    ///   - test: Held-out data for the per-epoch figures (optional).
    ///   - lookahead: Batches the loader gathers per read of the source (see
    ///     ``Sampling/BatchLoader``): 1 for data in memory, more for a file read on demand, so
    ///     each storage chunk is read once for many rows. The batches are the same either way.
    ///   - checkpoint: A checkpoint of this run (same data and settings) to continue from:
    ///     the model, the optimizer, the learning-rate schedule and the batch stream are put
    ///     back where they were, and training goes on from its ``TrainingCheckpoint/nextEpoch``
    ///     (the report then holds the epochs trained here). The final weights are bit for bit
    ///     those of an uninterrupted run.
    ///   - checkpoints: When to take checkpoints and where they go (none by default).
    ///   - observer: Called after every batch and every epoch, on the calling thread.
    /// - Returns: The per-epoch and final figures.
    /// - Throws: Data errors (a label out of range, an empty class), sampling errors (batch
    ///   size), read errors from the source; ``CheckpointError`` for a checkpoint of another
    ///   run or one that does not fit the model; what `checkpoints.save` throws.
    public func fit<Source: FeatureRowSource & Sendable>(
        source: Source, labels: [Int32], test: LabelledDataset? = nil, lookahead: Int = 1,
        resumingFrom checkpoint: TrainingCheckpoint? = nil, checkpoints: CheckpointPolicy? = nil,
        observer: (TrainingEvent) -> Void = { _ in }
    ) throws -> TrainingReport {
        try checkShapes(dimension: source.dimension, test: test)
        let schedule = try makeSchedule(labels: ClassLabels(labels, classCount: classCounts.count))
        return try fit(source: source, schedule: schedule, labels: labels, test: test, lookahead: lookahead,
                       resumingFrom: checkpoint, checkpoints: checkpoints, observer: observer)
    }

    /// Trains on the batches of `schedule` (from ``makeSchedule(labels:)``) gathered from
    /// `source`, evaluating on `test` after every epoch.
    ///
    /// - Parameters:
    ///   - source: The training features and labels, checked once when they were loaded.
    ///   - schedule: The batch stream over `source`'s labels.
    ///   - test: Held-out data for the per-epoch figures (optional).
    ///   - lookahead: Batches the loader gathers per read of the source.
    ///   - checkpoint: A checkpoint of this run to continue from (see
    ///     ``fit(source:labels:test:lookahead:resumingFrom:checkpoints:observer:)``).
    ///   - checkpoints: When to take checkpoints and where they go (none by default).
    ///   - observer: Called after every batch and every epoch, on the calling thread.
    /// - Returns: The per-epoch and final figures.
    /// - Throws: ``TrainingError/invalidParameter(_:)`` when the shapes do not fit the model;
    ///   read errors from the source; ``CheckpointError`` for a checkpoint that does not fit;
    ///   what `checkpoints.save` throws.
    public func fit(
        source: LabelledSource, schedule: BatchSchedule, test: LabelledDataset? = nil, lookahead: Int = 1,
        resumingFrom checkpoint: TrainingCheckpoint? = nil, checkpoints: CheckpointPolicy? = nil,
        observer: (TrainingEvent) -> Void = { _ in }
    ) throws -> TrainingReport {
        try checkShapes(dimension: source.dimension, test: test)
        guard schedule.classCount == classCounts.count else {
            throw TrainingError.invalidParameter("the schedule draws from \(schedule.classCount) classes but the model has \(classCounts.count)")
        }
        return try fit(source: source, schedule: schedule, labels: source.labels.values, test: test, lookahead: lookahead,
                       resumingFrom: checkpoint, checkpoints: checkpoints, observer: observer)
    }

    /// Throws ``TrainingError/invalidParameter(_:)`` unless the training rows have the model's
    /// width and the held-out data its width and at most its classes.
    private func checkShapes(dimension: Int, test: LabelledDataset?) throws {
        let k = classCounts.count
        guard dimension == model.inputs else {
            throw TrainingError.invalidParameter("the features have \(dimension) columns but the model takes \(model.inputs)")
        }
        if let test, test.dimension != model.inputs || test.classCount > k {
            throw TrainingError.invalidParameter("the held-out data has \(test.dimension) features and \(test.classCount) classes; expected \(model.inputs) features and at most \(k) classes")
        }
    }

    private func fit<Source: FeatureRowSource & Sendable>(
        source: Source, schedule: BatchSchedule, labels: [Int32], test: LabelledDataset?, lookahead: Int,
        resumingFrom checkpoint: TrainingCheckpoint?, checkpoints: CheckpointPolicy?,
        observer: (TrainingEvent) -> Void
    ) throws -> TrainingReport {
        let c = configuration
        let k = classCounts.count
        var loader = try BatchLoader(schedule: schedule, source: source, labels: labels, lookahead: lookahead)
        let fingerprint = checkpoint != nil || checkpoints != nil ? self.fingerprint(labels: labels, dimension: source.dimension) : nil

        var optimizer: any Optimizer
        var rates: LearningRateScheduler
        var epoch = -1                  // the epoch being trained (or the last one done)
        var phaseIndex = -1
        if let checkpoint, let fingerprint {
            (optimizer, rates) = try restore(checkpoint, fingerprint: fingerprint, schedule: schedule)
            try loader.seek(epoch: checkpoint.nextEpoch)
            epoch = checkpoint.nextEpoch - 1
            phaseIndex = checkpoint.phaseIndex
        } else {
            optimizer = try preparedOptimizer ?? makeOptimizer(learningRate: c.learningRate)
            rates = try LearningRateScheduler(.constant, baseLearningRate: c.learningRate, epochs: 1)
        }
        preparedOptimizer = nil
        var headOnly = phaseIndex >= 0 && phases[phaseIndex].trainsHeadOnly
        var trainable = headOnly ? model.headParameters : model.parameters
        let prefetcher = BatchPrefetcher(loader: loader, depth: 4)

        var batch = Batch()
        var x = Matrix(rows: 0, columns: model.inputs)
        var logits = Matrix(rows: 0, columns: k)
        var gradient = Matrix(rows: 0, columns: k)
        var predictions = [Int]()

        var reports = [EpochReport]()
        var inEpoch = false             // an epoch of this call is under way
        var phase = SamplingPolicy.balanced
        var lossSum = 0.0, correct = 0, seen = 0, batchInEpoch = 0
        var epochStart = now()

        func finishEpoch() throws {
            guard inEpoch else { return }
            var report = EpochReport(
                epoch: epoch, phase: phase, phaseIndex: phaseIndex, learningRate: rates.learningRate,
                trainLoss: lossSum / Double(max(seen, 1)),
                trainAccuracy: Double(correct) / Double(max(seen, 1)), test: nil, testLoss: nil, seconds: 0)
            if let test {
                let evaluation = try evaluate(test)
                report.test = evaluation.metrics
                report.testLoss = evaluation.loss
            }
            report.seconds = now() - epochStart
            reports.append(report)
            observer(.epoch(report))
            if let checkpoints, let fingerprint, checkpoints.isDue(afterEpoch: epoch, of: schedule.totalEpochs) {
                try checkpoints.save(makeCheckpoint(
                    nextEpoch: epoch + 1, phaseIndex: phaseIndex, rates: rates, optimizer: optimizer, fingerprint: fingerprint))
            }
        }

        while try prefetcher.next(into: &batch) {
            let tag = batch.tag
            if tag.epoch != epoch {
                try finishEpoch()
                let index = tag.phaseIndex
                if index == phaseIndex {
                    rates.step()                                    // scheduler.step() after an epoch
                } else {
                    // A phase starts: its head, its parameters, a fresh optimizer, its schedule.
                    let next = phases[index]
                    if next.reinitializesHead {
                        var rng = Xoshiro256StarStar(seed: c.seed, stream: Self.headStream + UInt64(index))
                        model.resetHead(using: &rng)
                    }
                    headOnly = next.trainsHeadOnly
                    trainable = headOnly ? model.headParameters : model.parameters
                    let rate = next.learningRate.resolved(main: c.learningRate)
                    if phaseIndex >= 0 || rate != c.learningRate { optimizer = try makeOptimizer(learningRate: rate) }
                    rates = try LearningRateScheduler(next.learningRateSchedule, baseLearningRate: rate, epochs: next.epochs)
                    phaseIndex = index
                }
                try optimizer.setLearningRate(rates.learningRate)
                epoch = tag.epoch
                inEpoch = true
                phase = tag.policy
                lossSum = 0; correct = 0; seen = 0; batchInEpoch = 0
                epochStart = now()
            }
            let rows = batch.count
            // 1. forward
            x.reshape(rows: rows, columns: model.inputs)
            batch.features.withUnsafeBufferPointer { source in
                x.storage.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: source.baseAddress!, count: source.count) }
            }
            try model.forward(x, into: &logits, training: true)
            // 2. loss (and its gradient w.r.t. the logits)
            let loss = try lossAndGradient(logits: logits, targets: batch.labels, gradient: &gradient)
            // 3. zero the gradients, 4. backward, 5. step
            trainable.zeroGradients()
            try model.backward(dLogits: gradient, headOnly: headOnly)
            optimizer.step(trainable)

            logits.rowArgmax(into: &predictions)
            for i in 0..<rows where predictions[i] == Int(batch.labels[i]) { correct += 1 }
            lossSum += Double(loss) * Double(rows)
            seen += rows
            batchInEpoch += 1
            observer(.batch(
                epoch: epoch, phase: phase, batch: batchInEpoch, batchesInEpoch: schedule.batchesPerRank(epoch: epoch),
                loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen)))
        }
        try finishEpoch()
        // The last epoch's report already evaluated the final model (none: a resumed run that
        // had no epoch left).
        let final = try reports.last?.test ?? test.map { try evaluate($0).metrics }
        return TrainingReport(epochs: reports, test: final, priors: priors)
    }

    /// The batch stream ``fit(source:schedule:test:lookahead:resumingFrom:checkpoints:observer:)`` trains on: one phase
    /// of the sampler per training phase. Building it checks the batch size, the epochs and the
    /// classes against `labels` without training, so a caller can refuse a bad configuration
    /// before any work.
    ///
    /// - Parameters:
    ///   - labels: The training labels.
    ///   - chunkedOrder: The locality order of the passes (``Sampling/ChunkedOrder``), or
    ///     `nil` (the default) for the exact order.
    /// - Throws: As ``Sampling/BatchSchedule/init(labels:configuration:)``.
    public func makeSchedule(labels: ClassLabels, chunkedOrder: ChunkedOrder? = nil) throws -> BatchSchedule {
        var schedule = try Self.scheduleConfiguration(phases: phases, configuration: configuration)
        schedule.chunkedOrder = chunkedOrder
        return try BatchSchedule(labels: labels.withClassCount(classCounts.count), configuration: schedule)
    }

    /// What a saved model records of this run: the priors π, the phases in words (with the
    /// main rate), the seed, the prior correction τ.
    ///
    /// - Parameter classNames: The classes' names in label order, when the data has them.
    public func provenance(classNames: [String]? = nil) -> ModelProvenance {
        let schedule = "lr=\(configuration.learningRate) " + phases.map(\.description).joined(separator: ",")
        return ModelProvenance(classNames: classNames, priors: priors, schedule: schedule, seed: configuration.seed,
                               priorCorrection: configuration.priorCorrection)
    }

    // MARK: - Phases and the sampler

    /// Stream of the seed that re-initialises the head at the start of phase p: `headStream + p`
    /// (the MLP's RReLU layers use streams 1, 2, …).
    static var headStream: UInt64 { 1 << 32 }

    /// The sampler's description of the phases' batch stream: one sampling phase (policy ×
    /// epochs) per training phase, in order, so a batch's `phaseIndex` is its training phase.
    ///
    /// - Throws: ``TrainingError/invalidParameter(_:)`` when there are no phases.
    static func scheduleConfiguration(phases: [TrainingPhase], configuration c: TrainingConfiguration) throws -> ScheduleConfiguration {
        guard !phases.isEmpty else {
            throw TrainingError.invalidParameter("a training run needs at least one phase")
        }
        return ScheduleConfiguration(
            batchSize: c.batchSize, phases: phases.map { SchedulePhase($0.policy, epochs: $0.epochs) },
            epochLength: c.epochLength, seed: c.seed, shard: c.shard)
    }

    /// The configured loss and ∂loss/∂logits.
    private func lossAndGradient(logits: Matrix, targets: [Int32], gradient: inout Matrix) throws -> Float {
        switch configuration.loss {
        case .crossEntropy, .logitAdjusted, .balancedSoftmax:
            return try crossEntropy.valueAndGradient(logits: logits, targets: targets, gradient: &gradient)
        case .nll:
            logSoftmax.forward(logits, into: &logProbabilities, training: true)
            let loss = try nll.valueAndGradient(logProbabilities: logProbabilities, targets: targets, gradient: &logProbabilityGradient)
            logSoftmax.backward(input: logits, output: logProbabilities, outputGradient: logProbabilityGradient, into: &gradient)
            return loss
        }
    }

    // MARK: - Prediction

    /// The model's logits for `features` (`[rows, D]` row-major), in evaluation mode, with
    /// `τ·log π_c` added to class c's logit when `priorCorrection` is τ (logit adjustment).
    ///
    /// - Throws: ``LayerError`` when the features do not have the model's width.
    public func logits(features: [Float], rows: Int, priorCorrection: Double? = nil) throws -> Matrix {
        var out = Matrix(rows: 0, columns: 0)
        try model.forward(Matrix(rows: rows, columns: model.inputs, storage: features), into: &out, training: false)
        if let shift = try priorCorrectionShift(priors: priors, tau: priorCorrection ?? 0) { out.addRowVector(shift) }
        return out
    }

    /// Predicted classes for `features` (`[rows, D]`), with the configured prior correction.
    public func predict(features: [Float], rows: Int) throws -> [Int32] {
        try logits(features: features, rows: rows, priorCorrection: configuration.priorCorrection)
            .rowArgmax().map { Int32($0) }
    }

    /// Held-out metrics (predictions with the configured prior correction) and the mean
    /// unweighted cross-entropy of the raw logits, of the current model on `data`.
    public func evaluate(_ data: LabelledDataset) throws -> (metrics: ClassificationMetrics, loss: Double) {
        let predictor = try Predictor(model: model, priors: priors, priorCorrection: configuration.priorCorrection ?? 0)
        let sum = try CrossEntropyLoss(reduction: .sum)
        var lossSum = 0.0
        let metrics = try predictor.evaluate(data, labels: data.labels) { block, labels in
            lossSum += Double(try sum.forward(logits: block.rawLogits, targets: Array(labels))[0, 0])
        }
        return (metrics, lossSum / Double(max(data.count, 1)))
    }
}

extension Trainer where Model == MLP {
    /// Builds the ``MLP`` the configuration describes (`hidden`, `activation`, initial weights
    /// from `seed`) for D inputs and K = `classCounts.count` classes, and a trainer for it.
    ///
    /// - Parameters:
    ///   - configuration: Architecture, loss, optimiser, schedule and seed.
    ///   - inputs: D, features per sample.
    ///   - classCounts: n_c for every class of the training data (K = its length).
    /// - Throws: ``TrainingError`` for a parameter out of range; the layers' errors for sizes
    ///   they refuse.
    public convenience init(configuration: TrainingConfiguration, inputs: Int, classCounts: [Int]) throws {
        guard classCounts.count >= 2 else {
            throw TrainingError.invalidParameter("training needs at least 2 classes, got \(classCounts.count)")
        }
        let model = try MLP(inputs: inputs, hidden: configuration.hidden, outputs: classCounts.count,
                            activation: configuration.activation, seed: configuration.seed)
        try self.init(model: model, configuration: configuration, classCounts: classCounts)
    }
}

/// Seconds on a monotonic clock.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
