import CVectorMath
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import Datasets

/// Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) and AdamW
/// (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019) as one optimizer,
/// with PyTorch's update (`torch.optim.Adam`, of which `torch.optim.AdamW` is the subclass with
/// `decoupled_weight_decay=True`), defaults and options: weight decay either as an L2 term or
/// decoupled, AMSGrad (Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018)
/// and maximisation.
///
/// For each parameter `p` with gradient `g`, at its step `t = 1, 2, …` (moments start at 0):
///
///     g ← −g                              if maximize
///     p ← p·(1 − η·λ)                     if decoupledWeightDecay (AdamW) and λ ≠ 0
///     g ← g + λ·p                         if not decoupledWeightDecay (L2) and λ ≠ 0
///     m ← m + (1 − β1)·(g − m)            (lerp, as PyTorch)
///     v ← β2·v + (1 − β2)·g²
///     v̂ ← max(v̂, v) and use v̂ for v      if amsgrad
///     denom ← √v / √(1 − β2ᵗ) + ε
///     p ← p − (η / (1 − β1ᵗ))·m / denom
///
/// The order of operations is PyTorch's: the bias corrections are folded into the step size
/// and the denominator rather than applied to `m` and `v`, and ε is added after dividing by
/// `√(1 − β2ᵗ)`. The L2 term goes through the moments, so it is normalised away for large
/// gradients; the decoupled decay shrinks the parameter directly, before the moment updates.
/// ``adamW(learningRate:betas:epsilon:weightDecay:amsgrad:maximize:)`` makes the decoupled
/// form with AdamW's default λ = 0.01.
public final class Adam: PerParameterOptimizer {
    /// η.
    public internal(set) var learningRate: Double
    /// (β1, β2).
    public let betas: (Double, Double)
    /// ε.
    public let epsilon: Double
    /// λ.
    public let weightDecay: Double
    /// Whether λ shrinks the parameter directly (AdamW) instead of entering the gradient (L2).
    public let decoupledWeightDecay: Bool
    /// Whether AMSGrad is used.
    public let amsgrad: Bool
    /// Whether to maximise.
    public let maximize: Bool

    final class State {
        let parameter: Parameter
        var step = 0
        var firstMoment: [Float]
        var secondMoment: [Float]
        var maxSecondMoment: [Float]
        init(parameter: Parameter, amsgrad: Bool) {
            self.parameter = parameter
            firstMoment = [Float](repeating: 0, count: parameter.count)
            secondMoment = [Float](repeating: 0, count: parameter.count)
            maxSecondMoment = amsgrad ? [Float](repeating: 0, count: parameter.count) : []
        }
    }

    var states = ParameterStates<State>()
    /// `1 − β1ᵗ` and `1 − β2ᵗ` for the latest step count seen (parameters usually share it).
    private var corrections: (step: Int, first: Double, second: Double) = (0, 0, 0)

