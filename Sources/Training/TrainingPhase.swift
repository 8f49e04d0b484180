import Sampling

/// Which parameters a phase trains.
public enum PhaseScope: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// Every parameter of the model.
    case all
    /// Only the head (``Classifier/headParameters``, the output layer); the rest of the model
    /// is frozen and its backward pass skipped.
    case head
}

/// A phase's learning rate.
public enum PhaseLearningRate: Sendable, Equatable, Hashable, Codable {
    /// This rate.
    case absolute(Double)
    /// This multiple of the run's ``TrainingConfiguration/learningRate``.
    case factor(Double)

    /// The rate for a run whose main rate is `main`.
    public func resolved(main: Double) -> Double {
        switch self {
        case .absolute(let rate): return rate
        case .factor(let factor): return factor * main
        }
    }
}

/// One phase of a training run: where its batches come from, for how many epochs, at which
/// learning rate and schedule, training what.
///
/// A run is a list of phases. The course notes' scheme is a balanced phase then a short one at
/// the real frequencies on the head; cRT (Kang et al., "Decoupling Representation and
/// Classifier for Long-Tailed Recognition", ICLR 2020) is a natural phase, then a balanced one
/// on the re-initialised head. Each phase starts a fresh optimizer (its moments and step counts
/// start from zero, as a new `torch.optim` object would) and its own learning-rate schedule,
/// stepped after each of its epochs.
///
/// The batches of a phase come from the sampler: `policy` names how they are drawn. Which
/// sequences of policies a run may have is the sampler's business (``Trainer`` says so when it
/// cannot build the stream).
public struct TrainingPhase: Sendable, Equatable, Hashable {
    /// How the phase's batches are drawn.
    public var policy: SamplingPolicy
    /// Epochs of the phase (0 skips it).
    public var epochs: Int
    /// The phase's base learning rate.
    public var learningRate: PhaseLearningRate
    /// How the rate changes over the phase's epochs.
    public var learningRateSchedule: LearningRateSchedule
    /// What the phase trains; `.head` when ``reinitializesHead`` is set.
    public var scope: PhaseScope
    /// Re-draw the head's parameters (``Classifier/resetHead(using:)``) at the phase start.
    /// Implies ``scope`` `.head`.
    public var reinitializesHead: Bool

    /// A phase.
    ///
    /// - Parameters:
    ///   - policy: How the batches are drawn.
    ///   - epochs: Epochs, 0 or more.
    ///   - learningRate: The base rate, absolute or a factor of the run's rate (the run's rate
    ///     by default).
    ///   - learningRateSchedule: Constant by default.
    ///   - scope: `.all` (the default) or `.head`.
    ///   - reinitializesHead: Re-initialise the head first (sets `scope` to `.head`).
    public init(
        _ policy: SamplingPolicy, epochs: Int, learningRate: PhaseLearningRate = .factor(1),
        learningRateSchedule: LearningRateSchedule = .constant, scope: PhaseScope = .all,
        reinitializesHead: Bool = false
    ) {
        self.policy = policy
        self.epochs = epochs
        self.learningRate = learningRate
        self.learningRateSchedule = learningRateSchedule
        self.scope = reinitializesHead ? .head : scope
        self.reinitializesHead = reinitializesHead
    }

    /// Whether only the head trains (``scope`` `.head`, or a re-initialised head).
    public var trainsHeadOnly: Bool { scope == .head || reinitializesHead }

    /// Throws unless the epochs are ≥ 0 and the schedule and the resolved rate are usable.
    ///
    /// - Parameters:
    ///   - index: The phase's position, for the message.
    ///   - mainLearningRate: The run's rate, for a factor.
    /// - Throws: ``TrainingError/invalidParameter(_:)`` naming the phase.
    func validate(index: Int, mainLearningRate: Double) throws {
        guard epochs >= 0 else {
            throw TrainingError.invalidParameter("phase \(index) (\(policy.rawValue)): epochs must be 0 or more, got \(epochs)")
        }
        let rate = learningRate.resolved(main: mainLearningRate)
        guard rate > 0 && rate.isFinite else {
            throw TrainingError.invalidParameter("phase \(index) (\(policy.rawValue)): the learning rate must be a positive number, got \(rate)")
        }
        do {
            if epochs > 0 { _ = try LearningRateScheduler(learningRateSchedule, baseLearningRate: rate, epochs: epochs) }
        } catch let TrainingError.invalidParameter(message) {
            throw TrainingError.invalidParameter("phase \(index) (\(policy.rawValue)): \(message)")
        }
    }
}

