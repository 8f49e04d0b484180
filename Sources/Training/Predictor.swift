import Datasets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The predictions for one block of rows, as ``Predictor/forEachBlock(of:_:)`` hands them out.
public struct PredictionBlock {
    /// The block's rows of the source.
    public internal(set) var rows: Range<Int> = 0..<0
    /// The model's own logits, `[rows, K]`, before any prior correction.
    public internal(set) var rawLogits = Matrix(rows: 0, columns: 0)
    /// The logits the classes come from, `[rows, K]`: ``rawLogits`` plus `τ·log π_c` in
    /// column c (the same as ``rawLogits`` when τ = 0).
    public internal(set) var logits = Matrix(rows: 0, columns: 0)
    /// Softmax of ``logits`` over each row, `[rows, K]`.
    public internal(set) var probabilities = Matrix(rows: 0, columns: 0)
    /// The argmax of each row of ``logits`` (ties to the lowest class, as `torch.argmax`).
    public internal(set) var classes: [Int] = []
}

/// Predicts with a trained ``Classifier`` over rows read block by block from any
/// ``Datasets/FeatureRowSource`` (in memory, or an HDF5 dataset read on demand), with optional
/// post-hoc prior correction: class c's logit plus `τ·log π_c` (logit adjustment, Menon et al.,
/// "Long-tail learning via logit adjustment", ICLR 2021). τ > 0 puts the training priors π
/// in (τ = 1 undoes a balanced sampler's uniform prior); τ < 0 takes them out of a model
/// trained at the real frequencies (τ = −1 aims at balanced predictions); τ = 0 is the plain
/// model.
///
/// ```swift
/// let (model, provenance) = try MLP.load(from: try readTensorArchive(from: "model.h5"))
/// let predictor = try Predictor(model: model, priors: provenance.priors, priorCorrection: 1)
/// try predictor.forEachBlock(of: rows) { block in print(block.rows, block.classes) }
/// let metrics = try predictor.evaluate(labelledRows, labels: labels.values)
/// ```
///
/// Rows are read and predicted ``blockRows`` at a time, in order, whatever the source: the
/// predictions are the same bit for bit whether the rows are in memory or in a file, and
/// memory stays at one block (`blockRows × (D + 3K)` floats) however many rows there are.
/// ``Trainer/evaluate(_:)`` goes through the same code, so a saved model evaluated later
/// gives the figures its training run reported.
public struct Predictor<Model: Classifier> {
    /// The rows predicted per block.
    public static var blockRows: Int { 4096 }

    /// The model (evaluation mode is used for every forward pass).
    public let model: Model
    /// π_c, the training-set class frequencies.
    public let priors: [Double]
    /// τ of the prior correction (0: none).
    public let priorCorrection: Double
    /// `τ·log π_c`, or `nil` when τ = 0.
    private let shift: Matrix?
    private let softmax: ActivationLayer

    /// A predictor for `model`.
    ///
    /// - Parameters:
    ///   - model: A trained model.
    ///   - priors: π_c for each of the model's K outputs.
    ///   - priorCorrection: τ, any finite number; 0 for the plain model.
    /// - Throws: ``TrainingError/invalidParameter(_:)`` when τ is not finite, the priors are not
    ///   K numbers, or τ ≠ 0 and a prior is not positive (its log would be infinite).
    public init(model: Model, priors: [Double], priorCorrection: Double = 0) throws {
        guard priors.count == model.outputs else {
            throw TrainingError.invalidParameter("\(priors.count) class priors for a model of \(model.outputs) classes; expected one per class")
        }
        self.model = model
        self.priors = priors
        self.priorCorrection = priorCorrection
        self.shift = try priorCorrectionShift(priors: priors, tau: priorCorrection)
        self.softmax = try ActivationLayer(.softmax, name: "softmax")
    }

    /// Predicts every row of `source`, block by block in row order, and calls `body` with each
    /// block's predictions.
    ///
    /// - Parameters:
    ///   - source: Rows of the model's width.
    ///   - body: Called once per block, in order; the block's buffers are reused afterwards.
    /// - Throws: ``TrainingError/invalidParameter(_:)`` when the source's width is not the
    ///   model's; read errors of the source; whatever `body` throws.
    /// - Complexity: O(N · cost of a forward pass per row); memory one block.
    public func forEachBlock<Source: FeatureRowSource>(of source: Source, _ body: (PredictionBlock) throws -> Void) throws {
        try forEachBlock(of: source, classesOnly: false, body)
    }

