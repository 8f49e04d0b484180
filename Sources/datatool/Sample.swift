import ArgumentParser
import Datasets
import Sampling

extension SamplerKind: ExpressibleByArgument {}

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the batch stream as JSON lines, one batch a line.",
        discussion: """
            Each line is {"epoch": e, "phase": "balanced"|"natural"|"weighted"|"finetune", \
            "batch": i, "indices": [...], "labels": [...]}. Balanced epochs hold B/K samples of \
            each class per batch, drawn from per-class circular buffers; fine-tune epochs are a \
            permutation of all samples at their real frequencies. "batch" is the global batch \
            number in the epoch: with --world-size w, rank r prints batches r, r+w, …, and every \
            rank prints the same number of lines. The same seed always gives the same stream, so \
            --start-epoch/--start-batch resume exactly where a run stopped.

            Rank and world size default to $RANK/$WORLD_SIZE or OpenMPI's \
            $OMPI_COMM_WORLD_RANK/$OMPI_COMM_WORLD_SIZE when the flags are not given.

            EXAMPLES:
              datatool sample spirals.h5 --batch-size 6 --epochs 1
              datatool sample spirals.h5 --batch-size 96 --epochs 10 --finetune-epochs 2 --seed 7
              datatool sample spirals.h5 --batch-size 96 --rank 1 --world-size 4
              mpirun -n 4 datatool sample spirals.h5 --batch-size 96
            """)

    @OptionGroup var data: DataFileOptions

    @Option(parsing: .unconditional, help: "Batch size B (a multiple of the number of classes for balanced epochs).")
    var batchSize: Int

    @Option(parsing: .unconditional, help: "Epochs of the main phase.")
    var epochs: Int = 1

    @Option(parsing: .unconditional, help: "Real-frequency fine-tune epochs after the main phase.")
    var finetuneEpochs: Int = 0

    @Option(help: "How the main phase samples: \(SamplerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var sampler: SamplerKind = .balanced

    @Option(parsing: .unconditional, help: "Seed for every random choice.")
    var seed: UInt64 = 0

    @OptionGroup var shard: ShardOptions

    @Option(parsing: .unconditional, help: "Epoch to start at (to resume a run).")
    var startEpoch: Int = 0

    @Option(parsing: .unconditional, help: "Global batch number to start at within the start epoch.")
    var startBatch: Int = 0

    @Flag(help: "Drop the smaller last batch of real-frequency and weighted epochs.")
    var dropLast = false

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard epochs >= 0 else { throw ValidationError("--epochs must be 0 or more, got \(epochs)") }
        guard finetuneEpochs >= 0 else { throw ValidationError("--finetune-epochs must be 0 or more, got \(finetuneEpochs)") }
        guard startEpoch >= 0 else { throw ValidationError("--start-epoch must be 0 or more, got \(startEpoch)") }
        guard startBatch >= 0 else { throw ValidationError("--start-batch must be 0 or more, got \(startBatch)") }
        guard startEpoch <= epochs + finetuneEpochs else {
            throw ValidationError("--start-epoch \(startEpoch) is past the last epoch; the run has \(epochs + finetuneEpochs) epochs (0..<\(epochs + finetuneEpochs))")
        }
    }

    func run() throws {
        let shard = try self.shard.resolve()
        let labels = try data.open(reading: .stream()).labels
        let configuration = ScheduleConfiguration(
            batchSize: batchSize, sampler: sampler, epochs: epochs, finetuneEpochs: finetuneEpochs,
            dropLast: dropLast, seed: seed, shard: shard)
        var schedule = try BatchSchedule(labels: labels, configuration: configuration)
        try schedule.seek(epoch: startEpoch, batch: startBatch)
        var out = StandardOutputBuffer()
        var indices = [Int32]()
        let classLabels = labels.values
        while let tag = schedule.next(into: &indices) {
            out.append("{\"epoch\": ")
            out.append(integer: tag.epoch)
            out.append(", \"phase\": \"")
            out.append(tag.phase.rawValue)
            out.append("\", \"batch\": ")
            out.append(integer: tag.batch)
            out.append(", \"indices\": [")
            for (i, index) in indices.enumerated() {
                if i > 0 { out.append(byte: UInt8(ascii: ",")) }
                out.append(integer: Int(index))
            }
            out.append("], \"labels\": [")
            for (i, index) in indices.enumerated() {
                if i > 0 { out.append(byte: UInt8(ascii: ",")) }
                out.append(integer: Int(classLabels[Int(index)]))
            }
            out.append("]}")
            out.endLine()
        }
        out.flush()
    }
}
