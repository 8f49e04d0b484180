/// The Huber loss (P. J. Huber, "Robust Estimation of a Location Parameter", Annals of
/// Mathematical Statistics, 1964), as PyTorch's `nn.HuberLoss`: with d = xₖ − yₖ,
///
///     ℓₖ = 0.5·d²              if |d| < δ
///     ℓₖ = δ·(|d| − 0.5·δ)     otherwise
///
/// then reduced (`.mean` by default). δ = 1 by default, where it equals ``SmoothL1Loss`` with
/// β = 1; in general Huber(δ) = δ·SmoothL1(β = δ). ∂ℓₖ/∂xₖ = d inside the band, δ·sign(d)
/// outside.
public struct HuberLoss: Sendable, ElementwiseLoss {
    /// How the per-element values are combined.
    public let reduction: LossReduction
    public var elementwiseReduction: LossReduction { reduction }
    /// δ > 0: where the loss turns from quadratic to linear.
    public let delta: Float

    /// A Huber loss.
    ///
    /// - Parameters:
    ///   - reduction: `.mean` (default), `.sum` or `.none`.
    ///   - delta: δ > 0 (1 by default).
    /// - Throws: ``LossError/invalidOption(name:value:expected:)`` when δ is not positive and
    ///   finite.
    public init(reduction: LossReduction = .mean, delta: Float = 1) throws {
        try LossCheck.option(delta, "delta", expected: "a finite number > 0") { $0.isFinite && $0 > 0 }
        self.reduction = reduction
        self.delta = delta
    }

    public func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        Self.value(x - y, delta: delta, dividedBy: 1)
    }

    public func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        Self.derivative(x - y, delta: delta, dividedBy: 1)
    }

    /// ℓ(d)/s for the difference d = x − y: 0.5·d²/s inside the band, (δ/s)·(|d| − 0.5·δ)
    /// outside. With s = 1 this is the Huber loss; with s = δ = β it is ``SmoothL1Loss``, whose
    /// linear piece is then |d| − 0.5·β exactly (δ/s = 1), so neither form overflows early.
    @inline(__always)
    static func value(_ difference: Float, delta: Float, dividedBy s: Float) -> Float {
        let d = abs(difference)
        return d < delta ? 0.5 * d * d / s : delta / s * (d - 0.5 * delta)
    }

    /// ∂(ℓ/s)/∂x for the difference d = x − y: d/s inside the band, ±δ/s outside (NaN for NaN).
    @inline(__always)
    static func derivative(_ d: Float, delta: Float, dividedBy s: Float) -> Float {
        if d < -delta { return -(delta / s) }
        if d > delta { return delta / s }
        return d / s
    }
}
