import Datasets
import Sampling

extension Trainer {
    /// What a checkpoint of this trainer on `labels` (rows of `dimension` features) records of
    /// the run, and what a resume compares.
    ///
    /// - Complexity: O(N) for the labels' hash.
    public func fingerprint(labels: [Int32], dimension: Int) -> TrainingFingerprint {
        let c = configuration
        var loss = c.loss.rawValue
        if c.loss == .logitAdjusted { loss += " τ=\(c.logitAdjustmentTau)" }
        let weights: String
        switch c.classWeighting {
        case .none: weights = "none"
        case .inverse: weights = "inverse"
        case .effective(let beta): weights = "effective β=\(beta)"
        }
        var optimizer = c.optimizer.rawValue
        if c.optimizer == .sgd { optimizer += " momentum=\(c.momentum)" }
        if let decay = c.weightDecay { optimizer += " weight-decay=\(decay)" }
        return TrainingFingerprint(
            classCounts: classCounts, dimension: dimension, labelHash: TrainingFingerprint.labelHash(labels),
            schedule: phases.map(\.description).joined(separator: ","), learningRate: c.learningRate,
            batchSize: c.batchSize, seed: c.seed, shard: "\(c.shard.rank)/\(c.shard.worldSize)", loss: loss,
            classWeights: weights, optimizer: optimizer, model: model.architectureDescription)
    }

    /// The state after epoch `nextEpoch − 1` of phase `phaseIndex`, as a checkpoint.
    func makeCheckpoint(
        nextEpoch: Int, phaseIndex: Int, rates: LearningRateScheduler, optimizer: any Optimizer,
        fingerprint: TrainingFingerprint
    ) -> TrainingCheckpoint {
        let parameters = model.parameters
        return TrainingCheckpoint(
            nextEpoch: nextEpoch, phaseIndex: phaseIndex, learningRate: rates.state,
            parameters: parameters.map { NamedTensor(name: $0.name, shape: [$0.value.rows, $0.value.columns], values: $0.value.storage) },
            optimizer: optimizer.state(of: parameters), generators: model.generatorStates, fingerprint: fingerprint)
    }

    /// Checks `checkpoint` against this run (its fingerprint, the model's parameters, the
    /// schedule), then puts the model's parameters and generators back and returns the
    /// optimizer and the learning-rate schedule of the checkpoint's phase, restored. Nothing
    /// is changed unless everything fits.
    ///
    /// - Throws: ``CheckpointError/mismatch(_:)`` for another run, ``CheckpointError/doesNotFit(_:)``
    ///   or ``CheckpointError/damaged(_:)`` for states that do not fit.
    func restore(
        _ checkpoint: TrainingCheckpoint, fingerprint: TrainingFingerprint, schedule: BatchSchedule
    ) throws -> (optimizer: any Optimizer, rates: LearningRateScheduler) {
        let differences = checkpoint.fingerprint.mismatches(against: fingerprint)
        guard differences.isEmpty else { throw CheckpointError.mismatch(differences) }
        let total = schedule.totalEpochs
        guard checkpoint.nextEpoch >= 1 && checkpoint.nextEpoch <= total else {
            throw CheckpointError.damaged("it resumes at epoch \(checkpoint.nextEpoch); expected 1 to \(total), the run's epochs")
        }
        let p = checkpoint.phaseIndex
        guard p == schedule.phaseIndex(ofEpoch: checkpoint.nextEpoch - 1) else {
            throw CheckpointError.damaged("epoch \(checkpoint.nextEpoch - 1) is in phase \(schedule.phaseIndex(ofEpoch: checkpoint.nextEpoch - 1)), but the checkpoint says phase \(p)")
        }
        let parameters = model.parameters
        guard checkpoint.parameters.count == parameters.count else {
            throw CheckpointError.doesNotFit("the checkpoint holds \(checkpoint.parameters.count) parameters but the model has \(parameters.count)")
        }
        for (saved, parameter) in zip(checkpoint.parameters, parameters) {
            let shape = [parameter.value.rows, parameter.value.columns]
            guard saved.name == parameter.name, saved.shape == shape, saved.values.count == parameter.count else {
                throw CheckpointError.doesNotFit("the checkpoint's parameter \(saved.name) \(saved.shape) does not fit the model's \(parameter.name) \(shape)")
            }
        }
        let phase = phases[p]
        let rate = phase.learningRate.resolved(main: configuration.learningRate)
        let optimizer = try makeOptimizer(learningRate: rate)
        var rates = try LearningRateScheduler(phase.learningRateSchedule, baseLearningRate: rate, epochs: phase.epochs)
        do {
            try optimizer.restore(checkpoint.optimizer, of: parameters)
            try rates.restore(checkpoint.learningRate)
        } catch let error as OptimizerError {
            throw CheckpointError.damaged(error.description)
        } catch let error as TrainingError {
            throw CheckpointError.damaged(error.description)
        }
        try model.restoreGeneratorStates(checkpoint.generators)
        for (saved, parameter) in zip(checkpoint.parameters, parameters) {
            parameter.value.copy(from: Matrix(rows: saved.shape[0], columns: saved.shape[1], storage: saved.values))
        }
        return (optimizer, rates)
    }
}
