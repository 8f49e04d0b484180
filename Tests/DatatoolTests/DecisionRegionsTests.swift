import Testing
@testable import datatool

@Suite struct DecisionRegionsTests {
    @Test func invalidGridsThrow() {
        #expect(throws: PlotError.self) { try DecisionRegions(grid: [], columns: 0, rows: 1, xRange: 0 ... 1, yRange: 0 ... 1) }
        #expect(throws: PlotError.self) { try DecisionRegions(grid: [0, 1, 2], columns: 2, rows: 2, xRange: 0 ... 1, yRange: 0 ... 1) }
        #expect(throws: PlotError.self) { try DecisionRegions(grid: [0], columns: 1, rows: 1, xRange: 1 ... 1, yRange: 0 ... 1) }
        #expect(throws: PlotError.self) { try DecisionRegions(grid: [0], columns: 1, rows: 1, xRange: 0 ... 1, yRange: 0 ... .infinity) }
        do {
            _ = try DecisionRegions(grid: [0, 1, 2], columns: 2, rows: 2, xRange: 0 ... 1, yRange: 0 ... 1)
        } catch {
            #expect("\(error)".contains("needs 4 classes, got 3"))
        }
    }

    @Test func cellCentresAreRowMajorFromTheBottomLeft() throws {
        let columns = 4, rows = 3
        let xRange = -2.0 ... 2.0, yRange = 0.0 ... 3.0
        let centres = DecisionRegions.cellCenters(columns: columns, rows: rows, xRange: xRange, yRange: yRange)
        #expect(centres.count == columns * rows * 2)
        #expect(centres[0] == -1.5 && centres[1] == 0.5)          // cell (0, 0): lowest x, lowest y
        #expect(centres[2] == -0.5 && centres[3] == 0.5)          // x runs fastest
        #expect(centres[2 * columns + 1] == 1.5)                  // row 1
        // Each centre falls in its own cell.
        let grid = (0..<Int32(columns * rows)).map { $0 }
        let regions = try DecisionRegions(grid: grid, columns: columns, rows: rows, xRange: xRange, yRange: yRange)
        for k in 0..<(columns * rows) {
            #expect(regions.classAt(x: Double(centres[2 * k]), y: Double(centres[2 * k + 1])) == Int32(k))
        }
    }

    @Test func lookupsOutsideOrNegativeGiveNil() throws {
        let regions = try DecisionRegions(grid: [0, -1, 2, 1], columns: 2, rows: 2, xRange: 0 ... 2, yRange: 0 ... 2)
        #expect(regions.classAt(x: 1.5, y: 0.5) == nil)       // negative class
        #expect(regions.classAt(x: -0.1, y: 0.5) == nil)
        #expect(regions.classAt(x: 0.5, y: 2.1) == nil)
        #expect(regions.classAt(x: 2, y: 2) == 1)              // the upper edge belongs to the last cell
        #expect(regions.classAt(x: 0, y: 1.5) == 2)
        #expect(regions.classAt(x: .nan, y: 1) == nil)
    }
}
