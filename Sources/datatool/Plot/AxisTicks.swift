#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// "Nice" axis tick positions (steps of 1, 2, 2.5 or 5 times a power of ten) and their labels.
///
/// ```swift
/// let ticks = AxisTicks(range: -1.1 ... 1.1, targetCount: 6)
/// ticks.values                       // [-1.0, -0.5, 0.0, 0.5, 1.0]
/// ticks.labels                       // ["−1.0", "−0.5", "0.0", "0.5", "1.0"]
/// ```
struct AxisTicks: Sendable, Equatable {
    /// Tick positions inside the range, increasing.
    let values: [Double]
    /// The distance between ticks.
    let step: Double
    /// The decimals every label shows (the fewest that write `step` exactly).
    let decimals: Int

    /// Chooses about `targetCount` ticks covering `range`.
    ///
    /// - Parameters:
    ///   - range: Finite bounds; a range of zero width gets a single tick.
    ///   - targetCount: The wanted number of intervals (at least 1).
    init(range: ClosedRange<Double>, targetCount: Int) {
        let lower = range.lowerBound, upper = range.upperBound
        guard lower.isFinite, upper.isFinite, upper > lower else {
            values = lower.isFinite ? [lower] : []
            step = 1
            decimals = 0
            return
        }
        let raw = (upper - lower) / Double(max(targetCount, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10
        let step = nice * magnitude
        let first = (lower / step - 1e-9).rounded(.up)
        let last = (upper / step + 1e-9).rounded(.down)
        var values = [Double]()
        if last >= first {
            var i = first
            while i <= last {
                let value = i * step
                values.append(abs(value) < step * 1e-9 ? 0 : value)
                i += 1
            }
        }
        self.values = values
        self.step = step
        var decimals = 0
        while decimals < 12 {
            let scaled = step * pow(10, Double(decimals))
            if abs(scaled - scaled.rounded()) <= 1e-6 * scaled { break }
            decimals += 1
        }
        self.decimals = decimals
    }

    /// The labels of ``values``, each with ``decimals`` decimals and a true minus sign (−).
    var labels: [String] { values.map { AxisTicks.format($0, decimals: decimals) } }

    /// `value` with `decimals` decimals, a true minus sign, and no "−0"; very large or very
    /// precise values fall back to exponent notation.
    static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "−∞" : "∞") }
        let d = max(decimals, 0)
        let scale = pow(10, Double(d))
        let scaled = (value * scale).rounded()
        guard d <= 9, abs(scaled) < 1e15 else {
            return String(value.description.map { $0 == "-" ? "−" : $0 })
        }
        let magnitude = Int64(abs(scaled))
        let unit = Int64(scale)
        var text = String(magnitude / unit)
        if d > 0 {
            let fraction = String(magnitude % unit)
            text += "." + String(repeating: "0", count: d - fraction.count) + fraction
        }
        return (scaled < 0 ? "−" : "") + text
    }
}
