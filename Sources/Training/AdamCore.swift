#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The update shared by ``Adam`` and ``AdamW`` (PyTorch's `_single_tensor_adam`, which both
/// use), with its per-parameter state.
final class AdamCore {
    var learningRate: Double
    let beta1: Double
    let beta2: Double
    let epsilon: Double
    let weightDecay: Double
    let amsgrad: Bool
    let maximize: Bool
    /// AdamW's decoupled decay `p ← p·(1 − ηλ)` instead of Adam's L2 term `g ← g + λp`.
    let decoupledWeightDecay: Bool

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

    private(set) var states: [ObjectIdentifier: State] = [:]

    init(learningRate: Double, betas: (Double, Double), epsilon: Double, weightDecay: Double,
         amsgrad: Bool, maximize: Bool, decoupledWeightDecay: Bool) throws {
        try OptimizerError.checkNonNegative("learning rate", learningRate)
        try OptimizerError.checkNonNegative("epsilon", epsilon)
        try OptimizerError.checkBeta("beta1", betas.0)
        try OptimizerError.checkBeta("beta2", betas.1)
        try OptimizerError.checkNonNegative("weight decay", weightDecay)
        self.learningRate = learningRate
        beta1 = betas.0
        beta2 = betas.1
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.maximize = maximize
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    func resetState() {
        states.removeAll()
    }

    func step(_ parameters: [Parameter]) {
        for parameter in parameters {
            update(parameter)
        }
    }

    private func update(_ parameter: Parameter) {
        let key = ObjectIdentifier(parameter)
        let state: State
        if let existing = states[key] {
            precondition(existing.firstMoment.count == parameter.count, "parameter \(parameter.name) changed size")
            state = existing
        } else {
            state = State(parameter: parameter, amsgrad: amsgrad)
            states[key] = state
        }
        state.step += 1
        let n = parameter.count
        let t = Double(state.step)

        // Scalars as PyTorch forms them: in Double, then rounded to Float by the kernels.
        let biasCorrection1 = 1 - pow(beta1, t)
        let biasCorrection2 = 1 - pow(beta2, t)
        let stepSize = learningRate / biasCorrection1
        let biasCorrection2Root = Float(biasCorrection2.squareRoot())
        let negativeStepSize = Float(-stepSize)
        let eps = Float(epsilon)
        let lerpWeight = Float(1 - beta1)
        let lerpComplement = 1 - lerpWeight
        let smallWeight = abs(lerpWeight) < 0.5
        let b2 = Float(beta2)
        let oneMinusB2 = Float(1 - beta2)
        let sign: Float = maximize ? -1 : 1
        let l2 = decoupledWeightDecay ? 0 : Float(weightDecay)
        let useL2 = !decoupledWeightDecay && weightDecay != 0
        let useDecoupled = decoupledWeightDecay && weightDecay != 0
        let shrink = Float(1 - learningRate * weightDecay)
        let amsgrad = self.amsgrad

        parameter.gradient.storage.withUnsafeBufferPointer { g in
            parameter.value.storage.withUnsafeMutableBufferPointer { p in
                state.firstMoment.withUnsafeMutableBufferPointer { m in
                    state.secondMoment.withUnsafeMutableBufferPointer { v in
                        state.maxSecondMoment.withUnsafeMutableBufferPointer { vMax in
                            for i in 0..<n {
                                if useDecoupled { p[i] = p[i] * shrink }
                                var d = sign * g[i]
                                if useL2 { d = d + l2 * p[i] }
                                // exp_avg.lerp_(grad, 1 − β1)
                                m[i] = smallWeight ? m[i] + lerpWeight * (d - m[i])
                                                   : d - (d - m[i]) * lerpComplement
                                // exp_avg_sq.mul_(β2).addcmul_(grad, grad, value=1 − β2)
                                v[i] = v[i] * b2 + oneMinusB2 * d * d
                                var second = v[i]
                                if amsgrad {
                                    vMax[i] = max(vMax[i], second)
                                    second = vMax[i]
                                }
                                let denominator = second.squareRoot() / biasCorrection2Root + eps
                                p[i] = p[i] + negativeStepSize * m[i] / denominator
                            }
                        }
                    }
                }
            }
        }
    }
}
