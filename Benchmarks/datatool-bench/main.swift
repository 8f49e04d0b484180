// Our side of `bench/run`: each benchmark prints one JSON line {"key", "value", "unit", "note"}.
// Run in release mode: `swift run -c release datatool-bench [--only KEY,...] [--data DIR] [--lookahead W]`.
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
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
        switch argument {
        case "--only": options.only = Set((arguments.next() ?? "").split(separator: ",").map(String.init))
        case "--data": options.dataDirectory = arguments.next() ?? options.dataDirectory
        case "--lookahead":
            guard let value = arguments.next().flatMap({ Int($0) }), value >= 1 else {
                writeStandardError("datatool-bench: --lookahead needs a number of batches ≥ 1\n")
                exit(2)
            }
            options.lookahead = value
        default:
            writeStandardError("datatool-bench: unknown argument \(argument); expected --only KEY,..., --data DIR or --lookahead W\n")
            exit(2)
        }
    }
    return options
}

func emit(_ row: Row) {
    print(row.json)
}

func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { raw in _ = write(2, raw.baseAddress, raw.count) }
}

let options = parseOptions()

let benchmarks: [(String, (Options) throws -> [Row])] = [
    ("memcpy", { _ in memcpyBandwidth() }),
    ("spiral", { _ in try spiralGeneration() }),
    ("balanced_stream", { _ in try balancedStream() }),
    ("index_stream_k1000", { _ in try longTailStream() }),
    ("batch_assembly", { _ in try batchAssembly() }),
    ("ce_4096x1000", { _ in try crossEntropy(rows: 4096, classes: 1000, key: "ce_4096x1000") }),
    ("ce_128x3", { _ in try crossEntropy(rows: 128, classes: 3, key: "ce_128x3") }),
    ("mlp_step", { _ in try mlpStep() }),
    ("full_read", { try hdf5FullRead($0) }),
    ("ooc_gzip", { try hdf5OutOfCoreGzip($0) }),
    ("ooc_contiguous", { try hdf5OutOfCoreContiguous($0) }),
]

for (key, run) in benchmarks where options.only.map({ $0.contains(key) }) ?? true {
    do {
        for row in try run(options) { emit(row) }
    } catch {
        writeStandardError("datatool-bench: \(key): \(error)\n")
        exit(1)
    }
}
