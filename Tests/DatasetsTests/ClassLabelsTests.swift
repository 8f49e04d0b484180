import Testing
@testable import Datasets

/// The one label check.
@Suite struct ClassLabelsTests {
    @Test func countsAndTheInferredClassCount() throws {
        let labels = try ClassLabels([0, 2, 1, 2])
        #expect(labels.classCount == 3)
        #expect(labels.counts == [1, 1, 2])
        #expect(try ClassLabels([0, 0], classCount: 4).counts == [2, 0, 0, 0])
    }

    @Test func theFirstBadLabelIsNamed() {
        #expect(throws: DatasetError.negativeLabel(row: 1, label: -3)) { try ClassLabels([0, -3, 9], classCount: 2) }
        #expect(throws: DatasetError.labelOutOfRange(row: 2, label: 9, classCount: 2)) { try ClassLabels([0, 1, 9, -1], classCount: 2) }
        #expect(DatasetError.negativeLabel(row: 1, label: -3).description == "label -3 at row 1: labels must be ≥ 0")
        #expect(DatasetError.labelOutOfRange(row: 2, label: 9, classCount: 2).description
                == "label 9 at row 2 is out of range; expected labels in 0..<2")
        let origin = DataOrigin(file: "f.h5", features: "/x", labels: "/y")
        #expect(DatasetError.labelOutOfRange(row: 2, label: 9, classCount: 2, origin: origin).description
                == "f.h5: '/y' has label 9 at row 2; expected labels in 0..<2 for 2 classes")
        #expect(DatasetError.lengthMismatch(features: 5, labels: 4, origin: origin).description
                == "f.h5: '/x' has 5 rows but '/y' has 4; expected the same number")
    }

    @Test func unusableClassCountsAreRefused() {
        #expect(throws: DatasetError.invalidParameter("the number of classes must be at least 1, got 0")) {
            try ClassLabels([0], classCount: 0)
        }
        #expect(throws: DatasetError.invalidParameter("16777217 classes is more than the 16777216 supported")) {
            try ClassLabels([0], classCount: (1 << 24) + 1)
        }
        #expect(throws: DatasetError.invalidShape("the number of classes must be at least 1, got 0 (there are no labels)")) {
            try ClassLabels([])
        }
    }
}
