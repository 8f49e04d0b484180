#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

// The backward formulas: PyTorch's backward kernels, or, for the functions PyTorch builds from
// other operations (Softsign, Tanhshrink, Softmin), the chain of their autograd formulas in
// the same order, so the kinks and the rounding agree.

extension Activation {
    /// `dx = dy ⊙ f′(x)` over `count` values, and for PReLU the gradient with respect to its
    /// weight.
    ///
    /// - Parameters:
    ///   - x: The forward input.
    ///   - y: The forward output (used where the derivative is a function of it).
    ///   - dy: ∂loss/∂y.
    ///   - dx: Receives ∂loss/∂x (overwritten; may alias `dy`).
    ///   - count: Number of values.
    ///   - columns: Row length, for the row-wise functions.
    ///   - weight: PReLU's slope (ignored by the others).
    /// - Returns: ∂loss/∂weight for PReLU (`Σ x·dy` over `x ≤ 0`), 0 for the others.
    /// RReLU here is its evaluation form; see ``ActivationLayer`` for training mode.
    @discardableResult
    func backward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                  _ dx: UnsafeMutablePointer<Float>, count n: Int, columns: Int, weight: Float) -> Float {
        switch self {
        case .relu:
            VectorKernels.reluBackward(n, y, dy, dx)
        case .rrelu(let lower, let upper):
            Activation.leakyBackward(x, dy, dx, n, Float((lower + upper) / 2))
        case .leakyReLU(let slope):
            Activation.leakyBackward(x, dy, dx, n, Float(slope))
        case .prelu:
            var weightGradient: Double = 0
            for i in 0..<n {
                let v = x[i], g = dy[i]
                if v > 0 {
                    dx[i] = g
                } else {
                    dx[i] = weight * g
                    weightGradient += Double(v * g)
                }
            }
            return Float(weightGradient)
        case .softplus(let betaValue, let thresholdValue):
            let beta = Float(betaValue), threshold = Float(thresholdValue)
            for i in 0..<n {
                let scaled = x[i] * beta
                let z = expf(scaled)
                dx[i] = scaled > threshold ? dy[i] : dy[i] * z / (z + 1)
            }
        case .elu(let alpha):
            Activation.eluBackward(x, dy, dx, n, Activation.eluCoefficients(alpha: alpha, scale: 1, inputScale: 1))
        case .celu(let alpha):
            Activation.eluBackward(x, dy, dx, n, Activation.eluCoefficients(alpha: alpha, scale: 1, inputScale: 1 / alpha))
        case .selu:
            Activation.eluBackward(x, dy, dx, n, Activation.eluCoefficients(
                alpha: Activation.seluAlpha, scale: Activation.seluScale, inputScale: 1))
        case .gelu:
            let rootHalf = Float(0.5.squareRoot())
            let beta = Float((2 / Double.pi.squareRoot()) * 0.5.squareRoot() * 0.5)
            for i in 0..<n {
                let v = x[i]
                let cdf = 0.5 * (1 + erff(v * rootHalf))
                let pdf = beta * expf(v * v * -0.5)
                dx[i] = dy[i] * (cdf + v * pdf)
            }
        case .geluTanh:
            let beta = Activation.geluTanhBeta, kappa = Activation.geluTanhKappa
            for i in 0..<n {
                let v = x[i]
                let square = v * v
                let inner = beta * (v + kappa * (square * v))
                let t = tanhf(inner)
                let left = 0.5 * v
                let right = 1 + t
                let leftDerivative = 0.5 * right
                let tanhDerivative = 1 - t * t
                let innerDerivative = beta * (1 + 3 * kappa * square)
                let rightDerivative = left * tanhDerivative * innerDerivative
                dx[i] = dy[i] * (leftDerivative + rightDerivative)
            }
        case .relu6:
            Activation.clampBackward(x, dy, dx, n, 0, 6)
        case .sigmoid:
            for i in 0..<n {
                let s = y[i]
                dx[i] = dy[i] * (1 - s) * s
            }
        case .tanh:
            for i in 0..<n {
                let t = y[i]
                dx[i] = dy[i] * (1 - t * t)
            }
        case .softsign:
            // Autograd of x / (1 + |x|): g/d from the numerator, −g·((x/d)/d)·sgn(x) through
            // the denominator's |x|.
            for i in 0..<n {
                let v = x[i], g = dy[i]
                let d = 1 + abs(v)
                let sign: Float = v > 0 ? 1 : (v < 0 ? -1 : 0)
                dx[i] = g / d + (-g * ((v / d) / d)) * sign
            }
        case .hardtanh(let low, let high):
            Activation.clampBackward(x, dy, dx, n, Float(low), Float(high))
        case .threshold(let thresholdValue, _):
            let threshold = Float(thresholdValue)
            for i in 0..<n {
                dx[i] = x[i] <= threshold ? 0 : dy[i]
            }
        case .tanhshrink:
            // Autograd of x − tanh(x): g + (−g)·(1 − tanh²).
            for i in 0..<n {
                let t = tanhf(x[i]), g = dy[i]
                dx[i] = g + (-g) * (1 - t * t)
            }
        case .softshrink(let lambdaValue), .hardshrink(let lambdaValue):
            let lambda = Float(lambdaValue)
            for i in 0..<n {
                let v = x[i]
                dx[i] = (v >= -lambda && v <= lambda) ? 0 : dy[i]
            }
        case .logSigmoid:
            for i in 0..<n {
                let v = x[i]
                let negative = v < 0
                let maxDerivative: Float = negative ? 1 : 0
                let sign: Float = negative ? 1 : -1
                let z = expf(-abs(v))
                dx[i] = dy[i] * (maxDerivative - sign * (z / (1 + z)))
            }
        case .softmax:
            Activation.softmaxBackwardRows(y, dy, dx, n, columns, negate: false)
        case .softmin:
            Activation.softmaxBackwardRows(y, dy, dx, n, columns, negate: true)
        case .logSoftmax:
            guard columns > 0 else { break }
            var start = 0
            while start < n {
                var sum: Float = 0
                for j in 0..<columns {
                    sum += dy[start + j]
                }
                for j in 0..<columns {
                    dx[start + j] = dy[start + j] - expf(y[start + j]) * sum
                }
                start += columns
            }
        }
        return 0
    }

    static func leakyBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ n: Int, _ slope: Float) {
        VectorKernels.leakyBackward(n, x, dy, dx, slope)
    }

    static func eluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                            _ dx: UnsafeMutablePointer<Float>, _ n: Int, _ c: ELUCoefficients) {
        for i in 0..<n {
            let v = x[i]
            dx[i] = v <= 0 ? dy[i] * c.inputScale * c.negative * expf(v * c.inputScale) : dy[i] * c.positive
        }
    }

    static func clampBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ n: Int, _ low: Float, _ high: Float) {
        VectorKernels.clampBackward(n, x, dy, dx, low, high)
    }

    /// `dx = y ⊙ (dy − Σ dy·y)` per row (negated for softmin, whose input is `−x`).
    static func softmaxBackwardRows(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                    _ dx: UnsafeMutablePointer<Float>, _ n: Int, _ columns: Int,
                                    negate: Bool) {
        guard columns > 0 else { return }
        var start = 0
        while start < n {
            var dotProduct: Float = 0
            for j in 0..<columns {
                dotProduct += dy[start + j] * y[start + j]
            }
            for j in 0..<columns {
                let value = y[start + j] * (dy[start + j] - dotProduct)
                dx[start + j] = negate ? -value : value
            }
            start += columns
        }
    }
}
