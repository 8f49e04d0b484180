import Foundation

/// How the learning rate changes from epoch to epoch within a phase, with PyTorch's
/// `torch.optim.lr_scheduler` semantics (stepped once per epoch, after the epoch).
public enum LearningRateSchedule: Sendable, Equatable, Hashable, Codable {
    /// The phase's learning rate throughout.
    case constant
    /// `StepLR(step_size, gamma)`: the rate is multiplied by γ after every `stepSize` epochs.
    case step(stepSize: Int, gamma: Double)
    /// `CosineAnnealingLR(T_max, eta_min)`: from the base rate η down to `minimum` over
    /// `period` epochs along a half cosine, η_min + (η − η_min)(1 + cos(π·e/T))/2; past T it
    /// rises again (period 2T), as PyTorch's does. `period` `nil` means the phase's epochs.
    case cosine(period: Int? = nil, minimum: Double = 0)

    /// Throws unless the parameters are usable: `stepSize ≥ 1` and γ finite and ≥ 0;
    /// `period ≥ 1` and `minimum` finite and ≥ 0.
    ///
    /// - Throws: ``TrainingError/invalidParameter(_:)`` naming the parameter.
    public func validate() throws {
        switch self {
        case .constant: break
        case let .step(stepSize, gamma):
            guard stepSize >= 1 else {
                throw TrainingError.invalidParameter("step learning-rate schedule: step size must be at least 1 epoch, got \(stepSize)")
            }
            guard gamma >= 0 && gamma.isFinite else {
                throw TrainingError.invalidParameter("step learning-rate schedule: γ must be a finite number ≥ 0, got \(gamma)")
            }
        case let .cosine(period, minimum):
            if let period, period < 1 {
                throw TrainingError.invalidParameter("cosine learning-rate schedule: the period must be at least 1 epoch, got \(period)")
            }
            guard minimum >= 0 && minimum.isFinite else {
                throw TrainingError.invalidParameter("cosine learning-rate schedule: the minimum rate must be a finite number ≥ 0, got \(minimum)")
            }
        }
    }
}

extension LearningRateSchedule {
    /// Parses the command line's spelling: `constant`, `step:EPOCHS:GAMMA`, `cosine`,
    /// `cosine:ETA_MIN` or `cosine:ETA_MIN:PERIOD` (what ``description`` gives).
    ///
    /// - Throws: ``TrainingError/invalidParameter(_:)`` naming the text and what was expected,
    ///   or the parameter ``validate()`` refuses.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let expected = "expected constant, step:EPOCHS:GAMMA or cosine[:ETA_MIN[:PERIOD]]"
        switch (parts[0], parts.count) {
        case ("constant", 1):
            self = .constant
        case ("step", 3):
            guard let epochs = Int(parts[1]), let gamma = Double(parts[2]) else {
                throw TrainingError.invalidParameter("learning-rate schedule \(text): expected step:EPOCHS:GAMMA with an integer EPOCHS and a number GAMMA")
            }
            self = .step(stepSize: epochs, gamma: gamma)
        case ("cosine", 1):
            self = .cosine()
        case ("cosine", 2), ("cosine", 3):
            guard let minimum = Double(parts[1]), parts.count == 2 || Int(parts[2]) != nil else {
                throw TrainingError.invalidParameter("learning-rate schedule \(text): expected cosine:ETA_MIN[:PERIOD] with a number ETA_MIN and an integer PERIOD")
            }
            self = .cosine(period: parts.count == 3 ? Int(parts[2]) : nil, minimum: minimum)
        default:
            throw TrainingError.invalidParameter("learning-rate schedule \(text) is not a schedule; \(expected)")
        }
        do {
            try validate()
        } catch let TrainingError.invalidParameter(message) {
            throw TrainingError.invalidParameter("learning-rate schedule \(text): \(message)")
        }
    }
}

extension LearningRateSchedule: CustomStringConvertible {
    /// `constant`, `step:EPOCHS:GAMMA`, `cosine`, `cosine:ETA_MIN` or, with a period of its
    /// own, `cosine:ETA_MIN:PERIOD` (the command line's spelling).
    public var description: String {
        switch self {
        case .constant: return "constant"
        case let .step(stepSize, gamma): return "step:\(stepSize):\(gamma)"
        case let .cosine(period, minimum):
            if let period { return "cosine:\(minimum):\(period)" }
            return minimum == 0 ? "cosine" : "cosine:\(minimum)"
        }
    }
}

