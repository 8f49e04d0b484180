import ArgumentParser
import Datasets
import Foundation
import Sampling
import Training

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an MLP on balanced batches, fine-tune at the real class frequencies, report per-class results.",
        discussion: """
            The five steps of the course notes (forward, loss, zero grad, backward, step) over \
            the batch stream: --epochs of the main phase (--sampler balanced: every batch holds \
            ⌊B/K⌋ or ⌈B/K⌉ samples of each class, drawn from per-class circular buffers; sqrt, \
            power:Q, instance, progressive, repeat:T: other class shares; natural: real \
            frequencies; weighted: with replacement, inverse-frequency weights, like PyTorch's \
            WeightedRandomSampler), then --finetune-epochs at the real class frequencies (the \
            output layer only, or --finetune-layer all) so the model learns the priors back. \
            --prior-correction τ is the alternative to fine-tuning: predict with \
            logits + τ·log π_y, π the training class frequencies.

            After each epoch: training loss and accuracy; on the held-out data (--test FILE or \
            a stratified --test-split) loss, accuracy, balanced accuracy and macro-F1. At the \
            end: per-class recall, precision and F1 and the confusion matrix. A progress bar \
            on a terminal, plain lines otherwise (both on stderr); --json prints one JSON object \
            on stdout instead of the tables. --plot draws the decision regions over the data.

            --stream reads the training rows from the file as batches need them. --order \
            chunked then visits each class's rows chunk by chunk in a shuffled chunk order \
            (shuffled within windows of a few chunks), so each chunk is decoded about once per \
            pass instead of once per window of batches; --cache-mb is the memory for decoded \
            features, of which --pin-mb (default half) holds the smallest classes whole.

            EXAMPLES:
              datatool train spirals.h5 --hidden 100 --epochs 30
              datatool train train.h5 --test test.h5 --finetune-epochs 2 --plot regions.png
              datatool train train.h5 --test test.h5 --sampler natural --json
              datatool train train.h5 --hidden 0          # a linear model
              datatool train train.h5 --save model.h5     # h5py / PyTorch load it (Guides/Training.md)
              datatool train data.h5 --hidden 64 --hidden 64 --activation gelu --optimizer adamw --lr 0.003
              datatool train big.h5 --stream --order chunked --cache-mb 256   # larger than memory, chunk by chunk
              datatool train embeddings.h5 --hidden 1024 --threads 2   # large products on both cores
              datatool train train.h5 --checkpoint run.ckpt --checkpoint-every 5
              datatool train train.h5 --checkpoint run.ckpt --resume run.ckpt  # go on after a crash
            """)

    @OptionGroup var options: TrainOptions

    @OptionGroup var lossAndSchedule: LossScheduleOptions

    @Option(help: "How the main phase samples: balanced, sqrt, power:Q, instance, progressive, repeat:T, natural or weighted.")
    var sampler: SamplingPolicy = .balanced

    @Option(help: ArgumentHelp("The phases, comma separated: POLICY:EPOCHS, each optionally followed by /head (output layer only), /reinit (re-initialise the output layer first; implies /head), /lr=X or /lr=×F and /lr-schedule=SPEC. Replaces --sampler, --epochs, --lr-schedule and the fine-tune flags. Examples: balanced:30,natural:2/head/lr=0.001 (balanced, then fine-tune the head at real frequency); natural:20,balanced:5/reinit/lr=0.01 (cRT); progressive:30.", valueName: "schedule"), transform: { try TrainingPhase.list(parsing: $0) })
    var schedule: [TrainingPhase]?

    @Option(parsing: .unconditional, help: "Real-frequency fine-tune epochs after the main phase.")
    var finetuneEpochs: Int = 0

    @Option(help: "What fine-tuning updates: output (the last layer) or all.")
    var finetuneLayer: FinetuneLayers = .output

    @Option(parsing: .unconditional, help: "τ, any finite number: predict with logits + τ·log π_y (post-hoc prior correction). τ > 0 puts the training priors in (1 undoes balanced sampling's prior); τ < 0 takes them out of a model trained at the real frequencies (−1 for balanced predictions).")
    var priorCorrection: Double?

    @OptionGroup var shard: ShardOptions

    @Flag(help: "Print one JSON object with the per-epoch and final figures instead of tables.")
    var json = false

    @Option(help: "Draw the decision regions over the training points into this PNG file (2-feature data).")
    var plot: String?

    @Option(help: "Save the trained model to this HDF5 file: one float32 dataset per tensor, named as PyTorch's state_dict of the equivalent nn.Sequential (0.weight [H, D], 0.bias, 2.weight, …), with the architecture, priors, schedule and seed as attributes.")
    var save: String?

    @OptionGroup var checkpointing: CheckpointOptions

    @Flag(help: "Overwrite an existing --plot, --save or --checkpoint file.")
    var force = false

    func validate() throws {
        guard finetuneEpochs >= 0 else { throw ValidationError("--finetune-epochs must be 0 or more, got \(finetuneEpochs)") }
        if schedule != nil {
            guard finetuneEpochs == 0, sampler == .balanced, finetuneLayer == .output,
                  lossAndSchedule.learningRateSchedule == .constant,
                  lossAndSchedule.finetuneLearningRate == nil else {
                throw ValidationError("--schedule gives every phase (rates and schedules as /lr=… and /lr-schedule=…); drop --sampler, --finetune-epochs, --finetune-layer, --lr-schedule and --finetune-lr (or --schedule)")
            }
        }
        if let priorCorrection, !priorCorrection.isFinite {
            throw ValidationError("--prior-correction must be a finite number, got \(priorCorrection)")
        }
    }

    func run() throws {
        let shard = try self.shard.resolve()
        try checkOutputs([plot, save], force: force)
        try checkpointing.checkTarget(force: force)
        let resume = try checkpointing.loadResume()
        try options.productThreads.configure()
        let data = try options.loadData()
        var configuration = options.configuration(classCount: data.classCount)
        lossAndSchedule.apply(to: &configuration)
        configuration.sampler = sampler
        configuration.finetuneEpochs = finetuneEpochs
        configuration.finetuneLayers = finetuneLayer
        configuration.priorCorrection = priorCorrection
        if let schedule { configuration.phases = schedule }
        if plot != nil && data.dimension != 2 {
            throw ValidationError("--plot draws decision regions in the plane; \(options.data.file) has \(data.dimension) features per row, expected 2")
        }
        if plot != nil && !data.training.isInMemory {
            throw ValidationError("--plot draws the training points, which --stream does not load; drop one of them")
        }
        let run = try TrainingRun(configuration: configuration, data: data, lookahead: options.stream ? options.lookahead : 1, shard: shard)
        let progress = ProgressReporter(enabled: true, totalEpochs: configuration.resolvedPhases.reduce(0) { $0 + $1.epochs })
        let report = try checkpointing.namingResumeFile {
            try run.fit(resumingFrom: resume, checkpoints: checkpointing.policy()) { progress.handle($0) }
        }
        progress.finish()
        if let save {
            try writeTensorArchive(run.trainer.model.archive(provenance: run.trainer.provenance()), to: save, overwrite: force)
        }
        if let plot {
            try DecisionRegionPlot.write(trainer: run.trainer, data: data.training.materialize(), to: plot, title: "decision regions, \(run.summary)")
        }
        if json {
            print(JSONReport.training(report, run: run, file: options.data.file).text)
        } else {
            print(SummaryTables.render(report, run: run, file: options.data.file))
            if let plot { print("plot: \(plot)") }
        }
    }
}

