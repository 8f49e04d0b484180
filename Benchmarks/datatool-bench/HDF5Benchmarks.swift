import Datasets
import Sampling

/// Batches read ahead per call to the source in the out-of-core rows (`--lookahead W`): each
/// window of W batches reads each chunk it needs once.
let defaultLookahead = 256

/// The decoded-chunk cache of the out-of-core gzip row (64 MiB, a quarter of the 284 MB of
/// features: the data is not loaded whole).
let outOfCoreCacheBudget = 64 << 20

/// Reading all of `contiguous.h5`'s features (1,110,000 × 64 float32, 284 MB) into a new
/// array, file in the page cache.
func hdf5FullRead(_ options: Options) throws -> [Measurement] {
    let source = try HDF5FeatureDataset(path: options.dataDirectory + "/contiguous.h5")
    let bytes = Double(source.rowCount * source.dimension * 4)
    return [Measurement(
        key: "full_read", unit: "GB/s", threads: source.threads, work: bytes, minimum: 0.5, value: { $0 / 1e9 },
        note: "HDF5FeatureDataset.readAll, read path \(source.readPath)") { blackHole(try source.readAll()) }]
}

/// Reading all of `gzip.h5`'s features (271 chunks of 4096 × 64, gzip 4 + shuffle) on one
/// thread: the sequential decode rate of one core.
func hdf5GzipFullRead(_ options: Options) throws -> [Measurement] {
    let source = try HDF5FeatureDataset(path: options.dataDirectory + "/gzip.h5", threads: 1)
    let bytes = Double(source.rowCount * source.dimension * 4)
    return [Measurement(
        key: "gzip_full_read", unit: "MB/s", threads: source.threads, work: bytes, minimum: 1.0, value: { $0 / 1e6 },
        note: "HDF5FeatureDataset(threads: 1).readAll, read path \(source.readPath), \(source.rowCount / 1000)k rows") {
        blackHole(try source.readAll())
    }]
}

/// Balanced batches (B = 96, 32 per class) from `gzip.h5` (chunks 4096 × 64, gzip 4 +
/// shuffle), read out of core through `BatchLoader` with look-ahead.
func hdf5OutOfCoreGzip(_ options: Options) throws -> [Measurement] {
    try outOfCore(options, file: "gzip.h5", key: "ooc_gzip", budget: outOfCoreCacheBudget, minimum: 2.0)
}

/// The same batches from `contiguous.h5`.
func hdf5OutOfCoreContiguous(_ options: Options) throws -> [Measurement] {
    try outOfCore(options, file: "contiguous.h5", key: "ooc_contiguous", budget: 0, minimum: 0.5)
}

private func outOfCore(_ options: Options, file: String, key: String, budget: Int, minimum: Double) throws -> [Measurement] {
    let path = options.dataDirectory + "/" + file
    let labels = try loadLabels(path: path)
    let schedule = try BatchSchedule(
        labels: labels,
        configuration: ScheduleConfiguration(batchSize: 96, epochs: 1000, seed: 7))
    let source = try HDF5FeatureDataset(path: path, chunkCacheBudget: budget)
    let lookahead = options.lookahead ?? defaultLookahead
    var loader = try BatchLoader(schedule: schedule, source: source, labels: labels.values, lookahead: lookahead)
    var batch = Batch()
    let window = lookahead * 96 * source.dimension * 4
    func note() -> String {
        var note = "BatchLoader, B = 96 balanced, look-ahead \(lookahead) batches (window \(mebibytes(window))), read path \(source.readPath)"
        if case .chunks = source.readPath {
            let statistics = source.chunkCacheStatistics
            note += "; chunk cache budget \(mebibytes(statistics.budget)), peak cache + scratch \(mebibytes(statistics.peakBytes)), \(statistics.hits) hits / \(statistics.decodedChunks) decodes"
        }
        return note
    }
    return [Measurement(key: key, unit: "rows/s", threads: source.threads, work: Double(lookahead * 96),
                        minimum: minimum, note: note()) {
        for _ in 0..<lookahead { _ = try loader.next(into: &batch) }
        blackHole(batch.features)
    }]
}

private func mebibytes(_ bytes: Int) -> String {
    let value = Double(bytes) / Double(1 << 20)
    return value >= 10 ? "\(Int(value.rounded())) MiB" : "\(Double(Int(value * 10)) / 10) MiB"
}

/// Balanced epochs (B = 96, `cover`: 3 M draws, 31,250 batches) from `gzip.h5` in the chunked
/// order, the two rare classes pinned in memory, as `datatool train --stream --order chunked`
/// reads them (64 MiB: half pinned, half chunk cache; look-ahead 256), beside our all-core
/// sequential read of the same file (`readAll`), in the same rounds. One round of the first
/// is one whole epoch.
func hdf5OutOfCoreChunked(_ options: Options) throws -> [Measurement] {
    let path = options.dataDirectory + "/gzip.h5"
    let budget = 64 << 20, pinBudget = budget / 2
    let pinStart = now()
    let source = try openLabelledFile(path: path, reading: .stream(chunkCacheBudget: budget - pinBudget))
        .pinningClasses(budgetBytes: pinBudget)
    let pinSeconds = now() - pinStart
    guard let blocks = try source.rowBlocks() else { throw BenchmarkError.unknownKey("gzip.h5 is not chunked", known: []) }
    var configuration = ScheduleConfiguration(batchSize: 96, epochs: 1000, seed: 7)
    configuration.chunkedOrder = ChunkedOrder(blocks: blocks)
    let schedule = try BatchSchedule(labels: source.labels, configuration: configuration)
    let batches = schedule.batchesPerRank(epoch: 0)
    let lookahead = options.lookahead ?? defaultLookahead
    var loader = try BatchLoader(schedule: schedule, source: source, labels: source.labels.values, lookahead: lookahead)
    var batch = Batch()
    let full = try HDF5FeatureDataset(path: path)
    func note() -> String {
        "BatchLoader, B = 96 balanced, cover (\(batches) batches), --order chunked (window \(ChunkedOrder.defaultWindow) chunks of 4096 rows), "
            + "classes \(source.pinnedClasses) pinned (\(mebibytes(source.pinnedBytes)) read in \(Double(Int(pinSeconds * 100)) / 100) s at setup), "
            + "chunk cache \(mebibytes(budget - pinBudget)), look-ahead \(lookahead), \(full.threads) decode threads"
    }
    return [
        Measurement(key: "outofcore_chunked", unit: "rows/s", threads: full.threads, work: Double(batches * 96), minimum: 0.01, note: note()) {
            for _ in 0..<batches { _ = try loader.next(into: &batch) }
            blackHole(batch.features)
        },
        Measurement(key: "outofcore_chunked.full_read", unit: "rows/s", threads: full.threads, work: Double(full.rowCount), minimum: 1.0,
                    note: "HDF5FeatureDataset.readAll of gzip.h5, \(full.threads) threads, read path \(full.readPath)") {
            blackHole(try full.readAll())
        },
    ]
}
