import Foundation
import Testing
import Datasets
@testable import datatool

/// Rendered plots, read back by `scripts/png_check.py` (an independent decoder) and by our
/// own decoder.
@Suite struct ScatterPlotRenderingTests {
    /// Where a point's marker centre should show its own colour: the centre pixel of point i
    /// keeps class c's exact colour unless a marker drawn later (larger classes first, then row
    /// order) reaches that pixel, or the legend covers it.
    static func unobstructedCentres(plot: ScatterPlot, layout: ScatterPlot.Layout) -> [(row: Int, x: Int, y: Int)] {
        let n = plot.labels.count
        let order = (0..<plot.classCount).sorted {
            plot.classCounts[$0] != plot.classCounts[$1] ? plot.classCounts[$0] > plot.classCounts[$1] : $0 < $1
        }
        var rank = [Int](repeating: 0, count: plot.classCount)
        for (r, c) in order.enumerated() { rank[c] = r }
        let drawn = (0..<n).sorted { (rank[Int(plot.labels[$0])], $0) < (rank[Int(plot.labels[$1])], $1) }
        let centres = drawn.map { i in layout.pixelIndex(x: Double(plot.points[2 * i]), y: Double(plot.points[2 * i + 1])) }
        let reach = layout.markerRadius + 0.5
        var result = [(row: Int, x: Int, y: Int)]()
        for (k, i) in drawn.enumerated() {
            let c = centres[k]
            if let legend = layout.legendFrame, legend.contains(x: c.x, y: c.y) { continue }
            var hidden = false
            for later in centres[(k + 1)...] {
                let dx = Double(later.x - c.x), dy = Double(later.y - c.y)
                if (dx * dx + dy * dy).squareRoot() < reach { hidden = true; break }
            }
            if !hidden { result.append((i, c.x, c.y)) }
        }
        return result
    }

    @Test func spiralPointsAxesAndLegendAsPythonReadsThem() throws {
        let data = try SpiralSpecification(counts: [1000, 100, 10], noise: 0.2, seed: 1).generate()
        var plot = try ScatterPlot(dataset: data, title: "spiral: K=3, counts 1000/100/10, σ=0.2")
        plot.xLabel = "x1"
        plot.yLabel = "x2"
        try withRenderedFile(plot, size: 800, name: "spiral.png") { layout, image, path in

            let centres = Self.unobstructedCentres(plot: plot, layout: layout)
            let frame = layout.plotFrame
            let axisProbes = stride(from: frame.y, to: frame.y + frame.height, by: 37).map { (x: frame.x - 1, y: $0) }
                + stride(from: frame.x, to: frame.x + frame.width, by: 41).map { (x: $0, y: frame.y + frame.height) }
            let outside = [(x: 1, y: 1), (x: 799, y: 799), (x: 1, y: 798)]
            let report = try PNGCheck.run(path: path, pixels: centres.map { (x: $0.x, y: $0.y) } + axisProbes + outside)
            #expect(report.width == 800 && report.height == 800 && report.colour_type == 2)
            #expect(report.pixel_crc32 == Zlib.crc32(image.pixels), "Python decodes every pixel as drawn")

            // Marker centres carry their class colour, for every class.
            var checked = [Int](repeating: 0, count: 3)
            for (centre, pixel) in zip(centres, report.pixels) {
                let c = Int(plot.labels[centre.row])
                let colour = ScatterPlot.color(forClass: c)
                #expect(pixel.rgba == [colour.red, colour.green, colour.blue, 255], "row \(centre.row) (class \(c)) at \(pixel.x),\(pixel.y)")
                checked[c] += 1
            }
            #expect(checked[0] > 300 && checked[1] > 60 && checked[2] >= 8, "unobstructed centres per class: \(checked)")
            // The frame is dark, the margins white.
            for pixel in report.pixels[centres.count..<(centres.count + axisProbes.count)] {
                let luminance = 0.2126 * Double(pixel.rgba[0]) + 0.7152 * Double(pixel.rgba[1]) + 0.0722 * Double(pixel.rgba[2])
                #expect(luminance < 80, "axis pixel \(pixel.x),\(pixel.y) is \(pixel.rgba)")
            }
            for pixel in report.pixels.suffix(outside.count) {
                #expect(pixel.rgba == [255, 255, 255, 255], "margin pixel \(pixel.x),\(pixel.y)")
            }
            // Every class colour appears, and text (ink) was drawn below and left of the frame.
            for c in 0..<3 {
                let colour = ScatterPlot.color(forClass: c)
                #expect((report.histogram[PNGCheck.key(colour.red, colour.green, colour.blue, 255)] ?? 0) > 0, "class \(c) colour missing")
            }
            var inkBelow = 0, inkLeft = 0, inkAbove = 0
            for y in 0..<800 {
                for x in 0..<800 {
                    guard let p = image.pixel(x: x, y: y), p.luminance < 80 else { continue }
                    if y > frame.y + frame.height + 2 { inkBelow += 1 }
                    if x < frame.x - 2 { inkLeft += 1 }
                    if y < frame.y - 2 { inkAbove += 1 }
                }
            }
            #expect(inkBelow > 200 && inkLeft > 200 && inkAbove > 200, "tick labels / title ink: \(inkBelow), \(inkLeft), \(inkAbove)")
            // The legend swatches carry the class colours.
            let legend = try #require(layout.legendFrame)
            let s = layout.textScale
            for c in 0..<3 {
                let swatch = image.pixel(x: legend.x + 6 * s + Int(3.5 * Double(s)), y: legend.y + 6 * s + c * layout.legendRowHeight + Int(3.5 * Double(s)))
                #expect(swatch == ScatterPlot.color(forClass: c), "legend swatch of class \(c)")
            }
        }
    }

