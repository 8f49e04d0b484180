/// A grid of predicted classes over a rectangle of the data plane, for ``ScatterPlot`` to tint
/// behind the points (a trained model's decision regions).
///
/// Cell (`column`, `row`) covers
/// `x ∈ xRange.lowerBound + [column, column + 1) · Δx`, `y ∈ yRange.lowerBound + [row, row + 1) · Δy`
/// with `Δx = (xRange.upperBound − xRange.lowerBound) / columns` (likewise Δy): row 0 is the
/// *lowest* y, as in a mathematical plot. Its class is `grid[row * columns + column]`; a
/// negative class leaves the cell untinted.
///
/// ```swift
/// let bounds = plot.dataBounds()
/// let centres = DecisionRegions.cellCenters(columns: 200, rows: 200, xRange: bounds.x, yRange: bounds.y)
/// let predicted: [Int32] = model.predict(centres)           // 200 × 200 classes
/// plot.regions = try DecisionRegions(grid: predicted, columns: 200, rows: 200,
///                                    xRange: bounds.x, yRange: bounds.y)
/// ```
struct DecisionRegions: Sendable, Equatable {
    /// `columns * rows` classes, row-major, row 0 at the lowest y.
    let grid: [Int32]
    /// Cells across.
    let columns: Int
    /// Cells up.
    let rows: Int
    /// The x extent of the grid.
    let xRange: ClosedRange<Double>
    /// The y extent of the grid.
    let yRange: ClosedRange<Double>

    /// Checks and stores a grid.
    ///
    /// - Throws: ``PlotError/invalidData(_:)`` when `columns` or `rows` is below 1, the grid
    ///   does not hold `columns * rows` values, or a range is not finite with positive width.
    init(grid: [Int32], columns: Int, rows: Int, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) throws {
        guard columns >= 1, rows >= 1 else {
            throw PlotError.invalidData("a region grid of \(columns) × \(rows) cells is empty; expected at least 1 × 1")
        }
        guard grid.count == columns * rows else {
            throw PlotError.invalidData("a region grid of \(columns) × \(rows) cells needs \(columns * rows) classes, got \(grid.count)")
        }
        for (name, range) in [("x", xRange), ("y", yRange)] {
            guard range.lowerBound.isFinite, range.upperBound.isFinite, range.upperBound > range.lowerBound else {
                throw PlotError.invalidData("the region grid's \(name) range \(range) is unusable; expected finite bounds with lower < upper")
            }
        }
        self.grid = grid
        self.columns = columns
        self.rows = rows
        self.xRange = xRange
        self.yRange = yRange
    }

    /// The class of the cell containing (`x`, `y`), or `nil` outside the grid or for a
    /// negative class.
    func classAt(x: Double, y: Double) -> Int32? {
        guard let column = DecisionRegions.cell(x, xRange, columns), let row = DecisionRegions.cell(y, yRange, rows) else { return nil }
        let value = grid[row * columns + column]
        return value >= 0 ? value : nil
    }

    /// Index of the cell holding `value` along one axis, `nil` outside.
    @inline(__always)
    static func cell(_ value: Double, _ range: ClosedRange<Double>, _ count: Int) -> Int? {
        let f = (value - range.lowerBound) / (range.upperBound - range.lowerBound) * Double(count)
        guard f >= 0, f < Double(count) else { return f == Double(count) ? count - 1 : nil }
        return Int(f)
    }

    /// The centres of the cells of a grid, as `[columns * rows, 2]` row-major `(x, y)` pairs in
    /// the grid's order: the points to classify for ``init(grid:columns:rows:xRange:yRange:)``.
    ///
    /// - Complexity: O(columns × rows).
    static func cellCenters(columns: Int, rows: Int, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) -> [Float] {
        let c = max(columns, 0), r = max(rows, 0)
        let dx = (xRange.upperBound - xRange.lowerBound) / Double(max(c, 1))
        let dy = (yRange.upperBound - yRange.lowerBound) / Double(max(r, 1))
        var out = [Float]()
        out.reserveCapacity(c * r * 2)
        for row in 0..<r {
            let y = Float(yRange.lowerBound + (Double(row) + 0.5) * dy)
            for column in 0..<c {
                out.append(Float(xRange.lowerBound + (Double(column) + 0.5) * dx))
                out.append(y)
            }
        }
        return out
    }
}
