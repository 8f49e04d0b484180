import Datasets

/// Labels of a labelled HDF5 file, checked against its features without reading them.
enum LabelSource {
    /// Reads the labels and checks that the features dataset exists, is numeric of rank 1 or
    /// 2, and has one row per label. Memory: the labels as `Int32` (plus one read block).
    static func load(_ options: DataFileOptions) throws -> (labels: [Int32], classCount: Int) {
        try checkFeatures(options)
        return try loadLabels(path: options.file, labelsPath: options.labels, classCount: options.classes)
    }

    /// Counts the samples of each class, streaming the labels: memory O(K) whatever N is.
    static func counts(_ options: DataFileOptions) throws -> [Int] {
        try checkFeatures(options)
        return try countLabels(path: options.file, labelsPath: options.labels, classCount: options.classes)
    }

    private static func checkFeatures(_ options: DataFileOptions) throws {
        try FileProbe.check(options.file, scope: .data(features: options.features, labels: options.labels))
        _ = try checkLabelledShapes(HDF5File(path: options.file), featuresPath: options.features, labelsPath: options.labels)
    }
}