/// A ``LearningRateSchedule`` being followed: the current epoch and rate, advanced by
/// ``step()`` once per epoch, exactly as PyTorch's scheduler `step()` after each epoch.
///
/// PyTorch computes `CosineAnnealingLR` recursively from the previous rate (not from its closed
/// form), so its rates drift from the closed form by rounding and, with a rate changed from
/// outside, by more; this type reproduces the recursive form in `Double` (Python's floats),
/// including its special step at e ≡ T + 1 (mod 2T). `StepLR` is likewise γ times the previous
/// rate. Parity with torch 2.13 is tested on fixtures from `scripts/fixtures/make_schedule_fixtures.py`.
///
/// ```swift
/// var rates = try LearningRateScheduler(.cosine(), baseLearningRate: 0.1, epochs: 30)
/// for epoch in 0..<30 {
///     try optimizer.setLearningRate(rates.learningRate)
///     // … train one epoch …
///     rates.step()
/// }
/// ```
///
/// ``state`` and ``restore(_:)`` save and resume the position (for checkpoints).
public struct LearningRateScheduler: Sendable, Equatable {
    /// What is being followed.
    public let schedule: LearningRateSchedule
    /// η, the rate at epoch 0 (PyTorch's `base_lrs`).
    public let baseLearningRate: Double
    /// T of the cosine schedule (its `period`, or the phase's epochs); 0 for the others.
    public let period: Int
    /// The epoch the current rate is for (PyTorch's `last_epoch`), 0 before any step.
    public private(set) var epoch: Int = 0
    /// The rate for ``epoch``.
    public private(set) var learningRate: Double

    /// What ``restore(_:)`` needs to continue a schedule.
    public struct State: Sendable, Equatable, Hashable, Codable {
        /// The epoch of the current rate.
        public var epoch: Int
        /// The current rate.
        public var learningRate: Double

        /// A saved position.
        public init(epoch: Int, learningRate: Double) {
            self.epoch = epoch
            self.learningRate = learningRate
        }
    }

    /// A schedule at epoch 0, where the rate is `baseLearningRate`.
    ///
    /// - Parameters:
    ///   - schedule: The schedule.
    ///   - baseLearningRate: η, positive and finite.
    ///   - epochs: The phase's epochs, the cosine period when the schedule does not give one.
    /// - Throws: ``TrainingError/invalidParameter(_:)`` for a bad rate or schedule parameter,
    ///   or a cosine schedule without a period over fewer than 1 epoch.
    public init(_ schedule: LearningRateSchedule, baseLearningRate: Double, epochs: Int) throws {
        try schedule.validate()
        guard baseLearningRate > 0 && baseLearningRate.isFinite else {
            throw TrainingError.invalidParameter("learning rate must be a positive number, got \(baseLearningRate)")
        }
        var period = 0
        if case let .cosine(given, _) = schedule {
            period = given ?? epochs
            guard period >= 1 else {
                throw TrainingError.invalidParameter("cosine learning-rate schedule: the period must be at least 1 epoch, got \(period)")
            }
        }
        self.schedule = schedule
        self.baseLearningRate = baseLearningRate
        self.period = period
        self.learningRate = baseLearningRate
    }

    /// Advances one epoch (PyTorch's `scheduler.step()` after an epoch).
    ///
    /// - Complexity: O(1).
    public mutating func step() {
        epoch += 1
        let e = epoch
        switch schedule {
        case .constant:
            break
        case let .step(stepSize, gamma):
            if e % stepSize == 0 { learningRate *= gamma }
        case let .cosine(_, minimum):
            let t = Double(period)
            let residue = (e - 1 - period) % (2 * period)
            if residue == 0 {
                learningRate += (baseLearningRate - minimum) * (1 - cos(Double.pi / t)) / 2
            } else {
                learningRate = (1 + cos(Double.pi * Double(e) / t)) / (1 + cos(Double.pi * Double(e - 1) / t))
                    * (learningRate - minimum) + minimum
            }
        }
    }

    /// The position to save.
    public var state: State { State(epoch: epoch, learningRate: learningRate) }

    /// Continues from a saved position of the same schedule and base rate.
    ///
    /// - Parameter state: A ``state`` of a scheduler built with the same arguments.
    /// - Throws: ``TrainingError/invalidParameter(_:)`` for a negative epoch or a rate that is
    ///   not finite and ≥ 0.
    public mutating func restore(_ state: State) throws {
        guard state.epoch >= 0 else {
            throw TrainingError.invalidParameter("learning-rate schedule state: epoch must be 0 or more, got \(state.epoch)")
        }
        guard state.learningRate >= 0 && state.learningRate.isFinite else {
            throw TrainingError.invalidParameter("learning-rate schedule state: the rate must be a finite number ≥ 0, got \(state.learningRate)")
        }
        epoch = state.epoch
        learningRate = state.learningRate
    }
}
