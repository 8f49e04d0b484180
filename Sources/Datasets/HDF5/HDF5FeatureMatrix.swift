/// Feature rows read from an HDF5 dataset: `rowCount × dimension` `Float` values, row-major.
struct HDF5FeatureMatrix: Sendable, Equatable {
    /// The number of rows read.
    let rowCount: Int
    /// D, the number of values per row (1 for a one-dimensional dataset).
    let dimension: Int
    /// Row-major values, `rowCount * dimension` of them.
    let values: [Float]

    /// Creates a matrix; `values.count` must be `rowCount * dimension`.
    init(rowCount: Int, dimension: Int, values: [Float]) {
        precondition(values.count == rowCount * dimension, "values do not fill \(rowCount) × \(dimension)")
        self.rowCount = rowCount
        self.dimension = dimension
        self.values = values
    }

    /// The values of row `index` (a copy).
    func row(_ index: Int) -> ArraySlice<Float> {
        values[(index * dimension)..<((index + 1) * dimension)]
    }
}
