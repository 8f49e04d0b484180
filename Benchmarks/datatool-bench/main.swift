// Our side of `bench/run`: each round of a measurement prints one JSON line
// {"key", "value", "cpu_value", "unit", "threads", "round", "note"} (`cpu_value`: the figure per
// second of process CPU time instead of wall time). Run in release mode:
//
//   swift run -c release datatool-bench [--only KEY,...] [--rounds R] [--data DIR] [--lookahead W]
//   datatool-bench --serve          # read benchmark keys on stdin, one round each (bench/run)
//   datatool-bench --crossover      # our product kernels against BLAS, shape by shape
//
// With `--serve`, each line names a benchmark; the first request sets it up and warms it up,
// every request runs one round of each of its measurements and ends with {"done": KEY}.
// A line `KEY I/N` runs slice I of a round in N slices (each measurement for 1/N of its
// minimum time); the round's rows, from the totals of its slices, follow slice N/N.
// `bench/run` alternates these requests with the Python anchors' (ours, anchor, ours, …).
// One thread unless a row says otherwise.

import Datasets
import Sampling

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Options {
    var only: Set<String>? = nil
    var dataDirectory = "bench/out"
    /// Batches per window for the out-of-core rows; `nil` for the default.
    var lookahead: Int? = nil
    var rounds = 5
    var serve = false
    var crossover = false
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    func count(_ name: String) -> Int {
        guard let value = arguments.next().flatMap({ Int($0) }), value >= 1 else {
            writeStandardError("datatool-bench: \(name) needs a number ≥ 1\n")
            exit(2)
        }
        return value
    }
    while let argument = arguments.next() {
        switch argument {
        case "--only": options.only = Set((arguments.next() ?? "").split(separator: ",").map(String.init))
        case "--data": options.dataDirectory = arguments.next() ?? options.dataDirectory
        case "--lookahead": options.lookahead = count("--lookahead")
        case "--rounds": options.rounds = count("--rounds")
        case "--serve": options.serve = true
        case "--crossover": options.crossover = true
        default:
            writeStandardError("datatool-bench: unknown argument \(argument); expected --only KEY,..., --rounds R, --data DIR, --lookahead W, --serve or --crossover\n")
            exit(2)
        }
    }
    return options
}

func emit(_ row: Row) {
    print(row.json)
    fflush(nil)
}

func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { raw in _ = write(2, raw.baseAddress, raw.count) }
}

let benchmarks: [(String, (Options) throws -> [Measurement])] = [
    ("memcpy", { _ in memcpyBandwidth() }),
    ("spiral", { _ in try spiralGeneration() }),
    ("balanced_stream", { _ in try balancedStream() }),
    ("index_stream_k1000", { _ in try longTailStream() }),
    ("batch_assembly", { try batchAssembly($0) }),
    ("ce_4096x1000", { _ in try crossEntropy(rows: 4096, classes: 1000, key: "ce_4096x1000") }),
    ("ce_128x3", { _ in try crossEntropy(rows: 128, classes: 3, key: "ce_128x3") }),
    ("mlp_step", { _ in try mlpStep(key: "mlp_step", inputs: 2, hidden: [100], outputs: 3, batch: 96) }),
    ("mlp_medium", { _ in try mlpStep(key: "mlp_medium", inputs: 64, hidden: [256], outputs: 10, batch: 320) }),
    ("mlp_large", { _ in try mlpStep(key: "mlp_large", inputs: 256, hidden: [512], outputs: 1000, batch: 512) }),
    ("linear_large", { _ in try mlpStep(key: "linear_large", inputs: 512, hidden: [], outputs: 1000, batch: 512) }),
    ("full_read", { try hdf5FullRead($0) }),
    ("gzip_full_read", { try hdf5GzipFullRead($0) }),
    ("ooc_gzip", { try hdf5OutOfCoreGzip($0) }),
    ("ooc_contiguous", { try hdf5OutOfCoreContiguous($0) }),
    ("outofcore_chunked", { try hdf5OutOfCoreChunked($0) }),
    ("embeddings_epoch", { try embeddingsEpoch($0) }),
]

/// Benchmarks set up so far, by key (each is set up and warmed up once).
var prepared: [String: [Measurement]] = [:]

/// A round in slices under way, by benchmark key: its slice count, the slice it expects next,
/// and the totals so far (one per measurement).
var slicesUnderWay: [String: (count: Int, next: Int, totals: [RoundTotals])] = [:]

