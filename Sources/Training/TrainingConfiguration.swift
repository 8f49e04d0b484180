import Sampling

/// The loss a ``Trainer`` minimises.
public enum LossKind: String, CaseIterable, Sendable {
    /// ``CrossEntropyLoss`` on the logits (log-softmax and NLL fused).
    case crossEntropy = "cross-entropy"
    /// An explicit log-softmax output followed by ``NLLLoss``: the same value mathematically,
    /// the course's two-step form.
    case nll
    /// Logit-adjusted cross-entropy (Menon et al. 2021): ``CrossEntropyLoss`` of
    /// `logits + τ·log π` in training (τ = ``TrainingConfiguration/logitAdjustmentTau``, π the
    /// training-set class frequencies), the plain logits at prediction.
    case logitAdjusted = "logit-adjusted"
    /// Balanced Softmax (Ren et al. 2020): the logit-adjusted loss with τ = 1.
    case balancedSoftmax = "balanced-softmax"
}

/// Per-class weights in the loss.
public enum ClassWeighting: Sendable, Equatable {
    /// Every class weighs 1.
    case none
    /// N / (K·n_c) (``Sampling/ClassWeights/inverseFrequency(counts:)``).
    case inverse
    /// Effective number of samples with β (``Sampling/ClassWeights/effectiveNumber(counts:beta:)``).
    case effective(beta: Double)
}

/// The optimiser a ``Trainer`` uses.
public enum OptimizerKind: String, CaseIterable, Sendable {
    case sgd, adam, adamw
}

/// Which parameters the fine-tune phase updates.
public enum FinetuneLayers: String, CaseIterable, Sendable {
    /// The whole network.
    case all
    /// Only the output layer's weight and bias: the features learnt on balanced batches stay,
    /// the decision biases adapt to the real frequencies.
    case output
}

/// Everything a training run needs besides the data.
public struct TrainingConfiguration: Sendable, Equatable {
    /// Hidden layer widths; empty for a linear model.
    public var hidden: [Int] = [100]
    /// The hidden layers' activation.
    public var activation: Activation = .relu
    /// The loss.
    public var loss: LossKind = .crossEntropy
    /// τ of ``LossKind/logitAdjusted`` (any finite number; 1 by default). The other losses
    /// ignore it.
    public var logitAdjustmentTau: Double = 1
    /// Class weights in the loss (with every loss kind).
    public var classWeighting: ClassWeighting = .none
    /// The optimiser.
    public var optimizer: OptimizerKind = .adam
    /// Step size of the main phase; phases may give theirs as a factor of it.
    public var learningRate: Double = 0.01
    /// How the main phase's rate changes from epoch to epoch (short form; a phase in
    /// ``phases`` carries its own).
    public var learningRateSchedule: LearningRateSchedule = .constant
    /// SGD momentum (ignored by Adam and AdamW).
    public var momentum: Double = 0.9
    /// Weight decay; `nil` means the optimiser's default (0 for SGD and Adam, 0.01 for AdamW).
    public var weightDecay: Double? = nil
    /// Batch size B.
    public var batchSize: Int = 96
    /// How many batches an epoch of every phase holds (``Sampling/EpochLength``): `cover` (the
    /// default: N for natural epochs, every sample at least once for quota epochs), or a fixed
    /// `samples(S)` or `batches(N)` for every phase alike, so that phases of different policies
    /// take the same number of optimizer steps an epoch.
    public var epochLength: EpochLength = .cover
    /// Epochs of the main phase.
    public var epochs: Int = 30
    /// Real-frequency fine-tune epochs after the main phase.
    public var finetuneEpochs: Int = 0
    /// What the fine-tune phase updates.
    public var finetuneLayers: FinetuneLayers = .output
    /// Step size of the fine-tune phase; `nil` means a tenth of ``learningRate``.
    public var finetuneLearningRate: Double? = nil
    /// How the main phase samples batches.
    public var sampler: SamplingPolicy = .balanced
    /// The phases of the run, in order; `nil` (the default) for the short form that
    /// ``sampler``, ``epochs``, ``learningRateSchedule``, ``finetuneEpochs``,
    /// ``finetuneLayers`` and ``finetuneLearningRate`` describe (see ``resolvedPhases``).
    /// Given, it replaces those settings.
    public var phases: [TrainingPhase]? = nil
    /// τ for post-hoc prior correction at prediction time (logits + τ·log π_y with π the
    /// training-set class frequencies); `nil` for none.
    public var priorCorrection: Double? = nil
    /// Seeds the initial weights, the batch stream and RReLU's slopes.
    public var seed: UInt64 = 0
    /// Which share of every epoch's batches this process trains on (rank r of w takes global
    /// batches r, r + w, …); the whole stream by default.
    public var shard: Shard = .single

    public init() {}
}
