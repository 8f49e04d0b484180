#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// How an epoch chooses its samples: one type for every policy, each giving class shares p_c
/// that ``EpochPlan`` turns into integer quotas and batches.
///
/// - `power(q)`: p_c = n_c^q / Σ n_i^q (Kang et al., "Decoupling Representation and Classifier
///   for Long-Tailed Recognition", ICLR 2020). ``balanced`` is q = 0, ``sqrt`` q = ½,
///   ``instance`` q = 1.
/// - ``progressive``: over the E epochs of its phase, p_c(e) = (1 − λ_e)·p_c^instance +
///   λ_e·p_c^balanced with λ_e = e / (E − 1): the first epoch instance-balanced, the last
///   class-balanced, as the classifier-balancing code of Kang et al. does (λ_0 = 0 when E = 1).
/// - `repeatFactor(t)` (Gupta, Dollár & Girshick, "LVIS", CVPR 2019): r_c = max(1, √(t / f_c))
///   with f_c the fraction of samples carrying label c, a sample's r the largest of its
///   labels'; with the `cover` epoch length a sample is drawn ⌊r⌋ times an epoch plus once
///   more with probability r − ⌊r⌋ (seeded by (seed, epoch)), as detectron2's
///   `RepeatFactorTrainingSampler`, so epoch lengths vary; with a fixed length p_c ∝ n_c·r_c.
/// - ``natural``: a fresh permutation of all N samples (real frequencies, not per class).
/// - ``weighted``: with-replacement draws, every class equally likely — PyTorch's
///   `WeightedRandomSampler` with inverse-frequency weights, the baseline.
///
/// Every policy but ``natural`` and ``weighted`` draws from the per-class circular buffers,
/// so within a class no sample is drawn twice before every sample of the class has been drawn.
///
/// Its ``rawValue`` is the name `datatool` prints and parses: `balanced`, `sqrt`, `instance`,
/// `power:Q`, `progressive`, `repeat:T`, `natural`, `weighted`.
public enum SamplingPolicy: Sendable, Hashable {
    /// p_c ∝ n_c^q, q in [0, 1].
    case power(Double)
    /// Instance-balanced to class-balanced over the phase's epochs.
    case progressive
    /// LVIS repeat-factor sampling with threshold t > 0.
    case repeatFactor(Double)
    /// A permutation of all samples each epoch.
    case natural
    /// With-replacement draws, classes equally likely.
    case weighted

    /// p_c = 1 / K: every class equally often (the default).
    public static let balanced = SamplingPolicy.power(0)
    /// p_c ∝ √n_c.
    public static let sqrt = SamplingPolicy.power(0.5)
    /// p_c ∝ n_c, drawn per class (stratified batches at real frequencies).
    public static let instance = SamplingPolicy.power(1)

    /// Whether epochs draw from the class buffers by quotas (all but ``natural`` and ``weighted``).
    public var usesQuotas: Bool {
        switch self {
        case .natural, .weighted: return false
        case .power, .progressive, .repeatFactor: return true
        }
    }

    /// Whether this is ``repeatFactor(_:)``, for any threshold.
    public var isRepeatFactor: Bool {
        if case .repeatFactor = self { return true }
        return false
    }

    /// Whether every class needs a sample: balanced (q = 0), progressive over more than one
    /// epoch, and weighted give an empty class a positive share.
    ///
    /// - Parameter phaseEpochs: E, the epochs of the phase (progressive with E = 1 is
    ///   instance-balanced).
    /// - Returns: `true` when an empty class is an error for this policy.
    public func needsEveryClass(phaseEpochs: Int) -> Bool {
        switch self {
        case .power(let q): return q == 0
        case .progressive: return phaseEpochs > 1
        case .weighted: return true
        case .repeatFactor, .natural: return false
        }
    }

