/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, L2 weight
/// decay and maximisation, with PyTorch's update rule (`torch.optim.SGD`) and defaults.
///
/// For each parameter `p` with gradient `g`, step `t`:
///
///     g ← −g                    if maximize
///     g ← g + λ·p               if weightDecay λ ≠ 0
///     if momentum μ ≠ 0:
///         b ← g                 at the first step (no dampening)
///         b ← μ·b + (1 − τ)·g   afterwards (dampening τ)
///         g ← g + μ·b           if nesterov, else g ← b
///     p ← p − η·g
///
/// Momentum is Polyak's heavy ball (Polyak, "Some methods of speeding up the convergence of
/// iteration methods", 1964) in the form of Sutskever et al. ("On the importance of
/// initialization and momentum in deep learning", ICML 2013), which is also how they write
/// Nesterov's accelerated gradient (Nesterov, 1983); PyTorch's documentation notes the
/// difference from some other frameworks, which scale the buffer update by η.
public final class SGD: Optimizer {
    /// η.
    public private(set) var learningRate: Double
    /// μ.
    public let momentum: Double
    /// τ, applied to the gradient in the momentum update from the second step on.
    public let dampening: Double
    /// λ, the L2 penalty added to the gradient.
    public let weightDecay: Double
    /// Whether the Nesterov form is used.
    public let nesterov: Bool
    /// Whether to maximise instead of minimise.
    public let maximize: Bool

    private final class State {
        let parameter: Parameter
        var buffer: [Float]
        init(parameter: Parameter) {
            self.parameter = parameter
            buffer = [Float](repeating: 0, count: parameter.count)
        }
    }

    private var states: [ObjectIdentifier: State] = [:]

    /// Checks and stores the hyperparameters (PyTorch's checks and defaults).
    ///
    /// - Parameters:
    ///   - learningRate: η ≥ 0 (default 1e-3).
    ///   - momentum: μ ≥ 0 (default 0: no momentum).
    ///   - dampening: τ (default 0).
    ///   - weightDecay: λ ≥ 0 (default 0).
    ///   - nesterov: Use Nesterov momentum (needs μ > 0 and τ = 0).
    ///   - maximize: Ascend instead of descend.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:expected:)`` for a negative
    ///   or non-finite η, μ or λ or a non-finite τ;
    ///   ``OptimizerError/nesterovNeedsMomentumWithoutDampening(momentum:dampening:)``.
    public init(learningRate: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) throws {
        try OptimizerError.checkNonNegative("learning rate", learningRate)
        try OptimizerError.checkNonNegative("momentum", momentum)
        try OptimizerError.checkNonNegative("weight decay", weightDecay)
        guard dampening.isFinite else {
            throw OptimizerError.invalidHyperparameter(name: "dampening", value: dampening, expected: "a finite number")
        }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw OptimizerError.nesterovNeedsMomentumWithoutDampening(momentum: momentum, dampening: dampening)
        }
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.maximize = maximize
    }

    public func setLearningRate(_ learningRate: Double) throws {
        try OptimizerError.checkNonNegative("learning rate", learningRate)
        self.learningRate = learningRate
    }

    public func resetState() {
        states.removeAll()
    }

    /// One SGD step on each parameter.
    ///
    /// - Complexity: O(number of values); no allocation after a parameter's first step.
    public func step(_ parameters: [Parameter]) {
        for parameter in parameters {
            update(parameter)
        }
    }

    private func update(_ parameter: Parameter) {
        let n = parameter.count
        let negativeRate = Float(-learningRate)
        let decay = Float(weightDecay)
        let mu = Float(momentum)
        let keep = Float(1 - dampening)
        let sign: Float = maximize ? -1 : 1
        let useDecay = weightDecay != 0
        var state: State?
        var firstStep = false
        if momentum != 0 {
            let key = ObjectIdentifier(parameter)
            if let existing = states[key] {
                precondition(existing.buffer.count == n, "parameter \(parameter.name) changed size")
                state = existing
            } else {
                let created = State(parameter: parameter)
                states[key] = created
                state = created
                firstStep = true
            }
        }
        let nesterov = self.nesterov
        parameter.gradient.storage.withUnsafeBufferPointer { g in
            parameter.value.storage.withUnsafeMutableBufferPointer { p in
                guard let state else {
                    for i in 0..<n {
                        var d = sign * g[i]
                        if useDecay { d = d + decay * p[i] }
                        p[i] = p[i] + negativeRate * d
                    }
                    return
                }
                state.buffer.withUnsafeMutableBufferPointer { b in
                    for i in 0..<n {
                        var d = sign * g[i]
                        if useDecay { d = d + decay * p[i] }
                        b[i] = firstStep ? d : b[i] * mu + keep * d
                        d = nesterov ? d + mu * b[i] : b[i]
                        p[i] = p[i] + negativeRate * d
                    }
                }
            }
        }
    }
}
