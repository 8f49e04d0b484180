import ArgumentParser
import Datasets
import Foundation
import Training

/// A model file or a data file that `predict` and `evaluate` cannot use together; the text
/// names the files and what was expected.
struct ModelFileError: Error, CustomStringConvertible {
    var description: String
}

/// The arguments `predict` and `evaluate` share: a saved model, the data, how to read it and
/// the prior correction.
struct ModelDataOptions: ParsableArguments {
    @Argument(help: "A model saved by `datatool train --save` (HDF5).")
    var model: String

    @Argument(help: "An HDF5 file with a features dataset [N, D], D the model's inputs.")
    var data: String

    @Option(help: "Path of the features dataset inside the data file.")
    var features: String = "/features"

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "τ, any finite number: classes, logits and probabilities come from logits + τ·log π_c, π the training class frequencies stored in the model. τ > 0 puts the training priors in (1 undoes balanced sampling's uniform prior); τ < 0 takes them out of a model trained at the real frequencies (−1 for balanced predictions); 0 is the plain model. Default: the τ the model was trained with (`train --prior-correction`, recorded in the file), else 0.",
        valueName: "τ"))
    var priorCorrection: Double?

    @Flag(help: "Read the rows from the file block by block instead of loading them (for data larger than memory); the predictions are the same.")
    var stream = false

    @Option(name: .customLong("cache-mb"), parsing: .unconditional, help: "With --stream: memory for decoded chunks kept between reads, in MiB.")
    var cacheMegabytes: Int = 64

    @Flag(help: "Accept NaN and infinite feature values instead of refusing the file.")
    var allowNonfinite = false

    @OptionGroup var productThreads: ProductThreadsOptions

    func validate() throws {
        if let priorCorrection, !priorCorrection.isFinite {
            throw ValidationError("--prior-correction must be a finite number, got \(priorCorrection)")
        }
        guard cacheMegabytes >= 0 else { throw ValidationError("--cache-mb must be 0 or more, got \(cacheMegabytes)") }
    }

    /// How the data file's rows are read.
    var reading: FeatureReading { stream ? .stream(chunkCacheBudget: cacheMegabytes << 20) : .memory }

    /// The model file, probed in a child process and read: its attributes are checked before
    /// any tensor is read, so a file that is not a model (a features file, say) is refused
    /// without reading its datasets.
    ///
    /// - Throws: ``ModelFileError`` naming the file and what is wrong with it; ``HDF5Error``
    ///   for a file that is missing, not HDF5 or damaged.
    func loadModel() throws -> (model: MLP, provenance: ModelProvenance) {
        try FileProbe.check(model, scope: .listing)
        do {
            return try MLP.load(from: readTensorArchive(from: model, checkingAttributes: MLP.checkArchiveFormat))
        } catch let error as ModelArchiveError {
            throw ModelFileError(description: "\(model): \(error)")
        }
    }

    /// Throws ``ModelFileError`` unless `model` takes rows of `dimension` features.
    func checkFit(_ model: MLP, dimension: Int) throws {
        do {
            try model.checkFit(inputs: dimension)
        } catch let error as ModelArchiveError {
            throw ModelFileError(description: "\(self.model) does not fit \(data) (dataset \(features)): \(error)")
        }
    }

    /// The predictor for `model` with `--prior-correction`, or the τ the model records.
    func predictor(_ model: MLP, provenance: ModelProvenance) throws -> Predictor<MLP> {
        do {
            return try Predictor(model: model, priors: provenance.priors, priorCorrection: tau(provenance))
        } catch let error as TrainingError {
            throw ModelFileError(description: "\(self.model): \(error)")
        }
    }

    /// τ: `--prior-correction`, else the model's own, else 0.
    func tau(_ provenance: ModelProvenance) -> Double {
        priorCorrection ?? provenance.priorCorrection ?? 0
    }

    /// How the rows were predicted, for the headline of `predict` and `evaluate`: "with MODEL
    /// (K = …, prior correction τ = …)", and whether they were streamed from the file.
    func how(classes k: Int, tau: Double) -> String {
        "with \(model) (K = \(k), prior correction τ = \(tau))\(stream ? ", streamed from the file" : "")"
    }
}
