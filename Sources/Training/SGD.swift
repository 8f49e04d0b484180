import Datasets

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
public final class SGD: PerParameterOptimizer {
    /// η.
    public internal(set) var learningRate: Double
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

    final class State {
        let parameter: Parameter
        var buffer: [Float]
        init(parameter: Parameter) {
            self.parameter = parameter
            buffer = [Float](repeating: 0, count: parameter.count)
        }
    }

    var states = ParameterStates<State>()

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

    func update(_ parameter: Parameter) {
        let n = parameter.count
        var state: State?
        var firstStep = false
        if momentum != 0 {
            (state, firstStep) = states.state(for: parameter, size: { $0.buffer.count }) { State(parameter: parameter) }
        }
        let c = Constants(negativeRate: Float(-learningRate), decay: Float(weightDecay), momentum: Float(momentum),
                          keep: Float(1 - dampening), sign: maximize ? -1 : 1, useDecay: weightDecay != 0,
                          useMomentum: state != nil, firstStep: firstStep, nesterov: nesterov)
        var unused: [Float] = []
        parameter.gradient.storage.withUnsafeBufferPointer { g in
            parameter.value.storage.withUnsafeMutableBufferPointer { p in
                if let state {
                    state.buffer.withUnsafeMutableBufferPointer { b in
                        SGD.update(count: n, p, g, b, c)
                    }
                } else {
                    unused.withUnsafeMutableBufferPointer { b in
                        SGD.update(count: n, p, g, b, c)
                    }
                }
            }
        }
    }

    func saved(_ state: State) -> (step: Int, buffers: [NamedTensor]) {
        (0, [NamedTensor(name: "momentum_buffer", shape: [state.buffer.count], values: state.buffer)])
    }

    func restored(for parameter: Parameter, step: Int, buffers: [NamedTensor]) throws -> State {
        let state = State(parameter: parameter)
        state.buffer = try requiredBuffer("momentum_buffer", in: buffers, of: parameter)
        return state
    }

    /// The Float constants and switches of one step.
    struct Constants {
        var negativeRate: Float
        var decay: Float
        var momentum: Float
        var keep: Float
        var sign: Float
        var useDecay: Bool
        var useMomentum: Bool
        var firstStep: Bool
        var nesterov: Bool
    }

    /// Updates `count` values eight lanes at a time; the tail goes through the same vector code
    /// with its lanes copied in and out.
    static func update(count n: Int, _ p: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                       _ b: UnsafeMutableBufferPointer<Float>, _ c: Constants) {
        var i = 0
        if let pp = p.baseAddress, let gp = g.baseAddress {
            let bp = b.baseAddress
            while i + 8 <= n {
                var param = VectorKernels.load(pp + i)
                var buffer = SIMD8<Float>()
                if c.useMomentum, let bp { buffer = VectorKernels.load(bp + i) }
                update(&param, VectorKernels.load(gp + i), &buffer, c)
                VectorKernels.store(param, pp + i)
                if c.useMomentum, let bp { VectorKernels.store(buffer, bp + i) }
                i += 8
            }
        }
        guard i < n else { return }
        var param = SIMD8<Float>(), gradient = SIMD8<Float>(), buffer = SIMD8<Float>()
        for lane in 0..<(n - i) {
            param[lane] = p[i + lane]
            gradient[lane] = g[i + lane]
            if c.useMomentum { buffer[lane] = b[i + lane] }
        }
        update(&param, gradient, &buffer, c)
        for lane in 0..<(n - i) {
            p[i + lane] = param[lane]
            if c.useMomentum { b[i + lane] = buffer[lane] }
        }
    }

    /// One SGD update of eight values, in PyTorch's order of operations.
    @inline(__always)
    static func update(_ param: inout SIMD8<Float>, _ gradient: SIMD8<Float>, _ buffer: inout SIMD8<Float>,
                       _ c: Constants) {
        var d = gradient * c.sign
        if c.useDecay { d = d + c.decay * param }
        if c.useMomentum {
            buffer = c.firstStep ? d : buffer * c.momentum + c.keep * d
            d = c.nesterov ? d + c.momentum * buffer : buffer
        }
        param = param + c.negativeRate * d
    }
}
