import Foundation
import Testing
@testable import datatool

@Suite struct AxisTicksTests {
    static let ranges: [ClosedRange<Double>] = [
        -1.1 ... 1.1, 0 ... 1, -0.93 ... 0.87, 3 ... 1003, -1e-3 ... 2e-3, 12_345 ... 98_765,
        -5 ... -4.999, 0.2 ... 0.35, -250 ... 10, 1e6 ... 3e6,
    ]

    @Test func ticksAreNiceEvenAndInside() {
        for range in Self.ranges {
            for target in [2, 5, 8, 12] {
                let ticks = AxisTicks(range: range, targetCount: target)
                let label = "range \(range), target \(target)"
                #expect(!ticks.values.isEmpty, "\(label): no ticks")
                // The step is 1, 2, 2.5 or 5 times a power of ten.
                let mantissa = ticks.step / pow(10, log10(ticks.step).rounded(.down))
                #expect([1, 2, 2.5, 5, 10].contains { abs($0 - mantissa) < 1e-9 }, "\(label): step \(ticks.step)")
                for value in ticks.values {
                    #expect(value >= range.lowerBound - 1e-9 * ticks.step && value <= range.upperBound + 1e-9 * ticks.step, "\(label): \(value) outside")
                    let k = value / ticks.step
                    #expect(abs(k - k.rounded()) < 1e-6, "\(label): \(value) is not a multiple of the step")
                }
                for (a, b) in zip(ticks.values, ticks.values.dropFirst()) {
                    #expect(abs((b - a) - ticks.step) <= 1e-9 * max(1, abs(b)), "\(label): uneven spacing")
                }
                // No more than the target + 1, and no fewer than the target / 2.5 − 1.
                #expect(ticks.values.count <= target + 1, "\(label): \(ticks.values.count) ticks")
                #expect(Double(ticks.values.count) >= Double(target) / 2.5 - 1, "\(label): \(ticks.values.count) ticks")
            }
        }
    }

    @Test func labelsReadBackAsTheirValuesAndAreDistinct() {
        for range in Self.ranges {
            let ticks = AxisTicks(range: range, targetCount: 6)
            let labels = ticks.labels
            #expect(Set(labels).count == labels.count, "duplicate labels \(labels)")
            for (value, text) in zip(ticks.values, labels) {
                let parsed = Double(text.replacingOccurrences(of: "−", with: "-"))
                #expect(parsed != nil && abs(parsed! - value) <= 1e-9 * max(1, abs(value)), "label \(text) for \(value)")
                #expect(!text.contains("-"), "labels use the minus sign, got \(text)")
            }
        }
    }

    @Test func formatting() {
        #expect(AxisTicks.format(-0.5, decimals: 1) == "−0.5")
        #expect(AxisTicks.format(-0.0001, decimals: 1) == "0.0")
        #expect(AxisTicks.format(2.5, decimals: 1) == "2.5")
        #expect(AxisTicks.format(1000, decimals: 0) == "1000")
        #expect(AxisTicks.format(0.05, decimals: 2) == "0.05")
        #expect(AxisTicks.format(.nan, decimals: 1) == "NaN")
        #expect(AxisTicks(range: -1 ... 1, targetCount: 4).decimals == 1)
        #expect(AxisTicks(range: 0 ... 1, targetCount: 4).labels == ["0.00", "0.25", "0.50", "0.75", "1.00"])
    }

    @Test func degenerateRanges() {
        #expect(AxisTicks(range: 3 ... 3, targetCount: 5).values == [3])
        #expect(AxisTicks(range: -.infinity ... 0, targetCount: 5).values.isEmpty)
    }
}
