/// Labels checked once: one `Int32` per row in `0..<classCount`.
///
/// Every way labels enter the package (a ``LabelledDataset``, a file opened with
/// ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)``, an
/// array handed to the samplers) goes through the same check, once; code that takes a
/// `ClassLabels` (the class index behind the samplers, the trainer) relies on it and does not
/// check again.
///
/// ```swift
/// let labels = try ClassLabels([0, 2, 1, 2])   // K = 3
/// labels.counts                                 // [1, 1, 2]
/// ```
public struct ClassLabels: Sendable, Equatable {
    /// One label per row, each in `0..<classCount`.
    public let values: [Int32]
    /// K.
    public let classCount: Int

    /// N.
    public var count: Int { values.count }

    /// Checks `values` against `classCount`.
    ///
    /// - Parameters:
    ///   - values: One label per row.
    ///   - classCount: K; `nil` means `max(label) + 1`.
    /// - Throws: ``DatasetError/negativeLabel(row:label:origin:)`` or
    ///   ``DatasetError/labelOutOfRange(row:label:classCount:origin:)`` for the first bad
    ///   label; ``DatasetError/invalidParameter(_:)`` for a K below 1 or above
    ///   ``maximumClassCount``; ``DatasetError/invalidShape(_:)`` when there are no labels to
    ///   infer K from.
    /// - Complexity: O(N).
    public init(_ values: [Int32], classCount: Int? = nil) throws {
        var validator = try LabelValidator(classCount: classCount, rowCount: values.count, origin: nil)
        try values.withUnsafeBufferPointer { try validator.check($0, firstRow: 0) { _, _ in } }
        self.init(unchecked: values, classCount: try validator.finish())
    }

    /// Labels whose invariant the caller has established.
    init(unchecked values: [Int32], classCount: Int) {
        self.values = values
        self.classCount = classCount
    }

    /// n_c for every class, in label order.
    ///
    /// - Complexity: O(N + K).
    public var counts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        counts.withUnsafeMutableBufferPointer { counts in
            for label in values { counts[Int(label)] += 1 }
        }
        return counts
    }

    /// The same labels with class count `classCount`: more classes keep every label valid
    /// (no check); fewer are checked.
    ///
    /// - Throws: ``DatasetError/labelOutOfRange(row:label:classCount:origin:)`` when a label
    ///   does not fit.
    public func withClassCount(_ classCount: Int) throws -> ClassLabels {
        if classCount >= self.classCount { return ClassLabels(unchecked: values, classCount: classCount) }
        return try ClassLabels(values, classCount: classCount)
    }

    /// The labels of `rows` (each in `0..<count`), in that order.
    func subset(_ rows: [Int]) -> ClassLabels {
        ClassLabels(unchecked: rows.map { values[$0] }, classCount: classCount)
    }
}

/// The one label check: refuses the first negative, too large or out-of-range label as blocks
/// of labels go by (from memory or from a file), and tracks the largest for an inferred K.
struct LabelValidator {
    let classCount: Int?
    let origin: DataOrigin?
    /// Labels must stay below it.
    let limit: Int64
    let rowCount: Int
    private(set) var maximum: Int64 = -1

    /// Starts a check of `rowCount` labels.
    ///
    /// Without a class count, labels read from a file must stay below the number of rows
    /// (more classes than samples means a damaged file or a mistake; see
    /// ``HDF5GuardError/tooManyClasses(file:dataset:row:label:rowCount:)``) and below
    /// ``maximumClassCount``; labels in memory only below ``maximumClassCount``.
    ///
    /// - Throws: As ``requireUsable(classCount:)``.
    init(classCount: Int?, rowCount: Int, origin: DataOrigin?) throws {
        try Self.requireUsable(classCount: classCount)
        self.classCount = classCount
        self.origin = origin
        self.rowCount = rowCount
        let inferredLimit = origin == nil ? maximumClassCount : Swift.min(maximumClassCount, rowCount)
        self.limit = Int64(classCount ?? inferredLimit)
        DataAccessCounts.shared.add(labelValidations: 1)
    }

    /// Checks `block`, rows `firstRow…`, and hands each good label (as `Int32`) to `accept`.
    mutating func check<Label: FixedWidthInteger>(
        _ block: UnsafeBufferPointer<Label>, firstRow: Int, _ accept: (Int, Int32) -> Void
    ) throws {
        let limit = self.limit
        var maximum = self.maximum
        defer { self.maximum = maximum }
        for (offset, value) in block.enumerated() {
            let label = Int64(truncatingIfNeeded: value)
            guard label >= 0 && label < limit else { try refuse(label, row: firstRow + offset) }
            if label > maximum { maximum = label }
            accept(firstRow + offset, Int32(truncatingIfNeeded: label))
        }
    }

    /// Throws ``DatasetError/invalidParameter(_:)`` for a class count below 1 or above
    /// ``maximumClassCount``.
    static func requireUsable(classCount: Int?) throws {
        guard let classCount else { return }
        if classCount < 1 {
            throw DatasetError.invalidParameter("the number of classes must be at least 1, got \(classCount)")
        }
        if classCount > maximumClassCount {
            throw DatasetError.invalidParameter("\(classCount) classes is more than the \(maximumClassCount) supported")
        }
    }

    /// Throws the error for a label outside `0..<limit`.
    private func refuse(_ label: Int64, row: Int) throws -> Never {
        if label < 0 { throw DatasetError.negativeLabel(row: row, label: label, origin: origin) }
        if label > Int64(Int32.max) { throw DatasetError.labelBeyondInt32(row: row, label: label, origin: origin) }
        if let classCount {
            throw DatasetError.labelOutOfRange(row: row, label: label, classCount: classCount, origin: origin)
        }
        if let origin, label >= Int64(rowCount) {
            try HDF5FileGuards.requirePlausibleClassCount(
                largestLabel: label, row: row, rowCount: rowCount, file: origin.file, dataset: origin.labels ?? "labels")
        }
        throw DatasetError.labelOutOfRange(row: row, label: label, classCount: maximumClassCount, origin: origin)
    }

    /// K: the given class count, or the largest label + 1.
    ///
    /// - Throws: ``DatasetError/invalidShape(_:)`` when K is to be inferred from no labels.
    func finish() throws -> Int {
        if let classCount { return classCount }
        guard maximum >= 0 else {
            throw DatasetError.invalidShape("the number of classes must be at least 1, got 0 (there are no labels)")
        }
        return Int(maximum) + 1
    }
}

/// The most classes a labelling may have (labels up to 2²⁴ − 1): beyond it per-class tables
/// would not fit in memory, and a label that large is almost surely a damaged file.
public let maximumClassCount = 1 << 24