/// A trainer with its data and its batch stream, each built once, ready to fit; shared by
/// `train` and `compare`.
struct TrainingRun {
    let trainer: Trainer<MLP>
    let schedule: BatchSchedule
    let data: TrainingData
    let lookahead: Int

    /// Builds the trainer and the schedule, so a configuration they refuse fails before any
    /// training.
    init(configuration: TrainingConfiguration, data: TrainingData, lookahead: Int = 1, shard: Shard = .single) throws {
        var c = configuration
        c.shard = shard
        self.trainer = try Trainer(configuration: c, inputs: data.dimension, classCounts: data.classCounts)
        self.schedule = try trainer.makeSchedule(labels: data.training.labels, chunkedOrder: data.chunkedOrder)
        self.data = data
        self.lookahead = lookahead
    }

    var test: LabelledDataset? { data.test }

    func fit(resumingFrom checkpoint: TrainingCheckpoint? = nil, checkpoints: CheckpointPolicy? = nil,
             observer: (TrainingEvent) -> Void) throws -> TrainingReport {
        try trainer.fit(source: data.training, schedule: schedule, test: data.test, lookahead: lookahead,
                        resumingFrom: checkpoint, checkpoints: checkpoints, observer: observer)
    }

    /// One line naming the strategy, for titles.
    var summary: String {
        let c = trainer.configuration
        var parts = ["\(c.sampler.rawValue) sampling", "\(c.epochs) epochs"]
        if c.phases != nil {
            // --schedule gives every phase; --sampler and --epochs are not used.
            parts = ["schedule " + trainer.phases.map(\.description).joined(separator: ",")]
        } else if c.finetuneEpochs > 0 { parts.append("+ \(c.finetuneEpochs) fine-tune (\(c.finetuneLayers.rawValue))") }
        if let tau = c.priorCorrection { parts.append("prior correction τ = \(tau)") }
        return parts.joined(separator: ", ")
    }
}
