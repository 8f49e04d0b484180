import Sampling

/// A long-tail training recipe: the phases of a run, its loss and class weights, and how it
/// predicts, so that recipes can be compared at an equal budget of optimizer steps
/// (``RecipeComparison``).
///
/// A recipe's ``phases`` split ``referenceEpochs`` (30) epochs; ``phases(epochs:)`` scales them
/// to the E epochs of a ``StepBudget``, and ``configuration(from:budget:seed:)`` gives every
/// epoch of every phase the budget's L batches, so every recipe takes E·L optimizer steps
/// whatever its policies (a balanced `cover` epoch holds K·M draws, a natural one N).
///
/// The built-in set (``builtIn``), with π the training class frequencies:
/// - `natural`: real-frequency batches, cross-entropy.
/// - `weighted-loss`: natural batches, cross-entropy weighted by N / (K·n_c).
/// - `balanced`: class-balanced batches throughout.
/// - `balanced+finetune`: balanced for 28 of 30 epochs, then 2 natural epochs on the output
///   layer at a tenth of the rate (the course notes' fine-tune).
/// - `deferred`: deferred re-sampling (Cao, Wei, Gaidon, Arechiga & Ma, "Learning Imbalanced
///   Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019): natural for 20
///   epochs, then balanced for 10.
/// - `crt`: classifier re-training (Kang et al., "Decoupling Representation and Classifier
///   for Long-Tailed Recognition", ICLR 2020): natural for 20 epochs, then 10 balanced epochs
///   on the re-initialised output layer alone.
/// - `logit-adjusted`: natural batches, the logit-adjusted loss with τ = 1 (Menon et al.,
///   "Long-tail learning via logit adjustment", ICLR 2021), plain logits at prediction.
/// - `posthoc`: natural training, prediction with logits + τ·log π, τ = −1 (the correction
///   adds τ·log π, so −1 takes the prior out).
///
/// Every phase starts a fresh optimizer (``TrainingPhase``).
public struct Recipe: Sendable, Equatable {
    /// The name `compare --recipes` knows it by.
    public var name: String
    /// The phases over ``referenceEpochs`` epochs in all.
    public var phases: [TrainingPhase]
    /// The loss.
    public var loss: LossKind
    /// τ of ``LossKind/logitAdjusted``.
    public var logitAdjustmentTau: Double
    /// Class weights in the loss.
    public var classWeighting: ClassWeighting
    /// τ of post-hoc prior correction at prediction (``TrainingConfiguration/priorCorrection``).
    public var priorCorrection: Double?

    /// The epochs a recipe's ``phases`` add up to.
    public static let referenceEpochs = 30

    /// A recipe.
    ///
    /// - Parameters:
    ///   - name: Its name.
    ///   - phases: The phases, their epochs adding up to ``referenceEpochs``.
    ///   - loss: Cross-entropy by default.
    ///   - logitAdjustmentTau: τ of the logit-adjusted loss (1 by default).
    ///   - classWeighting: None by default.
    ///   - priorCorrection: Post-hoc τ; none by default.
    public init(
        _ name: String, phases: [TrainingPhase], loss: LossKind = .crossEntropy, logitAdjustmentTau: Double = 1,
        classWeighting: ClassWeighting = .none, priorCorrection: Double? = nil
    ) {
        self.name = name
        self.phases = phases
        self.loss = loss
        self.logitAdjustmentTau = logitAdjustmentTau
        self.classWeighting = classWeighting
        self.priorCorrection = priorCorrection
    }

    /// natural, weighted-loss, balanced, balanced+finetune, deferred, crt, logit-adjusted,
    /// posthoc (see the type's discussion).
    public static let builtIn: [Recipe] = [
        Recipe("natural", phases: [TrainingPhase(.natural, epochs: 30)]),
        Recipe("weighted-loss", phases: [TrainingPhase(.natural, epochs: 30)], classWeighting: .inverse),
        Recipe("balanced", phases: [TrainingPhase(.balanced, epochs: 30)]),
        Recipe("balanced+finetune", phases: [
            TrainingPhase(.balanced, epochs: 28),
            TrainingPhase(.natural, epochs: 2, learningRate: .factor(0.1), scope: .head),
        ]),
        Recipe("deferred", phases: [TrainingPhase(.natural, epochs: 20), TrainingPhase(.balanced, epochs: 10)]),
        Recipe("crt", phases: [TrainingPhase(.natural, epochs: 20), TrainingPhase(.balanced, epochs: 10, reinitializesHead: true)]),
        Recipe("logit-adjusted", phases: [TrainingPhase(.natural, epochs: 30)], loss: .logitAdjusted, logitAdjustmentTau: 1),
        Recipe("posthoc", phases: [TrainingPhase(.natural, epochs: 30)], priorCorrection: -1),
    ]