extension TrainingPhase {
    /// Parses one phase, `POLICY:EPOCHS` followed by any of `/head` (train the head only),
    /// `/reinit` (re-initialise the head first; implies `/head`), `/lr=η` (an absolute rate),
    /// `/lr=×f` or `/lr=xf` (a factor of the run's rate) and `/lr-schedule=SPEC`
    /// (``LearningRateSchedule/init(parsing:)``): `natural:20`, `balanced:5/reinit/lr=0.01`.
    /// What ``description`` writes parses back to the same phase.
    ///
    /// - Throws: ``TrainingError/invalidParameter(_:)`` naming the bad part.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let head = parts[0]
        guard let colon = head.lastIndex(of: ":"), let epochs = Int(head[head.index(after: colon)...]) else {
            throw TrainingError.invalidParameter("phase \(text): expected POLICY:EPOCHS, e.g. balanced:30")
        }
        let policy: SamplingPolicy
        do {
            policy = try SamplingPolicy(parsing: String(head[..<colon]))
        } catch {
            throw TrainingError.invalidParameter("phase \(text): \(error)")
        }
        var phase = TrainingPhase(policy, epochs: epochs)
        for option in parts.dropFirst() {
            if option == "head" {
                phase.scope = .head
            } else if option == "reinit" {
                phase.reinitializesHead = true
                phase.scope = .head
            } else if option.hasPrefix("lr-schedule=") {
                phase.learningRateSchedule = try LearningRateSchedule(parsing: String(option.dropFirst("lr-schedule=".count)))
            } else if option.hasPrefix("lr=") {
                let value = option.dropFirst("lr=".count)
                if let first = value.first, first == "×" || first == "x", let factor = Double(value.dropFirst()) {
                    phase.learningRate = .factor(factor)
                } else if let rate = Double(value) {
                    phase.learningRate = .absolute(rate)
                } else {
                    throw TrainingError.invalidParameter("phase \(text): \(option) is not a learning rate; expected lr=η or lr=×f")
                }
            } else {
                throw TrainingError.invalidParameter("phase \(text): unknown option /\(option); expected /head, /reinit, /lr=η, /lr=×f or /lr-schedule=SPEC")
            }
        }
        self = phase
    }

    /// Parses a comma-separated list of phases (``init(parsing:)``), e.g.
    /// `natural:20,balanced:5/reinit/lr=0.01` (cRT).
    ///
    /// - Throws: ``TrainingError/invalidParameter(_:)`` naming the bad phase.
    public static func list(parsing text: String) throws -> [TrainingPhase] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { try TrainingPhase(parsing: String($0)) }
    }
}

extension TrainingPhase: CustomStringConvertible {
    /// `POLICY:EPOCHS`, then `/head` or `/reinit`, `/lr=η` (or `/lr=×f` for a factor) and
    /// `/lr-schedule=…` when not the defaults: `balanced:30/lr-schedule=cosine`,
    /// `natural:2/head/lr=×0.1`.
    public var description: String {
        var text = "\(policy.rawValue):\(epochs)"
        if reinitializesHead { text += "/reinit" } else if scope == .head { text += "/head" }
        switch learningRate {
        case .absolute(let rate): text += "/lr=\(rate)"
        case .factor(let factor) where factor != 1: text += "/lr=×\(factor)"
        case .factor: break
        }
        if learningRateSchedule != .constant { text += "/lr-schedule=\(learningRateSchedule)" }
        return text
    }
}

extension TrainingConfiguration {
    /// The phases this configuration trains: ``phases`` when given, else the short form — the
    /// main phase (``sampler`` × ``epochs`` at ``learningRate`` with ``learningRateSchedule``,
    /// all layers), then, with ``finetuneEpochs`` > 0, a natural phase of that many epochs at
    /// ``finetuneLearningRate`` (a tenth of the main rate by default) on ``finetuneLayers``.
    public var resolvedPhases: [TrainingPhase] {
        if let phases { return phases }
        var result = [TrainingPhase(sampler, epochs: epochs, learningRateSchedule: learningRateSchedule)]
        if finetuneEpochs > 0 {
            result.append(TrainingPhase(
                .natural, epochs: finetuneEpochs,
                learningRate: finetuneLearningRate.map { .absolute($0) } ?? .factor(0.1),
                scope: finetuneLayers == .output ? .head : .all))
        }
        return result
    }
}
