import Testing
@testable import Datasets

@Suite struct LabelledDatasetTests {
    @Test func stratifiedSplitKeepsEveryClassInBothParts() throws {
        let data = try SpiralSpecification(counts: [1000, 100, 10, 2, 1], noise: 0.1, seed: 3).generate()
        let (training, test) = try data.stratifiedSplit(testFraction: 0.3, seed: 9)
        #expect(training.count + test.count == data.count)
        #expect(test.classCounts == [300, 30, 3, 1, 0])
        #expect(training.classCounts == [700, 70, 7, 1, 1])
        // Rows are partitioned: each original row lands in exactly one part.
        var rows = [[Float]: Int]()
        for i in 0..<data.count { rows[Array(data.row(i)), default: 0] += 1 }
        for part in [training, test] {
            for i in 0..<part.count { rows[Array(part.row(i)), default: 0] -= 1 }
        }
        #expect(rows.values.allSatisfy { $0 == 0 })
        let again = try data.stratifiedSplit(testFraction: 0.3, seed: 9)
        #expect(again.test == test)
        #expect(try data.stratifiedSplit(testFraction: 0.3, seed: 10).test != test)
        #expect(throws: DatasetError.self) { try data.stratifiedSplit(testFraction: 1, seed: 0) }
        #expect(throws: DatasetError.self) { try data.stratifiedSplit(testFraction: 0, seed: 0) }
    }

    @Test func initialiserChecksShapesAndLabels() {
        #expect(throws: DatasetError.lengthMismatch(features: 1, labels: 2)) {
            try LabelledDataset(features: [1, 2], dimension: 2, labels: [0, 1])
        }
        #expect(throws: DatasetError.labelOutOfRange(row: 1, label: 3, classCount: 2)) {
            try LabelledDataset(features: [1, 2], dimension: 1, labels: [0, 3], classCount: 2)
        }
        #expect(throws: DatasetError.self) { try LabelledDataset(features: [], dimension: 0, labels: []) }
    }
}
