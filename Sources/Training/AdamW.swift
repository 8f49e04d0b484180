/// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019) with
/// PyTorch's update (`torch.optim.AdamW`) and defaults.
///
/// The same as ``Adam`` except for weight decay, which shrinks the parameter directly before
/// the moment updates instead of entering the gradient:
///
///     p ← p·(1 − η·λ)
///
/// then the Adam update without the L2 term. PyTorch's default λ is 0.01 here (0 for Adam).
/// Options: AMSGrad (Reddi et al., 2018) and maximisation.
public final class AdamW: Optimizer {
    private let core: AdamCore

    /// Checks and stores the hyperparameters (PyTorch's checks and defaults).
    ///
    /// - Parameters:
    ///   - learningRate: η ≥ 0 (default 1e-3).
    ///   - betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
    ///   - epsilon: ε ≥ 0 (default 1e-8).
    ///   - weightDecay: λ ≥ 0, the decoupled decay (default 0.01).
    ///   - amsgrad: Normalise by the running maximum of `v` (default false).
    ///   - maximize: Ascend instead of descend (default false).
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:expected:)`` for a value
    ///   outside its range.
    public init(learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) throws {
        core = try AdamCore(learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay,
                            amsgrad: amsgrad, maximize: maximize, decoupledWeightDecay: true)
    }

    /// η.
    public var learningRate: Double { core.learningRate }
    /// (β1, β2).
    public var betas: (Double, Double) { (core.beta1, core.beta2) }
    /// ε.
    public var epsilon: Double { core.epsilon }
    /// λ.
    public var weightDecay: Double { core.weightDecay }
    /// Whether AMSGrad is used.
    public var amsgrad: Bool { core.amsgrad }
    /// Whether to maximise.
    public var maximize: Bool { core.maximize }

    public func setLearningRate(_ learningRate: Double) throws {
        try OptimizerError.checkNonNegative("learning rate", learningRate)
        core.learningRate = learningRate
    }

    public func resetState() {
        core.resetState()
    }

    /// One AdamW step on each parameter.
    ///
    /// - Complexity: O(number of values); no allocation after a parameter's first step.
    public func step(_ parameters: [Parameter]) {
        core.step(parameters)
    }
}
