/// Which rows of a labelling go to training and which are held out, class by class
/// (stratified), so every class keeps its frequency in both parts.
///
/// Class c with n_c rows puts `round(testFraction · n_c)` of them in the held-out part, but at
/// least one when n_c ≥ 2, and never all of them: a rare class is then both learnt and tested.
/// Which rows go where is a seeded shuffle per class; both lists are ascending.
///
/// - Parameters:
///   - labels: The labels of the rows.
///   - testFraction: The held-out share, in (0, 1).
///   - seed: Fixes the split.
/// - Returns: The training rows and the held-out rows.
/// - Throws: ``DatasetError/invalidParameter(_:)`` for a fraction outside (0, 1).
/// - Complexity: O(N).
public func stratifiedSplitRows(
    _ labels: ClassLabels, testFraction: Double, seed: UInt64
) throws -> (training: [Int], test: [Int]) {
    guard testFraction > 0 && testFraction < 1 else {
        throw DatasetError.invalidParameter("the test fraction must be between 0 and 1 (exclusive), got \(testFraction)")
    }
    var byClass = [[Int]](repeating: [], count: labels.classCount)
    for (row, label) in labels.values.enumerated() {
        byClass[Int(label)].append(row)
    }
    var isTest = [Bool](repeating: false, count: labels.count)
    for (c, rows) in byClass.enumerated() where rows.count >= 2 {
        var shuffled = rows
        var rng = Xoshiro256StarStar(seed: seed, stream: UInt64(c))
        shuffled.fisherYatesShuffle(using: &rng)
        let wanted = Int((testFraction * Double(rows.count)).rounded())
        let take = Swift.min(rows.count - 1, Swift.max(1, wanted))
        for row in shuffled.prefix(take) { isTest[row] = true }
    }
    return ((0..<labels.count).filter { !isTest[$0] }, (0..<labels.count).filter { isTest[$0] })
}

extension LabelledDataset {
    /// Splits the rows into a training and a held-out part with
    /// ``LabelledSource/stratifiedSplit(testFraction:seed:)``; rows keep their order within
    /// each part.
    ///
    /// - Returns: `(training, test)`, both with this dataset's class count.
    /// - Throws: ``DatasetError/invalidParameter(_:)`` for a fraction outside (0, 1).
    public func stratifiedSplit(testFraction: Double, seed: UInt64) throws -> (training: LabelledDataset, test: LabelledDataset) {
        let parts = try LabelledSource(self).stratifiedSplit(testFraction: testFraction, seed: seed)
        return (try parts.training.materialize(), try parts.test.materialize())
    }

    /// The rows at `indices`, in that order, as a new dataset with the same class count.
    ///
    /// - Throws: ``DatasetError/invalidShape(_:)`` for a row outside `0..<count`.
    public func subset(_ indices: [Int]) throws -> LabelledDataset {
        try LabelledSource(self).subset(indices).materialize()
    }

    /// The same rows with class count `classCount`, for data whose highest classes happen to
    /// be absent.
    ///
    /// - Throws: ``DatasetError/labelOutOfRange(row:label:classCount:origin:)`` when a label
    ///   does not fit.
    public func withClassCount(_ classCount: Int) throws -> LabelledDataset {
        let labels = try classLabels.withClassCount(classCount)
        return LabelledDataset(unchecked: features, dimension: dimension, labels: labels.values, classCount: labels.classCount)
    }
}