    /// ``forEachBlock(of:_:)``; with `classesOnly` a block holds its raw logits and classes
    /// alone (no probabilities, and its corrected logits only where a correction is
    /// configured): what evaluation reads, without a softmax over every block.
    func forEachBlock<Source: FeatureRowSource>(
        of source: Source, classesOnly: Bool, _ body: (PredictionBlock) throws -> Void
    ) throws {
        guard source.dimension == model.inputs else {
            throw TrainingError.invalidParameter("the rows have \(source.dimension) features but the model takes \(model.inputs)")
        }
        let n = source.rowCount, d = source.dimension
        var block = PredictionBlock()
        var x = Matrix(rows: 0, columns: d)
        var indices = [Int]()
        var start = 0
        while start < n {
            let count = min(Self.blockRows, n - start)
            indices.removeAll(keepingCapacity: true)
            indices.append(contentsOf: start..<(start + count))
            x.reshape(rows: count, columns: d)
            try indices.withUnsafeBufferPointer { rows in
                try x.storage.withUnsafeMutableBufferPointer { try source.gatherRows(rows, into: $0) }
            }
            try model.forward(x, into: &block.rawLogits, training: false)
            if classesOnly && shift == nil {
                block.rawLogits.rowArgmax(into: &block.classes)
            } else {
                block.logits.copy(from: block.rawLogits)
                if let shift { block.logits.addRowVector(shift) }
                if !classesOnly { softmax.forward(block.logits, into: &block.probabilities, training: false) }
                block.logits.rowArgmax(into: &block.classes)
            }
            block.rows = start..<(start + count)
            try body(block)
            start += count
        }
    }

    /// The confusion matrix and its metrics of the predicted classes of `source` against
    /// `labels`.
    ///
    /// - Parameters:
    ///   - source: Rows of the model's width.
    ///   - labels: One label in `0..<K` per row.
    /// - Returns: The metrics over the model's K classes.
    /// - Throws: ``TrainingError/invalidParameter(_:)`` for a width that is not the model's, a
    ///   label count that is not the row count or a label outside `0..<K`; read errors.
    public func evaluate<Source: FeatureRowSource>(_ source: Source, labels: [Int32]) throws -> ClassificationMetrics {
        try evaluate(source, labels: labels) { _, _ in }
    }

    /// ``evaluate(_:labels:)`` that also hands each block and its labels to `body` (the trainer
    /// sums the held-out loss there).
    func evaluate<Source: FeatureRowSource>(
        _ source: Source, labels: [Int32], _ body: (PredictionBlock, ArraySlice<Int32>) throws -> Void
    ) throws -> ClassificationMetrics {
        let k = model.outputs
        guard labels.count == source.rowCount else {
            throw TrainingError.invalidParameter("\(labels.count) labels for \(source.rowCount) rows; expected one per row")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= k }) {
            throw TrainingError.invalidParameter("label \(labels[bad]) at row \(bad) is outside the model's classes 0..<\(k)")
        }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        try forEachBlock(of: source, classesOnly: true) { block in
            let truth = labels[block.rows]
            for (p, t) in zip(block.classes, truth) { confusion[Int(t)][p] += 1 }
            try body(block, truth)
        }
        return ClassificationMetrics(confusion: confusion)
    }
}

/// The row `τ·log π_c` that prior correction adds to the logits; `nil` for τ = 0.
///
/// - Throws: ``TrainingError/invalidParameter(_:)`` for a τ that is not finite, or τ ≠ 0 and a
///   prior that is not positive.
func priorCorrectionShift(priors: [Double], tau: Double) throws -> Matrix? {
    guard tau.isFinite else {
        throw TrainingError.invalidParameter("prior correction τ must be a finite number, got \(tau)")
    }
    guard tau != 0 else { return nil }
    if let c = priors.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
        throw TrainingError.invalidParameter("prior correction needs every class prior π_c > 0, but π_\(c) is \(priors[c]) (a class with no training samples)")
    }
    return Matrix(rows: 1, columns: priors.count, storage: priors.map { Float(tau * log($0)) })
}
