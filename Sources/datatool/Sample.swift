import ArgumentParser
import Datasets
import Sampling

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the batch stream as JSON lines, one batch a line, or write it to an HDF5 file.",
        discussion: """
            Each line is {"epoch": e, "phase": POLICY, "phase_index": p, "batch": i, \
            "indices": [...], "labels": [...]} ("labels" a list of label lists with \
            --multi-label, which reads the labels dataset as [N, K] 0/1: a label's buffer holds \
            the samples carrying it, and samples with no label are drawn only in natural \
            epochs). A schedule is a list of phases POLICY:EPOCHS \
            (--schedule "balanced:30,natural:2"; --sampler S --epochs E --finetune-epochs F is \
            the short form S:E,natural:F). Balanced epochs hold ⌊B/K⌋ or ⌈B/K⌉ samples of each \
            class per batch (with K > B, no class twice in a batch), drawn from per-class \
            circular buffers; sqrt, power:Q, instance and progressive give classes other \
            shares of the same buffers; repeat:T draws each sample ⌊r⌋ times plus once with \
            probability r − ⌊r⌋ (LVIS, r = max(1, √(T/f)) of its rarest label), so its epochs \
            vary in length; natural epochs are a permutation of all samples \
            at their real frequencies. With --epoch-length cover (the default) every sample is \
            drawn at least once an epoch. "batch" is the global batch number in the epoch: with \
            --world-size w, rank r prints batches r, r+w, …, and every rank prints the same \
            number of lines. The same seed always gives the same stream, so \
            --start-epoch/--start-batch resume exactly where a run stopped. --order chunked \
            visits each class's samples chunk by chunk (the features dataset's chunks) in a \
            shuffled chunk order, shuffled within windows of a few chunks: the same quotas, \
            another permutation per pass (Guides/BalancedSampling.md).

            --output FILE.h5 writes the whole schedule instead: /indices int32 [draws], \
            /offsets int64 [batches + 1] (batch i is indices[offsets[i]:offsets[i+1]]), /epoch \
            and /phase_index int32 [batches], and the parameters as attributes.

            Rank and world size default to $RANK/$WORLD_SIZE or OpenMPI's \
            $OMPI_COMM_WORLD_RANK/$OMPI_COMM_WORLD_SIZE when the flags are not given.

            EXAMPLES:
              datatool sample spirals.h5 --batch-size 6 --epochs 1
              datatool sample spirals.h5 --batch-size 96 --epochs 10 --finetune-epochs 2 --seed 7
              datatool sample longtail.h5 --schedule "progressive:10,natural:2" --output schedule.h5
              datatool sample longtail.h5 --sampler sqrt --epoch-length batches:100
              mpirun -n 4 datatool sample spirals.h5 --batch-size 96
              datatool sample big.h5 --order chunked --output schedule.h5   # chunk-local order
            """)

    @OptionGroup var data: DataFileOptions

    @OptionGroup var sampling: SamplingOptions

    @Option(parsing: .unconditional, help: "Epochs of the main phase (default: 1).")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Real-frequency fine-tune epochs after the main phase (default: 0).")
    var finetuneEpochs: Int?

    @Option(parsing: .unconditional, help: "Seed for every random choice.")
    var seed: UInt64 = 0

    @OptionGroup var shard: ShardOptions

    @Option(parsing: .unconditional, help: "Epoch to start at (to resume a run).")
    var startEpoch: Int = 0

    @Option(parsing: .unconditional, help: "Global batch number to start at within the start epoch.")
    var startBatch: Int = 0

    @Flag(help: "Drop the smaller last batch of natural and weighted epochs.")
    var dropLast = false

    @Option(help: "Write the schedule to this HDF5 file instead of printing JSON lines.")
    var output: String?

    @Flag(help: "Replace an existing --output file.")
    var force = false

    @Option(help: ArgumentHelp(
        "The order of each class's pass: exact (uniform shuffles) or chunked[:W] (the features' chunks in a shuffled order, shuffled within windows of W chunks, default 4), the order train --stream --order chunked reads.",
        valueName: "order"), transform: SampleOrderOption.parse)
    var order: SampleOrderOption = .exact

    /// The phases the flags ask for.
    var phases: [SchedulePhase] {
        sampling.schedule ?? [
            SchedulePhase(sampling.sampler ?? .balanced, epochs: epochs ?? 1),
            SchedulePhase(.natural, epochs: finetuneEpochs ?? 0),
        ]
    }

    func validate() throws {
        if let epochs, epochs < 0 { throw ValidationError("--epochs must be 0 or more, got \(epochs)") }
        if let finetuneEpochs, finetuneEpochs < 0 { throw ValidationError("--finetune-epochs must be 0 or more, got \(finetuneEpochs)") }
        if sampling.schedule != nil && (epochs != nil || finetuneEpochs != nil) {
            throw ValidationError("--schedule gives the phases; drop --epochs and --finetune-epochs, or drop --schedule")
        }
        guard startEpoch >= 0 else { throw ValidationError("--start-epoch must be 0 or more, got \(startEpoch)") }
        guard startBatch >= 0 else { throw ValidationError("--start-batch must be 0 or more, got \(startBatch)") }
        if order != .exact && sampling.multiLabel {
            throw ValidationError("--order \(order) is for one label a sample; drop --multi-label or use --order exact")
        }
        let total = phases.reduce(0) { $0 + $1.epochs }
        guard startEpoch <= total else {
            throw ValidationError("--start-epoch \(startEpoch) is past the last epoch; the run has \(total) epochs (0..<\(total))")
        }
    }

    func run() throws {
        let shard = try self.shard.resolve()
        if let output { try checkOutputs([output], force: force) }
        var schedule: BatchSchedule
        var classLabels = [Int32]()
        if sampling.multiLabel {
            let labels = try data.openMultiLabels()
            schedule = try BatchSchedule(multiLabels: labels, configuration: configuration(samples: labels.sampleCount, shard: shard))
        } else {
            let source = try data.open(reading: .stream())
            let labels = source.labels
            classLabels = labels.values
            var configuration = configuration(samples: labels.values.count, shard: shard)
            configuration.chunkedOrder = try order.chunkedOrder(for: source, file: data.file, featuresPath: data.features)
            schedule = try BatchSchedule(labels: labels, configuration: configuration)
        }
        try schedule.seek(epoch: startEpoch, batch: startBatch)
        if let output {
            try writeScheduleFile(&schedule, to: output)
            return
        }
        var out = StandardOutputBuffer()
        var indices = [Int32]()
        let labels = schedule.multiLabels
        while let tag = schedule.next(into: &indices) {
            out.append("{\"epoch\": ")
            out.append(integer: tag.epoch)
            out.append(", \"phase\": \"")
            out.append(tag.policy.rawValue)
            out.append("\", \"phase_index\": ")
            out.append(integer: tag.phaseIndex)
            out.append(", \"batch\": ")
            out.append(integer: tag.batch)
            out.append(", \"indices\": [")
            for (i, index) in indices.enumerated() {
                if i > 0 { out.append(byte: UInt8(ascii: ",")) }
                out.append(integer: Int(index))
            }
            out.append("], \"labels\": [")
            for (i, index) in indices.enumerated() {
                if i > 0 { out.append(byte: UInt8(ascii: ",")) }
                if let labels {
                    // Several labels a sample: a list per index.
                    out.append(byte: UInt8(ascii: "["))
                    for (j, label) in labels.labels(ofSample: Int(index)).enumerated() {
                        if j > 0 { out.append(byte: UInt8(ascii: ",")) }
                        out.append(integer: Int(label))
                    }
                    out.append(byte: UInt8(ascii: "]"))
                } else {
                    out.append(integer: Int(classLabels[Int(index)]))
                }
            }
            out.append("]}")
            out.endLine()
        }
        out.flush()
    }

    private func configuration(samples n: Int, shard: Shard) -> ScheduleConfiguration {
        ScheduleConfiguration(
            batchSize: sampling.batchSize(samples: n), phases: phases,
            epochLength: sampling.epochLength, dropLast: dropLast, seed: seed, shard: shard)
    }

    /// This rank's batches from the current position, as one HDF5 file.
    private func writeScheduleFile(_ schedule: inout BatchSchedule, to path: String) throws {
        var indices = [Int32]()
        var all = [Int32]()
        var offsets: [Int64] = [0]
        var epochs = [Int32]()
        var phaseIndices = [Int32]()
        var batches = [Int32]()
        while let tag = schedule.next(into: &indices) {
            all.append(contentsOf: indices)
            offsets.append(Int64(all.count))
            epochs.append(Int32(tag.epoch))
            phaseIndices.append(Int32(tag.phaseIndex))
            batches.append(Int32(tag.batch))
        }
        guard !epochs.isEmpty else {
            throw ValidationError("no batches from --start-epoch \(startEpoch) --start-batch \(startBatch) on; nothing to write to \(path)")
        }
        let c = schedule.configuration
        try writeIntegerDatasets(
            [
                .int32(name: "indices", values: all), .int64(name: "offsets", values: offsets),
                .int32(name: "epoch", values: epochs), .int32(name: "phase_index", values: phaseIndices),
                .int32(name: "batch", values: batches),
            ],
            to: path,
            attributes: [
                "schedule": .string(c.phases.map(\.description).joined(separator: ",")),
                "policies": .string(c.phases.map(\.policy.rawValue).joined(separator: ",")),
                "phase_epochs": .intArray(c.phases.map(\.epochs)),
                "batch_size": .int(c.batchSize), "epoch_length": .string(c.epochLength.description),
                "seed": .int(Int(truncatingIfNeeded: c.seed)), "drop_last": .int(c.dropLast ? 1 : 0),
                "rank": .int(c.shard.rank), "world_size": .int(c.shard.worldSize),
                "samples": .int(schedule.sampleCount), "classes": .int(schedule.classCount),
                "start_epoch": .int(startEpoch), "start_batch": .int(startBatch),
                "source_file": .string(data.file), "order": .string(order.description),
            ],
            overwrite: force)
    }
}
