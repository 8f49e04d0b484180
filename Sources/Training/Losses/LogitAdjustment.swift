import Foundation

/// The class-prior shift a long-tail loss adds to the logits before the softmax:
/// xᵢc + τ·log π_c, for ``CrossEntropyLoss``'s `logitAdjustment` option.
///
/// - **Logit-adjusted cross-entropy** (A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain,
///   A. Veit, S. Kumar, "Long-tail learning via logit adjustment", ICLR 2021, Eq. 10):
///   train on `softmax(x + τ·log π)`, predict with the plain logits x. τ = 1 by default.
/// - **Balanced Softmax** (J. Ren, C. Yu, S. Sheng, X. Ma, H. Zhao, S. Yi, H. Li, "Balanced
///   Meta-Softmax for Long-Tailed Visual Recognition", NeurIPS 2020, Eq. 4): the softmax
///   weighted by the class counts, `n_y·exp(x_y) / Σⱼ nⱼ·exp(xⱼ)`, which is the τ = 1 case
///   of the same shift (log n_c and log π_c differ by log N, which the softmax cancels).
///
/// The loss is then ordinary cross-entropy of the shifted logits, so class weights, label
/// smoothing, `ignoreIndex` and every reduction apply unchanged, and ∂loss/∂x equals
/// ∂loss/∂(shifted x) because the shift is constant. Unlike post-hoc correction, the shift is
/// part of training only: the model's logits at prediction time are used as they are.
public struct LogitAdjustment: Sendable, Equatable {
    /// τ, the scale of the shift.
    public let tau: Double
    /// π_c, the training-set class frequencies (any positive multiple of them gives the
    /// same loss).
    public let priors: [Double]
    /// τ·log π_c per class, rounded to `Float`: what is added to each row of logits.
    public let offsets: [Float]

    /// The logit-adjusted loss's shift τ·log π_c (Menon et al. 2021).
    ///
    /// - Parameters:
    ///   - priors: π_c for every class (or the counts n_c), each positive and finite.
    ///   - tau: τ, any finite number; 1 by default, 0 is plain cross-entropy.
    /// - Returns: The adjustment for ``CrossEntropyLoss/init(weight:ignoreIndex:reduction:labelSmoothing:logitAdjustment:)``.
    /// - Throws: ``LossError/invalidOption(name:value:expected:)`` for a τ that is not finite
    ///   or a prior that is not positive and finite, naming it.
    /// - Complexity: O(K).
    public static func logitAdjusted(priors: [Double], tau: Double = 1) throws -> LogitAdjustment {
        guard tau.isFinite else {
            throw LossError.invalidOption(name: "logit adjustment τ", value: Float(tau), expected: "a finite number")
        }
        guard !priors.isEmpty else {
            throw LossError.noClasses(argument: "logit adjustment priors")
        }
        for (c, prior) in priors.enumerated() where !(prior > 0 && prior.isFinite) {
            throw LossError.invalidOption(name: "logit adjustment prior of class \(c)", value: Float(prior),
                                          expected: "a positive, finite class frequency")
        }
        return LogitAdjustment(tau: tau, priors: priors, offsets: priors.map { Float(tau * log($0)) })
    }

    /// Balanced Softmax's shift log π_c (Ren et al. 2020): ``logitAdjusted(priors:tau:)`` with
    /// τ = 1.
    ///
    /// - Parameter priors: π_c (or n_c) for every class, each positive and finite.
    /// - Throws: As ``logitAdjusted(priors:tau:)``.
    public static func balancedSoftmax(priors: [Double]) throws -> LogitAdjustment {
        try logitAdjusted(priors: priors, tau: 1)
    }

    private init(tau: Double, priors: [Double], offsets: [Float]) {
        self.tau = tau
        self.priors = priors
        self.offsets = offsets
    }
}
