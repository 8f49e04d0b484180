import Datasets

extension TrainingCheckpoint {
    /// The value of the `format` attribute that marks a checkpoint of this package.
    public static var archiveFormat: String { "imbalanced-training/checkpoint" }
    /// The version of the checkpoint layout this build writes and reads.
    public static var archiveVersion: Int { 1 }

    /// The checkpoint as a ``Datasets/TensorArchive`` (one float32 dataset per tensor, root
    /// attributes for the rest):
    ///
    /// - tensors `model.<i>` `[rows, columns]`, parameter i of ``Classifier/parameters``, and
    ///   `optimizer.<i>.<buffer>` `[count]` (`momentum_buffer`, `exp_avg`, `exp_avg_sq`,
    ///   `max_exp_avg_sq`) for each parameter the optimizer has stepped;
    /// - attributes `format`, `version`, `next_epoch`, `phase_index`, `lr_epoch`, `lr_rate`,
    ///   `parameter_names` (one a line), `optimizer_parameters` and `optimizer_steps` (when the
    ///   optimizer has state), `generator_states` (4 words a generator, when there are any), and
    ///   the fingerprint: `class_counts`, `D`, `label_hash`, `schedule`, `learning_rate`,
    ///   `batch_size`, `seed`, `shard`, `loss`, `class_weights`, `optimizer`, `model`.
    ///
    /// 64-bit words (seed, hash, generator states) are stored as int64 with the same bits.
    public var archive: TensorArchive {
        var tensors = parameters.enumerated().map { i, tensor in
            NamedTensor(name: "model.\(i)", shape: tensor.shape, values: tensor.values)
        }
        for entry in optimizer.entries {
            for buffer in entry.buffers {
                tensors.append(NamedTensor(name: "optimizer.\(entry.parameter).\(buffer.name)", shape: buffer.shape, values: buffer.values))
            }
        }
        let f = fingerprint
        var attributes: [String: HDF5AttributeValue] = [
            "format": .string(Self.archiveFormat),
            "version": .int(Self.archiveVersion),
            "next_epoch": .int(nextEpoch),
            "phase_index": .int(phaseIndex),
            "lr_epoch": .int(learningRate.epoch),
            "lr_rate": .double(learningRate.learningRate),
            "parameter_names": .string(parameters.map(\.name).joined(separator: "\n")),
            "class_counts": .intArray(f.classCounts),
            "D": .int(f.dimension),
            "label_hash": .int(Int(truncatingIfNeeded: f.labelHash)),
            "schedule": .string(f.schedule),
            "learning_rate": .double(f.learningRate),
            "batch_size": .int(f.batchSize),
            "seed": .int(Int(truncatingIfNeeded: f.seed)),
            "shard": .string(f.shard),
            "loss": .string(f.loss),
            "class_weights": .string(f.classWeights),
            "optimizer": .string(f.optimizer),
            "model": .string(f.model),
        ]
        if !optimizer.entries.isEmpty {
            attributes["optimizer_parameters"] = .intArray(optimizer.entries.map(\.parameter))
            attributes["optimizer_steps"] = .intArray(optimizer.entries.map(\.step))
        }
        if !generators.isEmpty {
            attributes["generator_states"] = .intArray(generators.flatMap { g -> [Int] in
                let s = g.state
                return [s.0, s.1, s.2, s.3].map { Int(truncatingIfNeeded: $0) }
            })
        }
        return TensorArchive(tensors: tensors, attributes: attributes)
    }

    /// Throws unless `attributes` mark a checkpoint of the version this build reads; cheap, so
    /// a caller can check a file's root attributes before reading its tensors.
    ///
    /// - Throws: ``CheckpointError/notACheckpoint(_:)`` saying what the file is instead.
    public static func checkFormat(_ attributes: [String: HDF5AttributeValue]) throws {
        guard case .string(let format)? = attributes["format"] else {
            throw CheckpointError.notACheckpoint("it has no format attribute; expected \"\(archiveFormat)\"")
        }
        guard format == archiveFormat else {
            let what = format == MLP.archiveFormat ? " (a saved model, not a checkpoint)" : ""
            throw CheckpointError.notACheckpoint("its format is \"\(format)\"\(what); expected \"\(archiveFormat)\"")
        }
        guard case .int(let version)? = attributes["version"], version == archiveVersion else {
            throw CheckpointError.notACheckpoint("checkpoint version \(attributes["version"]?.description ?? "missing"); this build reads version \(archiveVersion)")
        }
    }

