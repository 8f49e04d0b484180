// Our side of `bench/run`: each benchmark prints one JSON line {"key", "value", "unit", "note"}.
// Run in release mode: `swift run -c release datatool-bench [--only KEY,...] [--data DIR]`.
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
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
        switch argument {
        case "--only": options.only = Set((arguments.next() ?? "").split(separator: ",").map(String.init))
        case "--data": options.dataDirectory = arguments.next() ?? options.dataDirectory
        default:
            writeStandardError("datatool-bench: unknown argument \(argument); expected --only KEY,... or --data DIR\n")
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
    ("batch_assembly", { _ in try batchAssembly() }),
    ("ce_4096x1000", { _ in try crossEntropy(rows: 4096, classes: 1000, key: "ce_4096x1000") }),
    ("ce_128x3", { _ in try crossEntropy(rows: 128, classes: 3, key: "ce_128x3") }),
    ("mlp_step", { _ in try mlpStep() }),
]

for (key, run) in benchmarks where options.only.map({ $0.contains(key) }) ?? true {
    do {
        for row in try run(options) { emit(row) }
    } catch {
        writeStandardError("datatool-bench: \(key): \(error)\n")
        exit(1)
    }
}
