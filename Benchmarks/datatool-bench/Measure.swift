#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds on a monotonic clock.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// With `DATATOOL_BENCH_PROFILE` set, every benchmark runs its body just twice (warm-up and
/// one timed call), for valgrind/callgrind, whose instruction counts are repeatable.
let profiling = getenv("DATATOOL_BENCH_PROFILE") != nil

/// Runs `body` (which does `work` units) repeatedly for at least `minimum` seconds, `rounds`
/// times, and returns the best rate in units per second. Best-of is the usual choice for
/// throughput on a shared machine: interference only ever slows a round down.
func rate(work: Double, rounds: Int = 5, minimum: Double = 0.2, _ body: () throws -> Void) rethrows -> Double {
    try body()  // warm-up: page faults, first allocations, caches
    if profiling {
        let start = now()
        try body()
        return work / (now() - start)
    }
    var best = 0.0
    for _ in 0..<rounds {
        var iterations = 0
        let start = now()
        var elapsed = 0.0
        repeat {
            try body()
            iterations += 1
            elapsed = now() - start
        } while elapsed < minimum
        best = max(best, Double(iterations) * work / elapsed)
    }
    return best
}

/// Keeps a value alive so the optimiser cannot drop the work that made it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// One result row, printed as a JSON line for `bench/report.py`.
struct Row {
    var key: String
    var value: Double
    var unit: String
    var note: String = ""

    var json: String {
        let escapedNote = note.replacingOccurrences(of: "\"", with: "'")
        return "{\"key\": \"\(key)\", \"value\": \(value), \"unit\": \"\(unit)\", \"note\": \"\(escapedNote)\"}"
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
