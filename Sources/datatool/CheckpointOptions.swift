#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Datasets
import Training

/// `train`'s checkpoint flags: where checkpoints go, how often, and which one to resume.
struct CheckpointOptions: ParsableArguments {
    @Option(help: "Write a checkpoint to this HDF5 file every --checkpoint-every epochs and after the last, atomically (the previous one stays whole until the new one is complete): the model, the optimizer state, the learning-rate schedule, the stream position and what a resume must match. An existing file needs --force, unless it is the --resume file.")
    var checkpoint: String?

    @Option(parsing: .unconditional, help: "Epochs between checkpoints, at least 1 (default 1; needs --checkpoint).")
    var checkpointEvery: Int?

    @Option(help: "Continue the run that wrote this --checkpoint file, with the same data and settings: the final weights are bit for bit those of an uninterrupted run. The report lists the epochs trained after the checkpoint.")
    var resume: String?

    func validate() throws {
        if let checkpointEvery {
            guard checkpoint != nil else {
                throw ValidationError("--checkpoint-every needs --checkpoint FILE, the file to write the checkpoints to")
            }
            guard checkpointEvery >= 1 else {
                throw ValidationError("--checkpoint-every must be at least 1 epoch, got \(checkpointEvery)")
            }
        }
    }

    /// Refuses an existing `--checkpoint` file without `--force`, unless it is the `--resume`
    /// file (which the run is meant to replace), and a target that cannot be written.
    func checkTarget(force: Bool) throws {
        guard let checkpoint else { return }
        try checkOutputs([checkpoint], force: force || resume.map { sameFile(checkpoint, $0) } == true)
    }

    /// The `--resume` checkpoint, read after probing the file in a child process (libhdf5 can
    /// crash on damaged files) and checking its format before reading any tensor.
    ///
    /// - Throws: The HDF5 errors of a missing, damaged or non-HDF5 file;
    ///   ``CheckpointFileError`` for an HDF5 file that is not a whole checkpoint.
    func loadResume() throws -> TrainingCheckpoint? {
        guard let resume else { return nil }
        try FileProbe.check(resume, scope: .listing)
        return try Self.naming(resume) {
            try TrainingCheckpoint(archive: readTensorArchive(from: resume, checkingAttributes: TrainingCheckpoint.checkFormat))
        }
    }

    /// What `train` hands the trainer: write each checkpoint atomically over `--checkpoint`.
    func policy() throws -> CheckpointPolicy? {
        guard let checkpoint else { return nil }
        return try CheckpointPolicy(every: checkpointEvery ?? 1) { state in
            try writeTensorArchive(state.archive, to: checkpoint, overwrite: true)
        }
    }

    /// Runs `body`, naming the `--resume` file in the checkpoint errors it throws.
    func namingResumeFile<T>(_ body: () throws -> T) throws -> T {
        guard let resume else { return try body() }
        return try Self.naming(resume, body)
    }

    private static func naming<T>(_ file: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CheckpointError {
            throw CheckpointFileError(file: file, error: error)
        }
    }
}

/// A checkpoint file that cannot be resumed, in the command line's words: the file, then what
/// is wrong, with the flag to look at when a setting differs.
struct CheckpointFileError: Error, CustomStringConvertible {
    var file: String
    var error: CheckpointError

    /// The flag that sets each field of the fingerprint.
    static func flag(for field: FingerprintMismatch.Field) -> String {
        switch field {
        case .schedule: return "--schedule"
        case .learningRate: return "--lr"
        case .batchSize: return "--batch-size"
        case .seed: return "--seed"
        case .shard: return "--rank/--world-size"
        case .loss: return "--loss"
        case .classWeights: return "--class-weights"
        case .optimizer: return "--optimizer"
        case .model: return "the model"
        case .classes, .features, .rows, .classCounts, .labels: return field.rawValue
        }
    }

    var description: String {
        guard case .mismatch(let differences) = error else { return "--resume \(file): \(error)" }
        let text = differences.map { $0.describe(naming: Self.flag(for: $0.field)) }.joined(separator: "; ")
        return "--resume \(file) is a checkpoint of another run: \(text)"
    }
}
