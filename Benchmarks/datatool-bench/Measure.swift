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

/// With `DATATOOL_BENCH_PROFILE` set, every round runs its body just once, for
/// valgrind/callgrind, whose instruction counts are repeatable.
let profiling = getenv("DATATOOL_BENCH_PROFILE") != nil

/// One figure of a benchmark: `body` does `work` units; a round calls it until at least
/// `minimum` seconds have passed and reports `value(units per second)`.
///
/// A benchmark builds its measurements once (setup and a warm-up call of each body) and then
/// runs as many rounds as asked; `bench/run` interleaves our rounds with the anchor's, so
/// both sides see the same load on a shared machine.
struct Measurement {
    var key: String
    var unit: String
    /// Threads this side uses (the row states both sides).
    var threads: Int
    var work: Double
    var minimum: Double
    /// The reported figure from a round's rate: the rate itself unless a row reports, say,
    /// microseconds per call or GB/s.
    var value: (Double) -> Double = { $0 }
    /// Read after each round (it may report counters the round changed).
    var note: () -> String
    var body: () throws -> Void

    init(key: String, unit: String, threads: Int = 1, work: Double, minimum: Double,
         value: @escaping (Double) -> Double = { $0 }, note: @escaping @autoclosure () -> String,
         body: @escaping () throws -> Void) {
        self.key = key
        self.unit = unit
        self.threads = threads
        self.work = work
        self.minimum = minimum
        self.value = value
        self.note = note
        self.body = body
    }

    /// One timed round: the figure from the rate over at least `minimum` seconds.
    func round() throws -> Double {
        var iterations = 0
        let start = now()
        var elapsed = 0.0
        repeat {
            try body()
            iterations += 1
            elapsed = now() - start
        } while elapsed < minimum && !profiling
        return value(Double(iterations) * work / elapsed)
    }
}

/// Keeps a value alive so the optimiser cannot drop the work that made it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// One result line for `bench/report.py`: a round of a measurement.
struct Row {
    var key: String
    var value: Double
    var unit: String
    var threads: Int = 1
    var round: Int = 0
    var note: String = ""

    var json: String {
        let escapedNote = note.replacingOccurrences(of: "\"", with: "'")
        return "{\"key\": \"\(key)\", \"value\": \(value), \"unit\": \"\(unit)\", \"threads\": \(threads), "
            + "\"round\": \(round), \"note\": \"\(escapedNote)\"}"
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
