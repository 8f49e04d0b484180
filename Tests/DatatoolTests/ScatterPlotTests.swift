import Testing
import Datasets
@testable import datatool

@Suite struct ScatterPlotTests {
    @Test func badDataThrows() throws {
        #expect(throws: PlotError.self) { try ScatterPlot(points: [0, 0, 1], labels: [0, 1]) }
        #expect(throws: PlotError.self) { try ScatterPlot(points: [0, 0, 1, 1], labels: [0, 3], classCount: 3) }
        #expect(throws: PlotError.self) { try ScatterPlot(points: [0, 0], labels: [-1]) }
        #expect(throws: PlotError.self) { try ScatterPlot(points: [], labels: [], classCount: 0) }
        let threeFeatures = try LabelledDataset(features: [1, 2, 3], dimension: 3, labels: [0])
        #expect(throws: PlotError.self) { try ScatterPlot(dataset: threeFeatures) }
        do {
            _ = try ScatterPlot(points: [0, 0, 1, 1], labels: [0, 7], classCount: 3)
        } catch {
            #expect("\(error)" == "label 7 at row 1 is out of range; expected labels in 0..<3")
        }
    }

    @Test func countsAndLegendLabels() throws {
        let data = try SpiralSpecification(counts: [1000, 100, 10], noise: 0.2, seed: 1).generate()
        var plot = try ScatterPlot(dataset: data, title: "spiral")
        #expect(plot.classCount == 3 && plot.classCounts == [1000, 100, 10])
        #expect(plot.legendLabel(forClass: 0) == "class 0 (n=1000)")
        #expect(plot.legendLabel(forClass: 2) == "class 2 (n=10)")
        plot.classNames = ["flu", "cold"]
        #expect(plot.legendLabel(forClass: 1) == "cold (n=100)")
        #expect(plot.legendLabel(forClass: 2) == "class 2 (n=10)")
        let inferred = try ScatterPlot(points: [0, 0, 1, 1], labels: [0, 4])
        #expect(inferred.classCount == 5 && inferred.classCounts == [1, 0, 0, 0, 1])
    }

    @Test func paletteColoursAreDistinct() {
        #expect(ScatterPlot.palette.count >= 10)
        #expect(Set(ScatterPlot.palette).count == ScatterPlot.palette.count)
        let colours = (0..<40).map { ScatterPlot.color(forClass: $0) }
        #expect(Set(colours).count == 40)
        for c in 0..<12 {
            let colour = ScatterPlot.color(forClass: c), tint = ScatterPlot.regionTint(forClass: c)
            #expect(tint.luminance > colour.luminance && tint.luminance > 180, "class \(c) tint is not light")
        }
        #expect(Set((0..<10).map { ScatterPlot.regionTint(forClass: $0) }).count == 10)
    }

    @Test func boundsHoldEveryFinitePoint() throws {
        let points: [Float] = [-2, 1, 3, 0.5, .nan, 100, 0, .infinity, 1, -1]
        var plot = try ScatterPlot(points: points, labels: [0, 1, 0, 1, 0])
        plot.equalAspect = false
        let loose = plot.dataBounds()
        #expect(abs(loose.x.lowerBound - (-2 - 0.25)) < 1e-9 && abs(loose.x.upperBound - (3 + 0.25)) < 1e-9)
        #expect(abs(loose.y.lowerBound - (-1 - 0.1)) < 1e-9 && abs(loose.y.upperBound - (1 + 0.1)) < 1e-9)
        plot.equalAspect = true
        let square = plot.dataBounds()
        #expect(abs((square.x.upperBound - square.x.lowerBound) - (square.y.upperBound - square.y.lowerBound)) < 1e-9)
        #expect(square.y.lowerBound < -1 && square.y.upperBound > 1)
        plot.regions = try DecisionRegions(grid: [0], columns: 1, rows: 1, xRange: -10 ... 0, yRange: 0 ... 1)
        #expect(plot.dataBounds().x.lowerBound <= -10)
        let empty = try ScatterPlot(points: [.nan, 1], labels: [0])
        #expect(empty.dataBounds().x == -1 ... 1 && empty.dataBounds().y == -1 ... 1)
    }
}
