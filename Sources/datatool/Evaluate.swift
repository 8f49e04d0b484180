import ArgumentParser
import Datasets
import Foundation
import Training

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a model saved by `train --save` on a labelled data file.",
        discussion: """
            Predicts every row of DATA as `predict` does (the same prior correction; in memory \
            or with --stream from the file) and compares with its labels, which must lie in \
            the model's classes 0..<K. Prints what `train` prints for its held-out data: \
            accuracy, balanced accuracy and macro-F1, the per-class recall, precision and F1, \
            and the confusion matrix; --json prints one object whose "test" member is the \
            "test" object of `train --json`. Evaluating the model `train --save` wrote on the \
            file given to `train --test` gives train's figures exactly.

            EXAMPLES:
              datatool train train.h5 --test test.h5 --save model.h5
              datatool evaluate model.h5 test.h5
              datatool evaluate model.h5 test.h5 --json
              datatool evaluate model.h5 big.h5 --stream --prior-correction 1
            """)

    @OptionGroup var options: ModelDataOptions

    @Option(help: "Path of the labels dataset inside the data file.")
    var labels: String = "/labels"

    @Flag(help: "Print one JSON object (with train --json's \"test\" object) instead of tables.")
    var json = false

    func run() throws {
        try options.productThreads.configure()
        let (model, provenance) = try options.loadModel()
        let k = model.outputs
        try FileProbe.check(options.data, scope: .data(features: options.features, labels: labels))
        let data: LabelledSource
        do {
            data = try openLabelledFile(
                path: options.data, featuresPath: options.features, labelsPath: labels, classCount: k,
                allowNonfinite: options.allowNonfinite, reading: options.reading)
        } catch DatasetError.labelOutOfRange(let row, let label, _, _) {
            throw ModelFileError(description: "\(options.data): label \(label) at row \(row) of '\(labels)' is outside the classes of \(options.model), which predicts \(k) classes; expected labels in 0..<\(k)")
        }
        try options.checkFit(model, dimension: data.dimension)
        let predictor = try options.predictor(model, provenance: provenance)
        let metrics = try predictor.evaluate(data, labels: data.labels.values)
        let tau = predictor.priorCorrection
        if json {
            print(JSON.object([
                ("model", .string(options.model)),
                ("file", .string(options.data)),
                ("classes", .int(k)),
                ("test_counts", .array(data.labels.counts.map { .int($0) })),
                ("prior_correction", .double(tau)),
                ("streamed", .bool(options.stream)),
                ("product_threads", JSONReport.productThreads),
                ("test", JSONReport.metrics(metrics)),
            ]).text)
            return
        }
        print("\(options.data): \(data.rowCount) samples (\(data.labels.counts.map(String.init).joined(separator: "/"))) evaluated \(options.how(classes: k, tau: tau))")
        print("")
        print(SummaryTables.heldOut(metrics).joined(separator: "\n"))
    }
}