    /// Checks and stores the hyperparameters (PyTorch's checks and defaults).
    ///
    /// - Parameters:
    ///   - learningRate: η ≥ 0 (default 1e-3).
    ///   - betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
    ///   - epsilon: ε ≥ 0 (default 1e-8).
    ///   - weightDecay: λ ≥ 0 (default 0).
    ///   - decoupledWeightDecay: Shrink the parameter by η·λ (AdamW) instead of adding the L2
    ///     term λ·p to the gradient (default false, as `torch.optim.Adam`).
    ///   - amsgrad: Normalise by the running maximum of `v` (default false).
    ///   - maximize: Ascend instead of descend (default false).
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:expected:)`` for a value
    ///   outside its range.
    public init(learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                weightDecay: Double = 0, decoupledWeightDecay: Bool = false, amsgrad: Bool = false,
                maximize: Bool = false) throws {
        try OptimizerError.checkNonNegative("learning rate", learningRate)
        try OptimizerError.checkNonNegative("epsilon", epsilon)
        try OptimizerError.checkBeta("beta1", betas.0)
        try OptimizerError.checkBeta("beta2", betas.1)
        try OptimizerError.checkNonNegative("weight decay", weightDecay)
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.amsgrad = amsgrad
        self.maximize = maximize
    }

    /// AdamW: Adam with decoupled weight decay and PyTorch's `torch.optim.AdamW` defaults
    /// (λ = 0.01 where Adam has 0).
    ///
    /// - Parameters:
    ///   - learningRate: η ≥ 0 (default 1e-3).
    ///   - betas: (β1, β2), each in [0, 1) (default (0.9, 0.999)).
    ///   - epsilon: ε ≥ 0 (default 1e-8).
    ///   - weightDecay: λ ≥ 0, the decoupled decay (default 0.01).
    ///   - amsgrad: Normalise by the running maximum of `v` (default false).
    ///   - maximize: Ascend instead of descend (default false).
    /// - Returns: An ``Adam`` with ``decoupledWeightDecay`` set.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:expected:)`` for a value
    ///   outside its range.
    public static func adamW(learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                             epsilon: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false,
                             maximize: Bool = false) throws -> Adam {
        try Adam(learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay,
                 decoupledWeightDecay: true, amsgrad: amsgrad, maximize: maximize)
    }

    func update(_ parameter: Parameter) {
        let state = states.state(for: parameter, size: { $0.firstMoment.count }) {
            State(parameter: parameter, amsgrad: self.amsgrad)
        }.state
        state.step += 1
        let n = parameter.count
        let t = Double(state.step)

        // Scalars as PyTorch forms them: in Double, then rounded to Float by the kernels.
        if state.step != corrections.step {
            corrections = (state.step, 1 - pow(betas.0, t), 1 - pow(betas.1, t))
        }
        let biasCorrection1 = corrections.first
        let biasCorrection2 = corrections.second
        let stepSize = learningRate / biasCorrection1
        let biasCorrection2Root = Float(biasCorrection2.squareRoot())
        let negativeStepSize = Float(-stepSize)
        let eps = Float(epsilon)
        let lerpWeight = Float(1 - betas.0)
        let lerpComplement = 1 - lerpWeight
        let smallWeight = abs(lerpWeight) < 0.5
        let b2 = Float(betas.1)
        let oneMinusB2 = Float(1 - betas.1)
        let sign: Float = maximize ? -1 : 1
        let l2 = decoupledWeightDecay ? 0 : Float(weightDecay)
        let useL2 = !decoupledWeightDecay && weightDecay != 0
        let useDecoupled = decoupledWeightDecay && weightDecay != 0
        let shrink = Float(1 - learningRate * weightDecay)
        let amsgrad = self.amsgrad

        let constants = Constants(
            shrink: shrink, sign: sign, l2: l2, lerpWeight: lerpWeight, lerpComplement: lerpComplement,
            beta2: b2, oneMinusBeta2: oneMinusB2, biasCorrection2Root: biasCorrection2Root, epsilon: eps,
            negativeStepSize: negativeStepSize, useDecoupled: useDecoupled, useL2: useL2,
            smallWeight: smallWeight, amsgrad: amsgrad)
        parameter.gradient.storage.withUnsafeBufferPointer { g in
            parameter.value.storage.withUnsafeMutableBufferPointer { p in
                state.firstMoment.withUnsafeMutableBufferPointer { m in
                    state.secondMoment.withUnsafeMutableBufferPointer { v in
                        state.maxSecondMoment.withUnsafeMutableBufferPointer { vMax in
                            Self.update(count: n, p, g, m, v, vMax, constants)
                        }
                    }
                }
            }
        }
    }

    func saved(_ state: State) -> (step: Int, buffers: [NamedTensor]) {
        var buffers = [
            NamedTensor(name: "exp_avg", shape: [state.firstMoment.count], values: state.firstMoment),
            NamedTensor(name: "exp_avg_sq", shape: [state.secondMoment.count], values: state.secondMoment),
        ]
        if amsgrad {
            buffers.append(NamedTensor(name: "max_exp_avg_sq", shape: [state.maxSecondMoment.count], values: state.maxSecondMoment))
        }
        return (state.step, buffers)
    }

    func restored(for parameter: Parameter, step: Int, buffers: [NamedTensor]) throws -> State {
        let state = State(parameter: parameter, amsgrad: amsgrad)
        state.step = step
        state.firstMoment = try requiredBuffer("exp_avg", in: buffers, of: parameter)
        state.secondMoment = try requiredBuffer("exp_avg_sq", in: buffers, of: parameter)
        if amsgrad { state.maxSecondMoment = try requiredBuffer("max_exp_avg_sq", in: buffers, of: parameter) }
        return state
    }

    /// The Float constants and switches of one step.
    struct Constants {
        var shrink: Float
        var sign: Float
        var l2: Float
        var lerpWeight: Float
        var lerpComplement: Float
        var beta2: Float
        var oneMinusBeta2: Float
        var biasCorrection2Root: Float
        var epsilon: Float
        var negativeStepSize: Float
        var useDecoupled: Bool
        var useL2: Bool
        var smallWeight: Bool
        var amsgrad: Bool
    }

    /// Updates `count` values eight lanes at a time; the tail goes through the same vector
    /// code with its lanes copied in and out, so every value is computed by the same
    /// operations in the same order.
    ///
    /// The weight-decay form and AMSGrad are fixed per call: each combination runs its own
    /// copy of the loop with the switch folded away, so the usual case (no decay, no AMSGrad)
    /// tests nothing per vector.
    static func update(count n: Int, _ p: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                       _ m: UnsafeMutableBufferPointer<Float>, _ v: UnsafeMutableBufferPointer<Float>,
                       _ vMax: UnsafeMutableBufferPointer<Float>, _ c: Constants) {
        switch (c.useDecoupled, c.useL2, c.amsgrad) {
        case (false, false, false): loop(n, p, g, m, v, vMax, c, decoupled: false, l2: false, amsgrad: false)
        case (false, false, true): loop(n, p, g, m, v, vMax, c, decoupled: false, l2: false, amsgrad: true)
        case (true, _, false): loop(n, p, g, m, v, vMax, c, decoupled: true, l2: false, amsgrad: false)
        case (true, _, true): loop(n, p, g, m, v, vMax, c, decoupled: true, l2: false, amsgrad: true)
        case (false, true, false): loop(n, p, g, m, v, vMax, c, decoupled: false, l2: true, amsgrad: false)
        case (false, true, true): loop(n, p, g, m, v, vMax, c, decoupled: false, l2: true, amsgrad: true)
        }
    }

    /// The loop of ``update(count:_:_:_:_:_:_:)`` for one combination of the switches.
    @inline(__always)
    private static func loop(_ n: Int, _ p: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                             _ m: UnsafeMutableBufferPointer<Float>, _ v: UnsafeMutableBufferPointer<Float>,
                             _ vMax: UnsafeMutableBufferPointer<Float>, _ c: Constants,
                             decoupled: Bool, l2: Bool, amsgrad: Bool) {
        var i = 0
        if let pp = p.baseAddress, let gp = g.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress {
            let maxPointer = vMax.baseAddress
            while i + 8 <= n {
                var param = VectorKernels.load(pp + i)
                var first = VectorKernels.load(mp + i)
                var second = VectorKernels.load(vp + i)
                var largest = SIMD8<Float>()
                if amsgrad, let maxPointer { largest = VectorKernels.load(maxPointer + i) }
                update(&param, VectorKernels.load(gp + i), &first, &second, &largest, c,
                       decoupled: decoupled, l2: l2, amsgrad: amsgrad)
                VectorKernels.store(param, pp + i)
                VectorKernels.store(first, mp + i)
                VectorKernels.store(second, vp + i)
                if amsgrad, let maxPointer { VectorKernels.store(largest, maxPointer + i) }
                i += 8
            }
        }
        guard i < n else { return }
        var param = SIMD8<Float>(), gradient = SIMD8<Float>(), first = SIMD8<Float>()
        var second = SIMD8<Float>(), largest = SIMD8<Float>()
        for lane in 0..<(n - i) {
            param[lane] = p[i + lane]
            gradient[lane] = g[i + lane]
            first[lane] = m[i + lane]
            second[lane] = v[i + lane]
            if amsgrad { largest[lane] = vMax[i + lane] }
        }
        update(&param, gradient, &first, &second, &largest, c, decoupled: decoupled, l2: l2, amsgrad: amsgrad)
        for lane in 0..<(n - i) {
            p[i + lane] = param[lane]
            m[i + lane] = first[lane]
            v[i + lane] = second[lane]
            if amsgrad { vMax[i + lane] = largest[lane] }
        }
    }

    /// One Adam update of eight values, in PyTorch's order of operations.
    @inline(__always)
    static func update(_ param: inout SIMD8<Float>, _ gradient: SIMD8<Float>, _ first: inout SIMD8<Float>,
                       _ second: inout SIMD8<Float>, _ largest: inout SIMD8<Float>, _ c: Constants,
                       decoupled: Bool, l2: Bool, amsgrad: Bool) {
        if decoupled { param = param * c.shrink }
        var d = gradient * c.sign
        if l2 { d = d + c.l2 * param }
        // exp_avg.lerp_(grad, 1 − β1)
        first = c.smallWeight ? first + c.lerpWeight * (d - first) : d - (d - first) * c.lerpComplement
        // exp_avg_sq.mul_(β2).addcmul_(grad, grad, value=1 − β2)
        second = second * c.beta2 + c.oneMinusBeta2 * d * d
        var normaliser = second
        if amsgrad {
            largest = largest.replacing(with: second, where: second .> largest)
            normaliser = largest
        }
        // The vector square root (`SIMD8.squareRoot()` is eight scalar ones on Linux).
        let denominator = cvm_sqrt8(normaliser) / c.biasCorrection2Root + c.epsilon
        param = param + c.negativeStepSize * first / denominator
    }
}
