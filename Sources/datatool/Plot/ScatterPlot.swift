import Datasets

/// A scatter plot of labelled 2-D points, one colour per class, rendered into a
/// ``PNGImage``: axes with "nice" ticks and numeric labels, a title, a legend with each class's
/// count, and optionally a model's decision regions tinted behind the points.
///
/// Classes take the colours of ``palette`` in label order. Classes are drawn largest first, so
/// a rare class stays visible on top of a common one; within a class, points are drawn in row
/// order. Non-finite points are skipped.
///
/// ```swift
/// let data = try SpiralSpecification(counts: [1000, 100, 10], noise: 0.2, seed: 1).generate()
/// var plot = try ScatterPlot(dataset: data, title: "spiral, K = 3")
/// let bounds = plot.dataBounds()                      // where to evaluate a model
/// plot.regions = try DecisionRegions(grid: predictions, columns: 200, rows: 200,
///                                    xRange: bounds.x, yRange: bounds.y)
/// try plot.render(width: 800, height: 800).write(to: "spiral.png")
/// ```
struct ScatterPlot: Sendable {
    /// Row-major `(x, y)` pairs, `2 * labels.count` values.
    let points: [Float]
    /// One class per point, in `0..<classCount`.
    let labels: [Int32]
    /// K.
    let classCount: Int
    /// Points per class, in label order.
    let classCounts: [Int]

    /// Drawn centred above the plot; empty for none.
    var title: String
    /// Drawn below the x tick labels; empty for none.
    var xLabel = ""
    /// Drawn upward left of the y tick labels; empty for none.
    var yLabel = ""
    /// Legend names in label order; `nil` (or a missing entry) means `"class c"`.
    var classNames: [String]?
    /// Class regions to tint behind the points; `nil` for a plain background with grid lines.
    var regions: DecisionRegions?
    /// Marker radius in pixels; `nil` picks one from the number of points and the image size.
    var markerRadius: Double?
    /// When `true` (the default), one unit is as long on both axes, so circles stay round.
    var equalAspect = true
    /// Whether to draw the legend.
    var showsLegend = true

    /// Checks and stores the data (copied once; rendering never copies it again).
    ///
    /// - Parameters:
    ///   - points: `[N, 2]` row-major coordinates.
    ///   - labels: `[N]` classes.
    ///   - classCount: K, at least 1 and at most 1000; `nil` means `max(label) + 1`.
    ///   - title: The title.
    /// - Throws: ``PlotError/invalidData(_:)`` when the shapes disagree or a label is outside
    ///   `0..<K`.
    init(points: [Float], labels: [Int32], classCount: Int? = nil, title: String = "") throws {
        guard points.count == labels.count * 2 else {
            throw PlotError.invalidData(
                "a scatter plot needs 2 coordinates per label: \(labels.count) labels but \(points.count) values (expected \(labels.count * 2))")
        }
        let k = classCount ?? max(Int(labels.max() ?? 0) + 1, 1)
        guard (1...1000).contains(k) else {
            throw PlotError.invalidData("a scatter plot needs 1 … 1000 classes, got \(k)")
        }
        var counts = [Int](repeating: 0, count: k)
        try labels.withUnsafeBufferPointer { buffer in
            for (row, label) in buffer.enumerated() {
                guard label >= 0, Int(label) < k else {
                    throw PlotError.invalidData("label \(label) at row \(row) is out of range; expected labels in 0..<\(k)")
                }
                counts[Int(label)] += 1
            }
        }
        self.points = points
        self.labels = labels
        self.classCount = k
        self.classCounts = counts
        self.title = title
    }

    /// A scatter plot of a 2-feature dataset.
    ///
    /// - Throws: ``PlotError/invalidData(_:)`` unless `dataset.dimension == 2`.
    init(dataset: LabelledDataset, title: String = "") throws {
        guard dataset.dimension == 2 else {
            throw PlotError.invalidData("a scatter plot needs 2 features per row, the dataset has \(dataset.dimension)")
        }
        try self.init(points: dataset.features, labels: dataset.labels, classCount: dataset.classCount, title: title)
    }

    // MARK: - Colours

    /// Ten distinct colours (the "tab10" palette), class 0 first.
    static let palette: [RGBA] = [
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
        0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF,
    ].map { RGBA(hex: $0) }

