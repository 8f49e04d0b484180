import Datasets
import Training

/// The `embeddings_epoch` row: an ImageNet-LT-shaped run from `embeddings_lt.h5`
/// (bench/make_data.py: 1,000 classes, 1,280 down to 5 rows, D = 512), MLP 512-1024-1000
/// (ReLU, Adam 1e-3, cross-entropy, B = 256) through `Trainer`, streaming rows from the file:
/// one balanced epoch then one natural epoch, wall seconds, at 1 and 2 product threads.
///
/// Until the new sampling policy and `samples:S` epoch lengths are merged, the balanced epoch is
/// approximated: today's balanced sampler needs B to be a multiple of K = 1,000, so the first
/// epoch is today's `.weighted` sampler (inverse-frequency draws with replacement, balanced in
/// expectation) over N = 230,341 draws, not 115,846 class-aware draws. Switching is the one
/// `configuration.sampler` line below.
/// Threads: the trainer always reads ahead on a prefetch thread, so "1 thread" is one BLAS
/// thread plus that reader thread.
func embeddingsEpoch(_ options: Options) throws -> [Measurement] {
    let path = options.dataDirectory + "/embeddings_lt.h5"
    let labels = try loadLabels(path: path)
    let counts = (0..<labels.classCount).map { c in labels.labels.reduce(0) { $0 + ($1 == Int32(c) ? 1 : 0) } }
    let source = try HDF5FeatureDataset(path: path)
    var configuration = TrainingConfiguration()
    configuration.hidden = [1024]
    configuration.learningRate = 1e-3
    configuration.batchSize = 256
    configuration.sampler = .weighted   // APPROXIMATION; with the new sampler: the balanced epoch of `samples:115846`
    configuration.epochs = 1
    configuration.finetuneEpochs = 1    // then one natural epoch
    configuration.finetuneLayers = .all
    configuration.seed = 1
    // The warm-up: a few steps of the same network on one batch of the file's rows.
    let warmUpRows = try source.readRows(0..<256)
    func warmUp() throws {
        let model = try MLP(inputs: source.dimension, hidden: [1024], outputs: counts.count, activation: .relu, seed: 1)
        let optimizer = try Adam(learningRate: 1e-3)
        let loss = try CrossEntropyLoss()
        let x = Matrix(rows: 256, columns: source.dimension, storage: warmUpRows)
        let targets = Array(labels.labels[0..<256])
        var gradient = Matrix(rows: 256, columns: counts.count)
        for _ in 0..<10 {
            let logits = try model.forward(x)
            _ = try loss.valueAndGradient(logits: logits, targets: targets, gradient: &gradient)
            model.zeroGradients()
            try model.backward(dLogits: gradient)
            optimizer.step(model.parameters)
        }
    }
    return [1, 2].map { threads in
        var steps = 0, seconds = 0.0
        return Measurement(
            key: "embeddings_epoch_\(threads)t", unit: "s", threads: threads, work: 1, minimum: 0, value: { 1 / $0 },
            note: "Trainer, HDF5FeatureDataset streamed, \(threads) BLAS thread(s) + the prefetch thread; first epoch APPROXIMATED by today's weighted sampler, N draws (not samples:115846 class-aware yet) + 1 natural epoch, \(steps) steps, \(seconds > 0 ? Double(Int(Double(steps) / seconds * 10)) / 10 : 0) steps/s",
            warmUp: warmUp
        ) {
            try Matrix.setProductThreadCount(threads)
            let trainer = try Trainer(configuration: configuration, inputs: source.dimension, classCounts: counts)
            let start = now()
            var batches = 0
            _ = try trainer.fit(source: source, labels: labels.labels, lookahead: 64) { event in
                if case .batch = event { batches += 1 }
            }
            seconds = now() - start
            steps = batches
            try Matrix.setProductThreadCount(1)
        }
    }
}
