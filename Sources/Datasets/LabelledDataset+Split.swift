extension LabelledDataset {
    /// Splits the rows into a training and a held-out part, class by class (stratified), so
    /// every class keeps its frequency in both parts.
    ///
    /// Class c with n_c rows puts `round(testFraction · n_c)` of them in the held-out part, but
    /// at least one when n_c ≥ 2 and `testFraction > 0`, and never all of them: a rare class is
    /// then both learnt and tested. Which rows go where is a seeded shuffle; rows keep their
    /// original order within each part.
    ///
    /// - Parameters:
    ///   - testFraction: The held-out share, in (0, 1).
    ///   - seed: Fixes the split.
    /// - Returns: `(training, test)`, both with this dataset's class count.
    /// - Throws: ``DatasetError/invalidParameter(_:)`` for a fraction outside (0, 1).
    public func stratifiedSplit(testFraction: Double, seed: UInt64) throws -> (training: LabelledDataset, test: LabelledDataset) {
        guard testFraction > 0 && testFraction < 1 else {
            throw DatasetError.invalidParameter("the test fraction must be between 0 and 1 (exclusive), got \(testFraction)")
        }
        var byClass = [[Int]](repeating: [], count: classCount)
        for (row, label) in labels.enumerated() { byClass[Int(label)].append(row) }
        var isTest = [Bool](repeating: false, count: count)
        for (c, rows) in byClass.enumerated() where rows.count >= 2 {
            var shuffled = rows
            var rng = Xoshiro256StarStar(seed: seed, stream: UInt64(c))
            shuffled.fisherYatesShuffle(using: &rng)
            let wanted = Int((testFraction * Double(rows.count)).rounded())
            let take = Swift.min(rows.count - 1, Swift.max(1, wanted))
            for row in shuffled.prefix(take) { isTest[row] = true }
        }
        let testRows = (0..<count).filter { isTest[$0] }
        let trainingRows = (0..<count).filter { !isTest[$0] }
        return (subset(trainingRows), subset(testRows))
    }
}