    /// The checkpoint an ``archive`` holds, after checking the format, the version and that
    /// every attribute and tensor the layout needs is there with its type (whether it fits a
    /// model and a run is checked on resume).
    ///
    /// - Throws: ``CheckpointError/notACheckpoint(_:)`` for another format or version,
    ///   ``CheckpointError/damaged(_:)`` naming what is missing or malformed.
    public init(archive: TensorArchive) throws {
        let a = archive.attributes
        try Self.checkFormat(a)
        /// The attribute `key` as what `extract` makes of it.
        func attribute<T>(_ key: String, _ kind: String, _ extract: (HDF5AttributeValue?) -> T?) throws -> T {
            guard let value = extract(a[key]) else { throw CheckpointError.damaged("attribute \(key) is missing or not \(kind)") }
            return value
        }
        func int(_ key: String) throws -> Int {
            try attribute(key, "an integer") { if case .int(let v)? = $0 { v } else { nil } }
        }
        func double(_ key: String) throws -> Double {
            try attribute(key, "a number") { if case .double(let v)? = $0 { v } else { nil } }
        }
        func string(_ key: String) throws -> String {
            try attribute(key, "a string") { if case .string(let v)? = $0 { v } else { nil } }
        }
        /// A list of integers; a missing optional one is empty.
        func ints(_ key: String, optional: Bool = false) throws -> [Int] {
            try attribute(key, "a list of integers") { value -> [Int]? in
                switch value {
                case .intArray(let values)?: values
                case .int(let value)?: [value]
                case nil where optional: []
                default: nil
                }
            }
        }
        let names = try string("parameter_names").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var used = Set<String>()
        var parameters = [NamedTensor]()
        for (i, name) in names.enumerated() {
            guard let tensor = archive.tensor(named: "model.\(i)"), tensor.shape.count == 2 else {
                throw CheckpointError.damaged("tensor model.\(i) (parameter \(name)) is missing or not of rank 2")
            }
            used.insert(tensor.name)
            parameters.append(NamedTensor(name: name, shape: tensor.shape, values: tensor.values))
        }
        let stepped = try ints("optimizer_parameters", optional: true)
        let steps = try ints("optimizer_steps", optional: true)
        guard stepped.count == steps.count else {
            throw CheckpointError.damaged("optimizer_parameters has \(stepped.count) entries but optimizer_steps \(steps.count)")
        }
        var entries = [OptimizerState.Entry]()
        for (parameter, step) in zip(stepped, steps) {
            let prefix = "optimizer.\(parameter)."
            let buffers = archive.tensors.filter { $0.name.hasPrefix(prefix) }.map {
                NamedTensor(name: String($0.name.dropFirst(prefix.count)), shape: $0.shape, values: $0.values)
            }
            guard !buffers.isEmpty else { throw CheckpointError.damaged("the optimizer state of parameter \(parameter) has no tensors \(prefix)*") }
            for buffer in buffers { used.insert(prefix + buffer.name) }
            entries.append(OptimizerState.Entry(parameter: parameter, step: step, buffers: buffers))
        }
        if let stray = archive.tensors.first(where: { !used.contains($0.name) }) {
            throw CheckpointError.damaged("tensor \(stray.name) is not part of the checkpoint layout")
        }
        let words = try ints("generator_states", optional: true).map { UInt64(bitPattern: Int64($0)) }
        guard words.count % 4 == 0 else {
            throw CheckpointError.damaged("generator_states has \(words.count) words; expected 4 a generator")
        }
        var generators = [Xoshiro256StarStar]()
        for g in stride(from: 0, to: words.count, by: 4) {
            let state = (words[g], words[g + 1], words[g + 2], words[g + 3])
            guard state != (0, 0, 0, 0) else { throw CheckpointError.damaged("generator \(g / 4) has the all-zero state") }
            generators.append(Xoshiro256StarStar(state: state))
        }
        let fingerprint = TrainingFingerprint(
            classCounts: try ints("class_counts"), dimension: try int("D"),
            labelHash: UInt64(bitPattern: Int64(try int("label_hash"))), schedule: try string("schedule"),
            learningRate: try double("learning_rate"), batchSize: try int("batch_size"),
            seed: UInt64(bitPattern: Int64(try int("seed"))), shard: try string("shard"), loss: try string("loss"),
            classWeights: try string("class_weights"), optimizer: try string("optimizer"), model: try string("model"))
        self.init(
            nextEpoch: try int("next_epoch"), phaseIndex: try int("phase_index"),
            learningRate: LearningRateScheduler.State(epoch: try int("lr_epoch"), learningRate: try double("lr_rate")),
            parameters: parameters, optimizer: OptimizerState(entries: entries), generators: generators,
            fingerprint: fingerprint)
    }
}