    /// The built-in recipes named in `text`, comma separated, in that order.
    ///
    /// - Throws: ``TrainingError/invalidParameter(_:)`` naming an unknown or repeated name and
    ///   listing the known ones.
    public static func list(parsing text: String) throws -> [Recipe] {
        var seen = Set<String>()
        return try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let name = part.trimmingCharacters(in: " ")
            guard let recipe = builtIn.first(where: { $0.name == name }) else {
                throw TrainingError.invalidParameter(
                    "unknown recipe '\(name)'; expected some of \(builtIn.map(\.name).joined(separator: ", "))")
            }
            guard seen.insert(name).inserted else {
                throw TrainingError.invalidParameter("recipe \(name) is listed twice; expected each at most once")
            }
            return recipe
        }
    }

    /// The phases scaled to `epochs` epochs in all: phase p ends at epoch
    /// round(E·(e_0 + … + e_p) / 30), rounding halves to even, so the phases add up to E
    /// (a phase may get 0 epochs when E is small).
    ///
    /// - Parameter epochs: E ≥ 0.
    public func phases(epochs: Int) -> [TrainingPhase] {
        let total = phases.reduce(0) { $0 + $1.epochs }
        var cumulative = 0, start = 0
        return phases.map { phase in
            cumulative += phase.epochs
            let end = Self.roundedHalfToEven(epochs * cumulative, total)
            var scaled = phase
            scaled.epochs = end - start
            start = end
            return scaled
        }
    }

    /// n / d rounded to the nearest integer, halves to even (Python's `round`), for n ≥ 0, d > 0.
    static func roundedHalfToEven(_ n: Int, _ d: Int) -> Int {
        let q = n / d, r = n % d
        if 2 * r > d || (2 * r == d && q % 2 == 1) { return q + 1 }
        return q
    }

    /// `base` with this recipe's phases scaled to the budget (every epoch L batches), loss,
    /// class weights, prior correction and `seed`; the model, optimizer, rate and batch size
    /// stay `base`'s.
    public func configuration(from base: TrainingConfiguration, budget: StepBudget, seed: UInt64) -> TrainingConfiguration {
        var c = base
        c.phases = phases(epochs: budget.epochs)
        c.epochLength = .batches(budget.batchesPerEpoch)
        c.loss = loss
        c.logitAdjustmentTau = logitAdjustmentTau
        c.classWeighting = classWeighting
        c.priorCorrection = priorCorrection
        c.seed = seed
        return c
    }

    /// The phases in ``TrainingPhase/list(parsing:)`` syntax, e.g. `natural:20,balanced:10/reinit`.
    public var schedule: String { phases.map(\.description).joined(separator: ",") }
}

/// An equal budget of optimizer steps: E epochs of L batches, S = E·L steps, for every recipe.
public struct StepBudget: Sendable, Equatable, CustomStringConvertible {
    /// E, the epochs the recipes' phases split.
    public let epochs: Int
    /// L, batches (optimizer steps) in every epoch of every phase.
    public let batchesPerEpoch: Int
    /// S = E·L.
    public var steps: Int { epochs * batchesPerEpoch }

    /// E epochs of L batches.
    ///
    /// - Throws: ``TrainingError/invalidParameter(_:)`` unless E ≥ 1 and L ≥ 1.
    public init(epochs: Int, batchesPerEpoch: Int) throws {
        guard epochs >= 1, batchesPerEpoch >= 1 else {
            throw TrainingError.invalidParameter("a step budget needs at least 1 epoch of at least 1 batch, got \(epochs) epochs of \(batchesPerEpoch) batches")
        }
        self.epochs = epochs
        self.batchesPerEpoch = batchesPerEpoch
    }

    /// The budget of E natural passes over `rows` rows in batches of B, L = ⌈rows / B⌉; or,
    /// given `steps` S, L = S / E.
    ///
    /// - Throws: ``TrainingError/invalidParameter(_:)`` unless E, rows, B and S are ≥ 1 and S
    ///   is a multiple of E.
    public init(epochs: Int, rows: Int, batchSize: Int, steps: Int? = nil) throws {
        guard rows >= 1, batchSize >= 1 else {
            throw TrainingError.invalidParameter("a step budget needs rows and a batch size of at least 1, got \(rows) rows and batch size \(batchSize)")
        }
        if let steps {
            guard epochs >= 1, steps >= 1, steps % epochs == 0 else {
                throw TrainingError.invalidParameter("a budget of \(steps) steps does not split into \(epochs) epochs of equal length; expected a positive multiple of \(epochs)")
            }
            try self.init(epochs: epochs, batchesPerEpoch: steps / epochs)
        } else {
            try self.init(epochs: epochs, batchesPerEpoch: (rows + batchSize - 1) / batchSize)
        }
    }

    /// `S steps (E epochs × L batches)`.
    public var description: String { "\(steps) steps (\(epochs) epochs × \(batchesPerEpoch) batches)" }
}

extension Substring {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var s = self
        while s.first == character { s.removeFirst() }
        while s.last == character { s.removeLast() }
        return String(s)
    }
}