    @Test func smallerClassesAreDrawnOnTop() throws {
        // Class 1 has five points, class 0 one; both have a point at the origin.
        let points: [Float] = [0, 0, 0, 0, 1, 1, -1, 1, 1, -1, -1, -1]
        let labels: [Int32] = [0, 1, 1, 1, 1, 1]
        let plot = try ScatterPlot(points: points, labels: labels)
        let layout = try plot.layout(width: 400, height: 400)
        let image = try plot.render(width: 400, height: 400)
        let origin = layout.pixelIndex(x: 0, y: 0)
        #expect(image.pixel(x: origin.x, y: origin.y) == ScatterPlot.color(forClass: 0))
        let corner = layout.pixelIndex(x: 1, y: -1)
        #expect(image.pixel(x: corner.x, y: corner.y) == ScatterPlot.color(forClass: 1))
    }

    @Test func regionsAreTintedBehindThePoints() throws {
        let points: [Float] = [-1, -1, 1, -1, -1, 1, 1, 1]
        let labels: [Int32] = [0, 1, 2, 2]
        var plot = try ScatterPlot(points: points, labels: labels, title: "regions")
        let bounds = plot.dataBounds()
        // Bottom-left 0, bottom-right 1, top-left 2, top-right none.
        plot.regions = try DecisionRegions(grid: [0, 1, 2, -1], columns: 2, rows: 2, xRange: bounds.x, yRange: bounds.y)
        try withRenderedFile(plot, size: 600, name: "regions.png") { layout, image, path in
            let quarters: [(x: Double, y: Double, cls: Int?)] = [(-0.5, -0.5, 0), (0.5, -0.5, 1), (-0.5, 0.5, 2), (0.5, 0.5, nil)]
            let probes = quarters.map { layout.pixelIndex(x: $0.x, y: $0.y) }
            for probe in probes {
                if let legend = layout.legendFrame { try #require(!legend.contains(x: probe.x, y: probe.y)) }
            }
            let pointProbes = (0..<4).map { layout.pixelIndex(x: Double(points[2 * $0]), y: Double(points[2 * $0 + 1])) }
            let report = try PNGCheck.run(path: path, pixels: (probes + pointProbes).map { (x: $0.x, y: $0.y) })
            for (quarter, pixel) in zip(quarters, report.pixels) {
                let expected = quarter.cls.map { ScatterPlot.regionTint(forClass: $0) } ?? .white
                #expect(pixel.rgba == [expected.red, expected.green, expected.blue, 255], "quarter \(quarter)")
            }
            for (i, pixel) in report.pixels.suffix(4).enumerated() {
                let colour = ScatterPlot.color(forClass: Int(labels[i]))
                #expect(pixel.rgba == [colour.red, colour.green, colour.blue, 255], "point \(i) over its region")
            }
            // The grid has two rows, two columns: the tints change at the data centre.
            let justLeft = layout.pixelIndex(x: -0.02, y: -0.5), justRight = layout.pixelIndex(x: 0.02, y: -0.5)
            #expect(image.pixel(x: justLeft.x, y: justLeft.y) == ScatterPlot.regionTint(forClass: 0))
            #expect(image.pixel(x: justRight.x, y: justRight.y) == ScatterPlot.regionTint(forClass: 1))
            // The independent decoder agrees with ours on every pixel.
            #expect(report.pixel_crc32 == Zlib.crc32(try PNGImage(pngData: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))).pixels))
        }
    }

    @Test func regionClassesOutOfRangeThrow() throws {
        var plot = try ScatterPlot(points: [0, 0, 1, 1], labels: [0, 1])
        let bounds = plot.dataBounds()
        plot.regions = try DecisionRegions(grid: [0, 2], columns: 2, rows: 1, xRange: bounds.x, yRange: bounds.y)
        #expect(throws: PlotError.invalidData("region cell 1 has class 2; expected classes in 0..<2 (or negative for none)")) {
            try plot.render()
        }
    }

    @Test func manyPointsRender() throws {
        let data = try SpiralSpecification(counts: [60_000, 30_000, 10_000], noise: 0.2, seed: 2).generate()
        let plot = try ScatterPlot(dataset: data, title: "100k points")
        let image = try plot.render(width: 800, height: 800)
        var counts = [Int](repeating: 0, count: 3)
        for y in 0..<800 {
            for x in 0..<800 {
                for c in 0..<3 where image.pixel(x: x, y: y) == ScatterPlot.color(forClass: c) { counts[c] += 1 }
            }
        }
        #expect(counts.allSatisfy { $0 > 5_000 }, "pixels per class colour: \(counts)")
    }

    /// Lays `plot` out and renders it at `size` × `size`, writes the PNG as `name` in a fresh
    /// folder and hands over the layout, the image and the file; the folder goes afterwards.
    private func withRenderedFile(
        _ plot: ScatterPlot, size: Int, name: String, _ body: (ScatterPlot.Layout, PNGImage, String) throws -> Void
    ) throws {
        let layout = try plot.layout(width: size, height: size)
        let image = try plot.render(width: size, height: size)
        let folder = try PlotTestFolder()
        defer { folder.remove() }
        let path = folder.file(name)
        try image.write(to: path)
        try body(layout, image, path)
    }
}
