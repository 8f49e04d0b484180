import Datasets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Per-class loss weights for imbalanced data, in label order.
///
/// Weights are an alternative to balanced batches (and the two can be combined): the course
/// notes prefer equalising frequencies in training, because stochastic gradients work better
/// when every batch sees every class.
public enum ClassWeights {
    /// Inverse frequency: `w_c = N / (K · n_c)`. A class of average size gets 1; the weights of
    /// the samples of each class sum to N / K.
    ///
    /// - Parameter counts: n_c, every one positive.
    /// - Throws: ``Datasets/DatasetError/emptyClass(label:classCount:)`` for a class with no samples.
    public static func inverseFrequency(counts: [Int]) throws -> [Double] {
        try checkNonEmpty(counts)
        let n = Double(counts.reduce(0, +))
        let k = Double(counts.count)
        return counts.map { n / (k * Double($0)) }
    }

    /// Effective number of samples (Cui, Jia, Lin, Song & Belongie, "Class-Balanced Loss Based
    /// on Effective Number of Samples", CVPR 2019): `w_c ∝ (1 − β) / (1 − β^{n_c})`, normalised
    /// so the weights sum to K. β = 0 gives equal weights; β → 1 approaches inverse frequency.
    ///
    /// - Parameters:
    ///   - counts: n_c, every one positive.
    ///   - beta: β in [0, 1).
    /// - Throws: ``SamplingError`` for an empty class or β outside [0, 1).
    public static func effectiveNumber(counts: [Int], beta: Double) throws -> [Double] {
        try checkNonEmpty(counts)
        guard beta >= 0 && beta < 1 else {
            throw SamplingError.invalidParameter("beta must be in [0, 1), got \(beta)")
        }
        // 1 − β^n computed as −expm1(n·log β) keeps precision for β close to 1.
        let raw = counts.map { n -> Double in
            beta == 0 ? 1 : (1 - beta) / -expm1(Double(n) * log(beta))
        }
        let total = raw.reduce(0, +)
        let k = Double(counts.count)
        return raw.map { $0 * k / total }
    }

    private static func checkNonEmpty(_ counts: [Int]) throws {
        guard !counts.isEmpty else { throw SamplingError.invalidParameter("there are no classes") }
        if let empty = counts.firstIndex(where: { $0 <= 0 }) {
            throw DatasetError.emptyClass(label: empty, classCount: counts.count)
        }
    }
}
