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

/// One round of every measurement of benchmark `key`, printed; sets the benchmark up first
/// if this is its first round.
@MainActor
func runRound(_ key: String, round: Int, options: Options) throws {
    guard let make = benchmarks.first(where: { $0.0 == key })?.1 else {
        throw BenchmarkError.unknownKey(key, known: benchmarks.map(\.0))
    }
    if prepared[key] == nil {
        let measurements = try make(options)
        for measurement in measurements { try measurement.warmUp() }
        prepared[key] = measurements
    }
    for measurement in prepared[key] ?? [] {
        let (value, cpuValue) = try measurement.round()
        emit(Row(key: measurement.key, value: value, cpuValue: cpuValue, unit: measurement.unit,
                 threads: measurement.threads, round: round, note: measurement.note()))
    }
}

enum BenchmarkError: Error, CustomStringConvertible {
    case unknownKey(String, known: [String])
    var description: String {
        switch self {
        case .unknownKey(let key, let known):
            return "unknown benchmark \(key); expected one of \(known.joined(separator: ", "))"
        }
    }
}

let options = parseOptions()

if options.crossover {
    for row in productCrossover() { emit(row) }
} else if options.serve {
    var rounds: [String: Int] = [:]
    while let line = readLine() {
        let key = line.trimmingCharacters()
        guard !key.isEmpty else { continue }
        do {
            try runRound(key, round: rounds[key, default: 0], options: options)
            rounds[key, default: 0] += 1
        } catch {
            writeStandardError("datatool-bench: \(key): \(error)\n")
        }
        print("{\"done\": \"\(key)\"}")
        fflush(nil)
    }
} else {
    for (key, _) in benchmarks where options.only.map({ $0.contains(key) }) ?? true {
        do {
            for round in 0..<options.rounds { try runRound(key, round: round, options: options) }
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