    /// Parses a policy name as `datatool` takes it: `balanced`, `sqrt`, `instance`,
    /// `power:Q`, `progressive`, `repeat:T`, `natural` or `weighted`.
    ///
    /// - Parameter text: The name, with its parameter after a colon.
    /// - Throws: ``SamplingError/invalidParameter(_:)`` naming the unknown policy, or a q
    ///   outside [0, 1], or t ≤ 0.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0].lowercased()
        let argument = parts.count > 1 ? parts[1] : nil
        func number(_ what: String) throws -> Double {
            guard let argument, let value = Double(argument), value.isFinite else {
                throw SamplingError.invalidParameter("policy \"\(text)\" needs a number: \(name):\(what)")
            }
            return value
        }
        switch name {
        case "balanced", "sqrt", "instance", "progressive", "natural", "weighted":
            guard argument == nil else {
                throw SamplingError.invalidParameter("policy \"\(name)\" takes no parameter, got \"\(text)\"")
            }
            switch name {
            case "balanced": self = .balanced
            case "sqrt": self = .sqrt
            case "instance": self = .instance
            case "progressive": self = .progressive
            case "natural": self = .natural
            default: self = .weighted
            }
        case "power":
            let q = try number("Q with Q in [0, 1]")
            guard q >= 0 && q <= 1 else {
                throw SamplingError.invalidParameter("power exponent q = \(argument ?? "") is outside [0, 1]")
            }
            self = .power(q)
        case "repeat":
            let t = try number("T with T > 0")
            guard t > 0 else {
                throw SamplingError.invalidParameter("repeat-factor threshold t = \(argument ?? "") must be greater than 0")
            }
            self = .repeatFactor(t)
        default:
            throw SamplingError.invalidParameter(
                "unknown sampling policy \"\(text)\"; expected balanced, sqrt, power:Q, instance, progressive, repeat:T, natural or weighted")
        }
    }

    /// Checks the parameter's range.
    ///
    /// - Throws: ``SamplingError/invalidParameter(_:)`` for q outside [0, 1] or t ≤ 0.
    func validate() throws {
        switch self {
        case .power(let q):
            guard q >= 0 && q <= 1 else { throw SamplingError.invalidParameter("power exponent q = \(q) is outside [0, 1]") }
        case .repeatFactor(let t):
            guard t > 0 && t.isFinite else {
                throw SamplingError.invalidParameter("repeat-factor threshold t = \(t) must be a finite number greater than 0")
            }
        case .progressive, .natural, .weighted:
            break
        }
    }

    /// Unnormalised class shares for epoch `epochInPhase` of a phase of `phaseEpochs` epochs.
    ///
    /// - Parameters:
    ///   - counts: n_c.
    ///   - epochInPhase: e in `0..<phaseEpochs` (used by ``progressive``).
    ///   - phaseEpochs: E.
    /// - Returns: w_c ≥ 0 with p_c = w_c / Σ w; 0 for an empty class (but for q = 0).
    /// - Complexity: O(K).
    public func weights(counts: [Int], epochInPhase e: Int = 0, phaseEpochs: Int = 1) -> [Double] {
        switch self {
        case .power(let q):
            if q == 0 { return counts.map { _ in 1 } }
            if q == 1 { return counts.map { Double($0) } }
            if q == 0.5 { return counts.map { Double($0).squareRoot() } }
            return counts.map { Double($0) == 0 ? 0 : pow(Double($0), q) }
        case .progressive:
            // (1 − λ)·n_c/N + λ/K with λ = e/(E−1), scaled by K·N·(E−1): integers, exact.
            let n = Double(counts.reduce(0, +)), k = Double(counts.count)
            guard phaseEpochs > 1 else { return counts.map { Double($0) } }
            let span = Double(phaseEpochs - 1), lambda = Double(e)
            return counts.map { (span - lambda) * k * Double($0) + lambda * n }
        case .repeatFactor(let t):
            let repeats = Self.repeatFactors(threshold: t, counts: counts, sampleCount: counts.reduce(0, +))
            return zip(counts, repeats).map { Double($0) * $1 }
        case .natural, .weighted:
            return counts.map { Double($0) }
        }
    }

    /// LVIS repeat factors r_c = max(1, √(t / f_c)), f_c = n_c / N the fraction of samples
    /// carrying label c (Gupta, Dollár & Girshick, CVPR 2019). A sample's repeat factor is the
    /// largest of its labels', that of its rarest label.
    ///
    /// - Parameters:
    ///   - t: The threshold, t > 0.
    ///   - counts: n_c, the samples carrying each label.
    ///   - sampleCount: N, all samples (Σ n_c with one label a sample).
    /// - Returns: r_c for every label (1 for a label no sample carries).
    /// - Complexity: O(K).
    public static func repeatFactors(threshold t: Double, counts: [Int], sampleCount: Int) -> [Double] {
        counts.map { $0 > 0 ? Swift.max(1, (t * Double(sampleCount) / Double($0)).squareRoot()) : 1 }
    }
}

extension SamplingPolicy: RawRepresentable, CustomStringConvertible {
    /// Parses a name (see ``init(parsing:)``); `nil` for anything it refuses.
    public init?(rawValue: String) {
        guard let policy = try? SamplingPolicy(parsing: rawValue) else { return nil }
        self = policy
    }

    /// The policy's name: `balanced`, `sqrt`, `instance`, `power:Q`, `progressive`, `repeat:T`,
    /// `natural` or `weighted`.
    public var rawValue: String {
        switch self {
        case .power(let q):
            if q == 0 { return "balanced" }
            if q == 0.5 { return "sqrt" }
            if q == 1 { return "instance" }
            return "power:\(q)"
        case .progressive: return "progressive"
        case .repeatFactor(let t): return "repeat:\(t)"
        case .natural: return "natural"
        case .weighted: return "weighted"
        }
    }

    public var description: String { rawValue }
}
