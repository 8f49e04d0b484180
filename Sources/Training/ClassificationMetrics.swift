/// How well predicted classes match true ones: the confusion matrix and what follows from it.
///
/// `confusion[t][p]` counts samples of true class t predicted as p. Per class c: recall =
/// `confusion[c][c] / Σ_p confusion[c][p]` (the share of class c found), precision =
/// `confusion[c][c] / Σ_t confusion[t][c]` (the share of predictions of c that are right), F1
/// their harmonic mean. Balanced accuracy is the mean recall over the classes present, the
/// figure that matters on imbalanced data: predicting the majority class everywhere scores
/// 1/K, however high plain accuracy is. A class with no samples has no recall (NaN) and is left
/// out of the means; a class never predicted has precision 0 when it has samples.
public struct ClassificationMetrics: Sendable, Equatable {
    /// `confusion[true][predicted]`.
    public let confusion: [[Int]]

    /// Counts predictions against truths.
    ///
    /// - Parameters:
    ///   - predictions: Predicted classes, each in `0..<classCount`.
    ///   - labels: True classes, each in `0..<classCount`, as many as `predictions`.
    ///   - classCount: K.
    public init<P: Collection<Int32>, L: Collection<Int32>>(predictions: P, labels: L, classCount: Int) {
        precondition(predictions.count == labels.count, "predictions and labels differ in number")
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (p, t) in zip(predictions, labels) {
            confusion[Int(t)][Int(p)] += 1
        }
        self.confusion = confusion
    }

    /// Metrics of an existing confusion matrix (square).
    public init(confusion: [[Int]]) {
        self.confusion = confusion
    }

    /// K.
    public var classCount: Int { confusion.count }
    /// Samples counted.
    public var total: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    /// Samples of each true class.
    public var support: [Int] { confusion.map { $0.reduce(0, +) } }
    /// Predictions of each class.
    public var predicted: [Int] { (0..<classCount).map { p in confusion.reduce(0) { $0 + $1[p] } } }

    /// Correct / total (NaN with no samples).
    public var accuracy: Double {
        let correct = (0..<classCount).reduce(0) { $0 + confusion[$1][$1] }
        return Double(correct) / Double(total)
    }

    /// Per-class recall (NaN for a class with no samples).
    public var recall: [Double] {
        zip(0..<classCount, support).map { c, n in n == 0 ? .nan : Double(confusion[c][c]) / Double(n) }
    }

    /// Per-class precision (0 for a class with samples that is never predicted; NaN for a class
    /// with neither samples nor predictions).
    public var precision: [Double] {
        zip(0..<classCount, zip(predicted, support)).map { c, pair in
            let (p, n) = pair
            if p == 0 { return n == 0 ? .nan : 0 }
            return Double(confusion[c][c]) / Double(p)
        }
    }

    /// Per-class F1 = 2·precision·recall / (precision + recall); 0 when both are 0.
    public var f1: [Double] {
        zip(precision, recall).map { p, r in
            if p.isNaN || r.isNaN { return .nan }
            return p + r == 0 ? 0 : 2 * p * r / (p + r)
        }
    }

    /// Mean recall over classes with samples.
    public var balancedAccuracy: Double { meanIgnoringNaN(recall) }

    /// Mean F1 over classes with samples.
    public var macroF1: Double { meanIgnoringNaN(f1) }

    /// The accuracy expected at the class frequencies `priors`: Σ_c π_c·recall_c over the classes
    /// with samples. On a balanced test set it says how the model would do on data drawn with
    /// the training frequencies; with π the test set's own frequencies it is ``accuracy``.
    ///
    /// - Parameter priors: π_c, in label order (K of them).
    public func realFrequencyAccuracy(priors: [Double]) -> Double {
        precondition(priors.count == classCount, "\(priors.count) priors for \(classCount) classes")
        return zip(priors, recall).reduce(0) { $1.1.isNaN ? $0 : $0 + $1.0 * $1.1 }
    }

    private func meanIgnoringNaN(_ values: [Double]) -> Double {
        let present = values.filter { !$0.isNaN }
        return present.isEmpty ? .nan : present.reduce(0, +) / Double(present.count)
    }
}
