import Datasets
import Sampling
import Training

/// The `embeddings_epoch` row: an ImageNet-LT-shaped run from `embeddings_lt.h5`
/// (bench/make_data.py: 1,000 classes, 1,280 down to 5 rows, D = 512), MLP 512-1024-1000
/// (ReLU, Adam 1e-3, cross-entropy, B = 256) through `Trainer`, streaming rows from the file:
/// one balanced epoch then one natural epoch, wall seconds, at 1 and 2 product threads.
///
/// The balanced epoch is `samples:115846` draws of the balanced policy (K = 1,000 > B = 256: a
/// class at most once a batch, every class once per pass of the rotation), then one natural
/// epoch over all N = 230,341 rows. An epoch length is one setting for a whole schedule, so the
/// two epochs are two `Trainer`s sharing one model (the second starts a fresh Adam, where the
/// PyTorch anchor keeps one optimizer: the same work per step).
/// Threads: the trainer always reads ahead on a prefetch thread, so "1 thread" is one product
/// thread plus that reader thread; "2 threads" splits each large product over two threads
/// (``Matrix/setProductThreadCount(_:)``: OpenBLAS on one thread, our second thread sleeping
/// between products, so the reader is not crowded out by a spinning BLAS worker).
func embeddingsEpoch(_ options: Options) throws -> [Measurement] {
    let path = options.dataDirectory + "/embeddings_lt.h5"
    let data = try openLabelledFile(path: path, reading: .stream())
    let counts = data.labels.counts
    let source = try HDF5FeatureDataset(path: path)
    var configuration = TrainingConfiguration()
    configuration.hidden = [1024]
    configuration.learningRate = 1e-3
    configuration.batchSize = 256
    configuration.epochs = 1
    configuration.seed = 1
    // The warm-up: a few steps of the same network on one batch of the file's rows.
    let warmUpRows = try source.readRows(0..<256)
    func warmUp() throws {
        let model = try MLP(inputs: source.dimension, hidden: [1024], outputs: counts.count, activation: .relu, seed: 1)
        let optimizer = try Adam(learningRate: 1e-3)
        let loss = try CrossEntropyLoss()
        let x = Matrix(rows: 256, columns: source.dimension, storage: warmUpRows)
        let targets = Array(data.labels.values[0..<256])
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
            note: "Trainer, HDF5FeatureDataset streamed, \(threads) product thread(s) + the prefetch thread; 1 balanced epoch of samples:115846 + 1 natural epoch (N draws), \(steps) steps, \(seconds > 0 ? Double(Int(Double(steps) / seconds * 10)) / 10 : 0) steps/s",
            warmUp: warmUp
        ) {
            try Matrix.setProductThreadCount(threads)
            let model = try MLP(inputs: data.dimension, hidden: [1024], outputs: counts.count, activation: .relu, seed: 1)
            var balanced = configuration
            balanced.sampler = .balanced
            var natural = configuration
            natural.sampler = .natural
            let first = try Trainer(model: model, configuration: balanced, classCounts: counts)
            let second = try Trainer(model: model, configuration: natural, classCounts: counts)
            let schedule = try BatchSchedule(
                labels: data.labels,
                configuration: ScheduleConfiguration(
                    batchSize: 256, phases: [SchedulePhase(.balanced, epochs: 1)], epochLength: .samples(115_846), seed: 1))
            let start = now()
            var batches = 0
            let count: (TrainingEvent) -> Void = { event in
                if case .batch = event { batches += 1 }
            }
            _ = try first.fit(source: data, schedule: schedule, lookahead: 64, observer: count)
            _ = try second.fit(source: data, schedule: second.makeSchedule(labels: data.labels), lookahead: 64, observer: count)
            seconds = now() - start
            steps = batches
            try Matrix.setProductThreadCount(1)
        }
    }
}
