/// Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) with PyTorch's
/// update (`torch.optim.Adam`), defaults and options: L2 weight decay added to the gradient,
/// AMSGrad (Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018) and
/// maximisation.
///
/// For each parameter `p` with gradient `g`, at its step `t = 1, 2, …` (moments start at 0):
///
///     g ← −g                              if maximize
///     g ← g + λ·p                         if weightDecay λ ≠ 0
///     m ← m + (1 − β1)·(g − m)            (lerp, as PyTorch)
///     v ← β2·v + (1 − β2)·g²
///     v̂ ← max(v̂, v) and use v̂ for v      if amsgrad
///     denom ← √v / √(1 − β2ᵗ) + ε
///     p ← p − (η / (1 − β1ᵗ))·m / denom
///
/// The order of operations is PyTorch's: the bias corrections are folded into the step size
/// and the denominator rather than applied to `m` and `v`, and ε is added after dividing by
/// `√(1 − β2ᵗ)`. For weight decay that does not go through the moments, see ``AdamW``.
public final class Adam: Optimizer {
    private let core: AdamCore

    /// Checks and stores the hyperparameters (PyTorch's checks and defaults).
    ///
    /// - Parameters:
    ///   - learningRate: η ≥ 0 (default 1e-3).
    ///   - betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
    ///   - epsilon: ε ≥ 0 (default 1e-8).
    ///   - weightDecay: λ ≥ 0, the L2 term added to the gradient (default 0).
    ///   - amsgrad: Normalise by the running maximum of `v` (default false).
    ///   - maximize: Ascend instead of descend (default false).
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:expected:)`` for a value
    ///   outside its range.
    public init(learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) throws {
        core = try AdamCore(learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay,
                            amsgrad: amsgrad, maximize: maximize, decoupledWeightDecay: false)
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

    /// One Adam step on each parameter.
    ///
    /// - Complexity: O(number of values); no allocation after a parameter's first step.
    public func step(_ parameters: [Parameter]) {
        core.step(parameters)
    }
}
