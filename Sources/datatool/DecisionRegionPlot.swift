import Datasets
import Training

/// The decision regions of a trained model over its data points (seed 003's Fig. 10).
enum DecisionRegionPlot {
    /// Evaluates the model on a grid over the plot's data rectangle (with the trainer's prior
    /// correction) and draws the regions behind the points.
    static func write<Model: Classifier>(trainer: Trainer<Model>, data: LabelledDataset, to path: String, title: String, cells: Int = 200) throws {
        var plot = try ScatterPlot(dataset: data, title: title)
        let bounds = plot.dataBounds()
        let centers = DecisionRegions.cellCenters(columns: cells, rows: cells, xRange: bounds.x, yRange: bounds.y)
        let grid = try trainer.predict(features: centers, rows: cells * cells)
        plot.regions = try DecisionRegions(grid: grid, columns: cells, rows: cells, xRange: bounds.x, yRange: bounds.y)
        try plot.render(width: 800, height: 800).write(to: path)
    }
}