/// One round of every measurement of benchmark `key`, or slice `slice.index` of
/// `slice.count` of one; sets the benchmark up first if this is its first request. The
/// round's rows are printed after its last slice.
///
/// - Returns: Whether the round is complete.
@MainActor
func runRound(_ key: String, round: Int, slice: (index: Int, count: Int) = (1, 1), options: Options) throws -> Bool {
    guard let make = benchmarks.first(where: { $0.0 == key })?.1 else {
        throw BenchmarkError.unknownKey(key, known: benchmarks.map(\.0))
    }
    if prepared[key] == nil {
        let measurements = try make(options)
        for measurement in measurements { try measurement.warmUp() }
        prepared[key] = measurements
    }
    let measurements = prepared[key] ?? []
    if slice.index == 1 { slicesUnderWay[key] = (slice.count, 1, Array(repeating: RoundTotals(), count: measurements.count)) }
    guard var underWay = slicesUnderWay[key], underWay.count == slice.count, underWay.next == slice.index else {
        slicesUnderWay[key] = nil
        throw BenchmarkError.sliceOutOfOrder(key, slice.index, slice.count)
    }
    // A slice that fails drops the round: its totals would be short of the failed work.
    slicesUnderWay[key] = nil
    for (i, measurement) in measurements.enumerated() {
        underWay.totals[i] = underWay.totals[i] + (try measurement.run(for: measurement.minimum / Double(slice.count)))
    }
    guard slice.index == slice.count else {
        underWay.next += 1
        slicesUnderWay[key] = underWay
        return false
    }
    let totals = underWay.totals
    for (measurement, total) in zip(measurements, totals) {
        let (value, cpuValue) = measurement.figures(total)
        emit(Row(key: measurement.key, value: value, cpuValue: cpuValue, unit: measurement.unit,
                 threads: measurement.threads, round: round, note: measurement.note()))
    }
    return true
}

/// A serve request: `KEY` for a whole round, `KEY I/N` for slice I of N.
func parseRequest(_ line: String) -> (key: String, slice: (index: Int, count: Int))? {
    let words = line.split(separator: " ")
    guard let first = words.first else { return nil }
    let key = String(first)
    if words.count == 1 { return (key, (1, 1)) }
    guard words.count == 2 else { return nil }
    let parts = words[1].split(separator: "/")
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
          index >= 1, index <= count else { return nil }
    return (key, (index, count))
}

enum BenchmarkError: Error, CustomStringConvertible {
    case unknownKey(String, known: [String])
    case sliceOutOfOrder(String, Int, Int)
    var description: String {
        switch self {
        case .unknownKey(let key, let known):
            return "unknown benchmark \(key); expected one of \(known.joined(separator: ", "))"
        case .sliceOutOfOrder(let key, let index, let count):
            return "slice \(index)/\(count) of \(key) is not the next slice of a round under way; a round starts at slice 1 and goes up by one"
        }
    }
}

let options = parseOptions()

if options.crossover {
    for row in productCrossover() { emit(row) }
} else if options.serve {
    var rounds: [String: Int] = [:]
    while let line = readLine() {
        let text = line.trimmingCharacters()
        guard !text.isEmpty else { continue }
        guard let (key, slice) = parseRequest(text) else {
            writeStandardError("datatool-bench: cannot read the request \(text); expected KEY or KEY I/N\n")
            // The first word, as the key the client waits for (quotes and backslashes dropped).
            let first = String(text.prefix { $0 != " " }.filter { $0 != "\"" && $0 != "\\" })
            print("{\"done\": \"\(first)\"}")
            fflush(nil)
            continue
        }
        do {
            if try runRound(key, round: rounds[key, default: 0], slice: slice, options: options) {
                rounds[key, default: 0] += 1
            }
        } catch {
            writeStandardError("datatool-bench: \(key): \(error)\n")
        }
        print("{\"done\": \"\(key)\"}")
        fflush(nil)
    }
} else {
    for (key, _) in benchmarks where options.only.map({ $0.contains(key) }) ?? true {
        do {
            for round in 0..<options.rounds { _ = try runRound(key, round: round, options: options) }
        } catch {
            writeStandardError("datatool-bench: \(key): \(error)\n")
            exit(1)
        }
    }
}

extension String {
    func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
    }
}
