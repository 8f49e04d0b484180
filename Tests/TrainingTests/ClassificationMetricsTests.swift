import Testing
@testable import Training

@Suite struct ClassificationMetricsTests {
    @Test func figuresFromAKnownConfusionMatrix() {
        // truth:      0 0 0 0 1 1 2
        // prediction: 0 0 1 0 1 0 0
        let labels: [Int32] = [0, 0, 0, 0, 1, 1, 2]
        let predictions: [Int32] = [0, 0, 1, 0, 1, 0, 0]
        let m = ClassificationMetrics(predictions: predictions, labels: labels, classCount: 3)
        #expect(m.confusion == [[3, 1, 0], [1, 1, 0], [1, 0, 0]])
        #expect(m.support == [4, 2, 1])
        #expect(m.predicted == [5, 2, 0])
        #expect(abs(m.accuracy - 4.0 / 7) < 1e-12)
        #expect(m.recall == [0.75, 0.5, 0])
        #expect(m.precision == [0.6, 0.5, 0])
        let f0 = 2 * 0.6 * 0.75 / 1.35
        #expect(abs(m.f1[0] - f0) < 1e-12 && m.f1[1] == 0.5 && m.f1[2] == 0)
        #expect(abs(m.balancedAccuracy - (0.75 + 0.5 + 0) / 3) < 1e-12)
        #expect(abs(m.macroF1 - (f0 + 0.5) / 3) < 1e-12)
    }

    @Test func majorityVoteScoresOneOverKBalanced() {
        let labels = [Int32](repeating: 0, count: 98) + [1, 2]
        let predictions = [Int32](repeating: 0, count: 100)
        let m = ClassificationMetrics(predictions: predictions, labels: labels, classCount: 3)
        #expect(m.accuracy == 0.98)
        #expect(abs(m.balancedAccuracy - 1.0 / 3) < 1e-12)
    }

    @Test func classesWithoutSamplesAreLeftOutOfTheMeans() {
        let m = ClassificationMetrics(predictions: [0, 1] as [Int32], labels: [0, 1] as [Int32], classCount: 3)
        #expect(m.recall[2].isNaN && m.precision[2].isNaN)
        #expect(m.balancedAccuracy == 1 && m.macroF1 == 1)
    }
}
