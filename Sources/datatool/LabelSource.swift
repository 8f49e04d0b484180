import Datasets

/// Labels of a labelled HDF5 file, checked against its features without reading them.
enum LabelSource {
    /// Reads the labels and checks that the features dataset exists, is numeric of rank 1 or
    /// 2, and has one row per label.
    static func load(_ options: DataFileOptions) throws -> (labels: [Int32], classCount: Int) {
        try FileProbe.check(options.file, scope: .data(features: options.features, labels: options.labels))
        let file = try HDF5File(path: options.file)
        let shape = try file.featureShape(at: options.features)
        let loaded = try loadLabels(path: options.file, labelsPath: options.labels, classCount: options.classes)
        guard shape.rowCount == loaded.labels.count else {
            throw HDF5Error.rowCountMismatch(
                file: options.file, features: options.features, featureRows: shape.rowCount,
                labels: options.labels, labelRows: loaded.labels.count)
        }
        return loaded
    }
}
