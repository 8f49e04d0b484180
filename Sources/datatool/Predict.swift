import ArgumentParser
import Datasets
import Foundation
import Training

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict the classes of a data file with a model saved by `train --save`.",
        discussion: """
            Reads the model (checked against the data: its D must be the data's features per \
            row), then the rows of DATA's features dataset (labels are not needed), \
            \(Predictor<MLP>.blockRows) rows at a time, in memory or with --stream from the \
            file; the predictions are the same either way.

            --output FILE writes an HDF5 file (atomically; an existing one needs --force): \
            /classes int64 [N], /logits float32 [N, K] and /probabilities float32 [N, K]. The \
            logits are the ones the classes come from, after the prior correction: the model's \
            logits plus τ·log π_c (just the model's with τ = 0); the probabilities are their \
            softmax and /classes their argmax. Root attributes: model, data, features, K, \
            prior_correction (τ), priors (π) and class_names when the model has them. h5py reads \
            it as f["classes"][...].

            On stdout: how many rows were predicted as each class (a table, or --json).

            EXAMPLES:
              datatool train train.h5 --save model.h5
              datatool predict model.h5 test.h5 --output predictions.h5
              datatool predict model.h5 test.h5 --json
              datatool predict model.h5 big.h5 --stream --output big-predictions.h5
              datatool predict model.h5 new.h5 --features /data/x --json
              datatool predict model.h5 test.h5 --prior-correction -1 --output balanced.h5
            """)

    @OptionGroup var options: ModelDataOptions

    @Option(help: "Write /classes, /logits and /probabilities to this HDF5 file.")
    var output: String?

    @Flag(help: "Print one JSON object (the counts per class, the settings) instead of a table.")
    var json = false

    @Flag(help: "Overwrite an existing --output file.")
    var force = false

    func run() throws {
        try checkOutputs([output], force: force)
        if let output {
            for input in [options.model, options.data] where sameFile(output, input) {
                throw ValidationError("--output \(output) is the input file \(input); expected another file")
            }
        }
        try options.productThreads.configure()
        let (model, provenance) = try options.loadModel()
        try FileProbe.check(options.data, scope: .data(features: options.features, labels: nil))
        let rows = try openFeatureFile(
            path: options.data, featuresPath: options.features, allowNonfinite: options.allowNonfinite,
            reading: options.reading)
        try options.checkFit(model, dimension: rows.dimension)
        let predictor = try options.predictor(model, provenance: provenance)
        let k = model.outputs
        let tau = predictor.priorCorrection

        let writer = try output.map { path in
            var attributes: [String: HDF5AttributeValue] = [
                "model": .string(options.model), "data": .string(options.data), "features": .string(rows.origin.features ?? options.features),
                "K": .int(k), "prior_correction": .double(tau), "priors": .doubleArray(provenance.priors),
            ]
            if let names = provenance.classNames { attributes["class_names"] = .string(names.joined(separator: "\n")) }
            return try HDF5RowWriter(
                path: path, rowCount: rows.rowCount,
                datasets: [
                    HDF5RowDataset(name: "classes", columns: nil, element: .int64),
                    HDF5RowDataset(name: "logits", columns: k, element: .float32),
                    HDF5RowDataset(name: "probabilities", columns: k, element: .float32),
                ],
                attributes: attributes, overwrite: force)
        }
        var counts = [Int](repeating: 0, count: k)
        var classes = [Int64]()
        try predictor.forEachBlock(of: rows) { block in
            for c in block.classes { counts[c] += 1 }
            guard let writer else { return }
            classes.removeAll(keepingCapacity: true)
            classes.append(contentsOf: block.classes.lazy.map { Int64($0) })
            try classes.withUnsafeBufferPointer { try writer.write($0, to: "classes", rows: block.rows) }
            try block.logits.storage.withUnsafeBufferPointer { try writer.write($0, to: "logits", rows: block.rows) }
            try block.probabilities.storage.withUnsafeBufferPointer { try writer.write($0, to: "probabilities", rows: block.rows) }
        }
        try writer?.commit()

        let n = rows.rowCount
        if json {
            print(JSON.object([
                ("model", .string(options.model)),
                ("data", .string(options.data)),
                ("rows", .int(n)),
                ("classes", .int(k)),
                ("class_names", provenance.classNames.map { .array($0.map { .string($0) }) } ?? .null),
                ("prior_correction", .double(tau)),
                ("streamed", .bool(options.stream)),
                ("product_threads", JSONReport.productThreads),
                ("predicted_counts", .array(counts.map { .int($0) })),
                ("output", output.map { .string($0) } ?? .null),
            ]).text)
            return
        }
        print("\(options.data): \(n) rows predicted \(options.how(classes: k, tau: tau))")
        print("")
        var table = [["class", "predicted", "share"]]
        for c in 0..<k {
            let name = provenance.classNames.flatMap { c < $0.count ? " (\($0[c]))" : nil } ?? ""
            table.append(["\(c)\(name)", String(counts[c]), SummaryTables.percent(Double(counts[c]) / Double(n))])
        }
        print(TextTable.render(table).joined(separator: "\n"))
        if let output { print("\npredictions: \(output) (/classes, /logits, /probabilities)") }
    }
}
