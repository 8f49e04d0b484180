import Testing
import Datasets
@testable import datatool

@Suite struct ScatterPlotLayoutTests {
    static func spiralPlot() throws -> ScatterPlot {
        let data = try SpiralSpecification(counts: [1000, 100, 10], noise: 0.2, seed: 1).generate()
        var plot = try ScatterPlot(dataset: data, title: "spiral: K=3, σ=0.2")
        plot.xLabel = "x1"
        plot.yLabel = "x2"
        return plot
    }

    @Test(arguments: [(800, 800), (1200, 700), (400, 900), (1600, 1600)])
    func framesFitAndAreSquareWithEqualAspect(width: Int, height: Int) throws {
        let plot = try Self.spiralPlot()
        let layout = try plot.layout(width: width, height: height)
        let frame = layout.plotFrame
        #expect(frame.x > 0 && frame.y > 0 && frame.x + frame.width < width && frame.y + frame.height < height)
        #expect(abs(frame.width - frame.height) <= 1, "\(frame)")
        #expect(layout.textScale == max(1, min(width, height) / 400))
        let legend = try #require(layout.legendFrame)
        #expect(legend.x >= frame.x && legend.y >= frame.y
                && legend.x + legend.width <= frame.x + frame.width && legend.y + legend.height <= frame.y + frame.height)
        for value in layout.xTicks.values { #expect(layout.xRange.contains(value)) }
        for value in layout.yTicks.values { #expect(layout.yRange.contains(value)) }
        #expect(layout.xTicks.values.count >= 3 && layout.yTicks.values.count >= 3)
    }

    @Test func pixelAndDataCoordinatesAreInverse() throws {
        var plot = try Self.spiralPlot()
        plot.equalAspect = false
        let layout = try plot.layout(width: 900, height: 600)
        let frame = layout.plotFrame
        for (px, py) in [(frame.x, frame.y), (frame.x + 17, frame.y + 240), (frame.x + frame.width - 1, frame.y + frame.height - 1)] {
            let d = layout.dataPoint(pixelX: px, pixelY: py)
            let back = layout.pixelIndex(x: d.x, y: d.y)
            #expect(back.x == px && back.y == py)
        }
        // The data corners map to the frame corners; y grows upward.
        let topLeft = layout.pixel(x: layout.xRange.lowerBound, y: layout.yRange.upperBound)
        #expect(abs(topLeft.x - Double(frame.x)) < 1e-9 && abs(topLeft.y - Double(frame.y)) < 1e-9)
        let bottomRight = layout.pixel(x: layout.xRange.upperBound, y: layout.yRange.lowerBound)
        #expect(abs(bottomRight.x - Double(frame.x + frame.width)) < 1e-9 && abs(bottomRight.y - Double(frame.y + frame.height)) < 1e-9)
    }

    @Test func legendAvoidsThePoints() throws {
        // A cloud in the top-right quarter: the legend must go elsewhere.
        var points = [Float]()
        var labels = [Int32]()
        for i in 0..<400 {
            points += [Float(0.5 + 0.5 * Double(i % 20) / 19), Float(0.5 + 0.5 * Double(i / 20) / 19)]
            labels.append(Int32(i % 2))
        }
        points += [0, 0]
        labels.append(0)
        let plot = try ScatterPlot(points: points, labels: labels)
        let layout = try plot.layout(width: 800, height: 800)
        let legend = try #require(layout.legendFrame)
        var covered = 0
        for i in 0..<(points.count / 2) {
            let p = layout.pixelIndex(x: Double(points[2 * i]), y: Double(points[2 * i + 1]))
            if legend.contains(x: p.x, y: p.y) { covered += 1 }
        }
        #expect(covered == 0, "legend \(legend) covers \(covered) points")
    }

    @Test func manyClassesShortenTheLegend() throws {
        let k = 200
        let plot = try ScatterPlot(points: (0..<(2 * k)).map { Float($0 % 17) }, labels: (0..<Int32(k)).map { $0 })
        let layout = try plot.layout(width: 800, height: 800)
        let legend = try #require(layout.legendFrame)
        #expect(legend.height < layout.plotFrame.height)
        _ = try plot.render(width: 800, height: 800)
    }

    @Test func tooSmallOrHugeImagesThrow() throws {
        let plot = try Self.spiralPlot()
        #expect(throws: PlotError.self) { try plot.layout(width: 60, height: 60) }
        #expect(throws: PlotError.self) { try plot.layout(width: 0, height: 800) }
        #expect(throws: PlotError.self) { try plot.render(width: 100_000, height: 800) }
        var untitled = plot
        untitled.title = ""
        untitled.xLabel = ""
        untitled.yLabel = ""
        _ = try untitled.render(width: 120, height: 120)
    }
}