    /// The colour of class `c`: ``palette`` for the first ten, then hues spaced by the golden
    /// angle.
    static func color(forClass c: Int) -> RGBA {
        if c >= 0 && c < palette.count { return palette[c] }
        let hue = (Double(max(c, 0) - palette.count) * 137.507_764).truncatingRemainder(dividingBy: 360)
        return hsv(hue: hue, saturation: 0.65, value: 0.8)
    }

    /// The light tint of class `c` used for its decision region: its colour 78 % of the way
    /// to white.
    static func regionTint(forClass c: Int) -> RGBA {
        color(forClass: c).mixed(with: .white, fraction: 0.78)
    }

    private static func hsv(hue: Double, saturation s: Double, value v: Double) -> RGBA {
        let h = hue / 60
        let c = v * s
        let x = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double)
        switch Int(h) {
        case 0: (r, g, b) = (c, x, 0)
        case 1: (r, g, b) = (x, c, 0)
        case 2: (r, g, b) = (0, c, x)
        case 3: (r, g, b) = (0, x, c)
        case 4: (r, g, b) = (x, 0, c)
        default: (r, g, b) = (c, 0, x)
        }
        let m = v - c
        func byte(_ value: Double) -> UInt8 { UInt8(((value + m) * 255).rounded()) }
        return RGBA(red: byte(r), green: byte(g), blue: byte(b))
    }

    // MARK: - Bounds

    /// The data rectangle the plot shows: the finite points' extent padded by 5 % on each side,
    /// widened to hold ``regions`` if set, and (with ``equalAspect``) to equal spans. Evaluate a
    /// region grid over exactly these ranges so it fills the plot.
    ///
    /// - Returns: The x and y ranges; `−1 … 1` each when there is no finite point.
    /// - Complexity: O(N).
    func dataBounds() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        var minX = Double.infinity, maxX = -Double.infinity
        var minY = Double.infinity, maxY = -Double.infinity
        points.withUnsafeBufferPointer { p in
            var i = 0
            while i + 1 < p.count {
                let x = p[i], y = p[i + 1]
                if x.isFinite && y.isFinite {
                    minX = min(minX, Double(x)); maxX = max(maxX, Double(x))
                    minY = min(minY, Double(y)); maxY = max(maxY, Double(y))
                }
                i += 2
            }
        }
        var x: ClosedRange<Double>
        var y: ClosedRange<Double>
        if minX <= maxX {
            x = ScatterPlot.padded(minX, maxX)
            y = ScatterPlot.padded(minY, maxY)
        } else {
            x = -1 ... 1
            y = -1 ... 1
        }
        if let regions {
            x = min(x.lowerBound, regions.xRange.lowerBound) ... max(x.upperBound, regions.xRange.upperBound)
            y = min(y.lowerBound, regions.yRange.lowerBound) ... max(y.upperBound, regions.yRange.upperBound)
        }
        if equalAspect {
            let span = max(x.upperBound - x.lowerBound, y.upperBound - y.lowerBound)
            x = ScatterPlot.widened(x, to: span)
            y = ScatterPlot.widened(y, to: span)
        }
        return (x, y)
    }

    private static func padded(_ low: Double, _ high: Double) -> ClosedRange<Double> {
        let span = high - low
        let pad = span > 0 ? 0.05 * span : max(0.5, abs(low) * 0.1)
        return (low - pad) ... (high + pad)
    }

    private static func widened(_ range: ClosedRange<Double>, to span: Double) -> ClosedRange<Double> {
        let current = range.upperBound - range.lowerBound
        guard span > current else { return range }
        let extra = (span - current) / 2
        return (range.lowerBound - extra) ... (range.upperBound + extra)
    }

    /// The legend text of class `c`: `"class c (n=count)"` or its name with the count.
    func legendLabel(forClass c: Int) -> String {
        let name = (classNames.flatMap { c < $0.count ? $0[c] : nil }) ?? "class \(c)"
        return "\(name) (n=\(c < classCounts.count ? classCounts[c] : 0))"
    }

    /// Classes in drawing order: largest count first, ties in label order.
    var drawingOrder: [Int] {
        (0..<classCount).sorted { classCounts[$0] != classCounts[$1] ? classCounts[$0] > classCounts[$1] : $0 < $1 }
    }
}
