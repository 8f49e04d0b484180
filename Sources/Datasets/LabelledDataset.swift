/// Labelled samples held in memory: features `[N, D]` as one contiguous row-major `Float`
/// buffer, labels `[N]` as `Int32` in `0..<classCount`.
///
/// The initialiser checks every invariant, so a value of this type is always consistent: the
/// samplers and the trainer rely on it.
///
/// ```swift
/// let data = try LabelledDataset(features: [0, 0, 1, 1], dimension: 2, labels: [0, 1])
/// data.classCounts   // [1, 1]
/// data.row(1)        // [1.0, 1.0]
/// ```
public struct LabelledDataset: Sendable, Equatable {
    /// Row-major features, `count * dimension` values.
    public let features: [Float]
    /// One label per row, each in `0..<classCount`.
    public let labels: [Int32]
    /// D, the number of features per row.
    public let dimension: Int
    /// K, the number of classes.
    public let classCount: Int

    /// N, the number of rows.
    public var count: Int { labels.count }

    /// Creates a dataset after checking shapes and labels.
    ///
    /// - Parameters:
    ///   - features: `labels.count * dimension` row-major values.
    ///   - dimension: Features per row; at least 1.
    ///   - labels: One label per row.
    ///   - classCount: K; labels must lie in `0..<K`. `nil` means `max(label) + 1`.
    /// - Throws: ``DatasetError`` when the shapes disagree or a label is out of range.
    public init(features: [Float], dimension: Int, labels: [Int32], classCount: Int? = nil) throws {
        guard dimension >= 1 else {
            throw DatasetError.invalidShape("feature dimension must be at least 1, got \(dimension)")
        }
        guard features.count == labels.count * dimension else {
            throw DatasetError.lengthMismatch(
                features: features.count / dimension, labels: labels.count)
        }
        let k = classCount ?? (Int(labels.max() ?? -1) + 1)
        try LabelledDataset.validate(labels: labels, classCount: k)
        self.features = features
        self.labels = labels
        self.dimension = dimension
        self.classCount = k
    }

    /// Checks that every label lies in `0..<classCount`.
    ///
    /// - Throws: ``DatasetError/labelOutOfRange(row:label:classCount:)`` naming the first bad row.
    public static func validate(labels: [Int32], classCount: Int) throws {
        guard classCount >= 1 else {
            throw DatasetError.invalidShape("the number of classes must be at least 1, got \(classCount)")
        }
        try labels.withUnsafeBufferPointer { buffer in
            let k = Int32(clamping: classCount)
            for (row, label) in buffer.enumerated() where label < 0 || label >= k {
                throw DatasetError.labelOutOfRange(row: row, label: Int64(label), classCount: classCount)
            }
        }
    }

    /// The features of row `index` (a copy).
    public func row(_ index: Int) -> ArraySlice<Float> {
        features[(index * dimension)..<((index + 1) * dimension)]
    }

    /// Samples per class, in label order.
    public var classCounts: [Int] { LabelledDataset.classCounts(of: labels, classCount: classCount) }

    /// Samples per class of `labels`, in label order; labels outside `0..<classCount` are not
    /// counted.
    public static func classCounts(of labels: [Int32], classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels where label >= 0 && Int(label) < classCount {
            counts[Int(label)] += 1
        }
        return counts
    }

    /// The rows at `indices`, in that order, as a new dataset with the same class count.
    public func subset(_ indices: [Int]) -> LabelledDataset {
        var newFeatures = [Float]()
        newFeatures.reserveCapacity(indices.count * dimension)
        var newLabels = [Int32]()
        newLabels.reserveCapacity(indices.count)
        for index in indices {
            newFeatures.append(contentsOf: row(index))
            newLabels.append(labels[index])
        }
        return LabelledDataset(
            unchecked: newFeatures, dimension: dimension, labels: newLabels, classCount: classCount)
    }

    /// The same rows with class count `classCount` (at least the current one), for data whose
    /// highest classes happen to be absent.
    ///
    /// - Throws: ``DatasetError/labelOutOfRange(row:label:classCount:)`` when a label does not
    ///   fit.
    public func withClassCount(_ classCount: Int) throws -> LabelledDataset {
        try LabelledDataset.validate(labels: labels, classCount: classCount)
        return LabelledDataset(unchecked: features, dimension: dimension, labels: labels, classCount: classCount)
    }

    /// Creates a dataset whose invariants the caller has already established.
    init(unchecked features: [Float], dimension: Int, labels: [Int32], classCount: Int) {
        self.features = features
        self.labels = labels
        self.dimension = dimension
        self.classCount = classCount
    }
}
