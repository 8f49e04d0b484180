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
    /// - Throws: ``DatasetError`` when the shapes disagree or a label is out of range (the
    ///   check of ``ClassLabels/init(_:classCount:)``).
    public init(features: [Float], dimension: Int, labels: [Int32], classCount: Int? = nil) throws {
        guard dimension >= 1 else {
            throw DatasetError.invalidShape("feature dimension must be at least 1, got \(dimension)")
        }
        guard features.count == labels.count * dimension else {
            throw DatasetError.lengthMismatch(features: features.count / dimension, labels: labels.count)
        }
        let checked = try ClassLabels(labels, classCount: classCount)
        self.init(unchecked: features, dimension: dimension, labels: labels, classCount: checked.classCount)
    }

    /// The labels with their class count, already checked.
    public var classLabels: ClassLabels { ClassLabels(unchecked: labels, classCount: classCount) }

    /// The features of row `index` (a copy).
    public func row(_ index: Int) -> ArraySlice<Float> {
        features[(index * dimension)..<((index + 1) * dimension)]
    }

    /// Samples per class, in label order.
    public var classCounts: [Int] { classLabels.counts }

    /// Creates a dataset whose invariants the caller has already established.
    init(unchecked features: [Float], dimension: Int, labels: [Int32], classCount: Int) {
        self.features = features
        self.labels = labels
        self.dimension = dimension
        self.classCount = classCount
    }
}
