#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

// The forward formulas, written as PyTorch's CPU kernels write them (same branch conditions,
// same Float constants), one loop per function so the switch runs once per call.

extension Activation {
    /// `y = f(x)` over `count` values (`count / columns` rows for the row-wise functions).
    ///
    /// - Parameters:
    ///   - x: The input values.
    ///   - y: The output, `count` values (may not alias `x`).
    ///   - count: Number of values.
    ///   - columns: Row length, used by the row-wise functions.
    ///   - weight: PReLU's learnable slope (ignored by the others).
    /// RReLU here is its evaluation form (slope `(lower + upper)/2`); training mode lives in
    /// ``ActivationLayer``, which owns the random slopes.
    func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int,
                 columns: Int, weight: Float) {
        switch self {
        case .relu:
            VectorKernels.relu(n, x, y)
        case .rrelu(let lower, let upper):
            Activation.leakyForward(x, y, n, Float((lower + upper) / 2))
        case .leakyReLU(let slope):
            Activation.leakyForward(x, y, n, Float(slope))
        case .prelu:
            Activation.leakyForward(x, y, n, weight)
        case .softplus(let betaValue, let thresholdValue):
            let beta = Float(betaValue), threshold = Float(thresholdValue)
            for i in 0..<n {
                let v = x[i]
                let scaled = v * beta
                y[i] = scaled > threshold ? v : log1pf(expf(scaled)) / beta
            }
        case .elu(let alpha):
            Activation.eluForward(x, y, n, Activation.eluCoefficients(alpha: alpha, scale: 1, inputScale: 1))
        case .celu(let alpha):
            Activation.eluForward(x, y, n, Activation.eluCoefficients(alpha: alpha, scale: 1, inputScale: 1 / alpha))
        case .selu:
            Activation.eluForward(x, y, n, Activation.eluCoefficients(
                alpha: Activation.seluAlpha, scale: Activation.seluScale, inputScale: 1))
        case .gelu:
            let rootHalf = Float(0.5.squareRoot())
            for i in 0..<n {
                let v = x[i]
                y[i] = v * 0.5 * (1 + erff(v * rootHalf))
            }
        case .geluTanh:
            let beta = Activation.geluTanhBeta, kappa = Activation.geluTanhKappa
            for i in 0..<n {
                let v = x[i]
                let inner = beta * (v + kappa * (v * v * v))
                y[i] = 0.5 * v * (1 + tanhf(inner))
            }
        case .relu6:
            Activation.clampForward(x, y, n, 0, 6)
        case .sigmoid:
            for i in 0..<n {
                y[i] = 1 / (1 + expf(-x[i]))
            }
        case .tanh:
            for i in 0..<n {
                y[i] = tanhf(x[i])
            }
        case .softsign:
            for i in 0..<n {
                let v = x[i]
                y[i] = v / (1 + abs(v))
            }
        case .hardtanh(let low, let high):
            Activation.clampForward(x, y, n, Float(low), Float(high))
        case .threshold(let thresholdValue, let replacement):
            let threshold = Float(thresholdValue), value = Float(replacement)
            for i in 0..<n {
                let v = x[i]
                y[i] = v <= threshold ? value : v
            }
        case .tanhshrink:
            for i in 0..<n {
                let v = x[i]
                y[i] = v - tanhf(v)
            }
        case .softshrink(let lambdaValue):
            let lambda = Float(lambdaValue)
            for i in 0..<n {
                let v = x[i]
                y[i] = v > lambda ? v - lambda : (v < -lambda ? v + lambda : 0)
            }
        case .hardshrink(let lambdaValue):
            let lambda = Float(lambdaValue)
            for i in 0..<n {
                let v = x[i]
                y[i] = (v >= -lambda && v <= lambda) ? 0 : v
            }
        case .logSigmoid:
            for i in 0..<n {
                let v = x[i]
                y[i] = min(v, 0) - log1pf(expf(-abs(v)))
            }
        case .softmax:
            Activation.softmaxRows(x, y, n, columns, negate: false)
        case .softmin:
            Activation.softmaxRows(x, y, n, columns, negate: true)
        case .logSoftmax:
            Activation.logSoftmaxRows(x, y, n, columns)
        }
    }

    /// `√(2/π)`, PyTorch's `kBeta` for the tanh GELU.
    static let geluTanhBeta = Float(2.0.squareRoot() * (2 / Double.pi.squareRoot()) * 0.5)
    /// PyTorch's `kKappa` for the tanh GELU.
    static let geluTanhKappa: Float = 0.044715

    /// ELU-family constants as PyTorch's `elu` kernel forms them: `negcoef = α·scale`,
    /// `poscoef = scale`, `negiptcoef = input_scale`, each a Float.
    struct ELUCoefficients {
        var negative: Float
        var positive: Float
        var inputScale: Float
    }

    static func eluCoefficients(alpha: Double, scale: Double, inputScale: Double) -> ELUCoefficients {
        ELUCoefficients(negative: Float(alpha) * Float(scale), positive: Float(scale), inputScale: Float(inputScale))
    }

    static func eluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                           _ c: ELUCoefficients) {
        for i in 0..<n {
            let v = x[i]
            y[i] = v <= 0 ? expm1f(v * c.inputScale) * c.negative : v * c.positive
        }
    }

    static func leakyForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                             _ slope: Float) {
        VectorKernels.leaky(n, x, y, slope)
    }

    static func clampForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                             _ low: Float, _ high: Float) {
        VectorKernels.clamp(n, x, y, low, high)
    }

    /// Softmax (or softmin, of `−x`) of each row: `exp(xᵢ − max) / Σ`, stable for any finite
    /// input.
    static func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                            _ columns: Int, negate: Bool) {
        guard columns > 0 else { return }
        let sign: Float = negate ? -1 : 1
        var start = 0
        while start < n {
            let row = x + start, out = y + start
            var largest = sign * row[0]
            for j in 1..<columns {
                largest = max(largest, sign * row[j])
            }
            var sum: Float = 0
            for j in 0..<columns {
                let e = expf(sign * row[j] - largest)
                out[j] = e
                sum += e
            }
            let reciprocal = 1 / sum
            for j in 0..<columns {
                out[j] *= reciprocal
            }
            start += columns
        }
    }

    /// Log-softmax of each row: `xᵢ − max − log Σⱼ exp(xⱼ − max)`.
    static func logSoftmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                               _ columns: Int) {
        guard columns > 0 else { return }
        var start = 0
        while start < n {
            let row = x + start, out = y + start
            var largest = row[0]
            for j in 1..<columns {
                largest = max(largest, row[j])
            }
            var sum: Float = 0
            for j in 0..<columns {
                sum += expf(row[j] - largest)
            }
            let logSum = logf(sum)
            for j in 0..<columns {
                out[j] = row[j] - largest - logSum
            }
            start += columns
        }
    }
}
