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

/// Seconds of CPU time this process has used (all its threads).
func processCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
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
    /// Runs once before the first round: the body itself unless a long body has a shorter
    /// warm-up.
    var warmUp: () throws -> Void

    init(key: String, unit: String, threads: Int = 1, work: Double, minimum: Double,
         value: @escaping (Double) -> Double = { $0 }, note: @escaping @autoclosure () -> String,
         warmUp: (() throws -> Void)? = nil, body: @escaping () throws -> Void) {
        self.key = key
        self.unit = unit
        self.threads = threads
        self.work = work
        self.minimum = minimum
        self.value = value
        self.note = note
        self.body = body
        self.warmUp = warmUp ?? body
    }

    /// One timed round: the figure from the rate over at least `minimum` seconds of wall
    /// time, and the same figure per second of this process's CPU time (which other processes
    /// on a shared machine disturb much less).
    func round() throws -> (wall: Double, cpu: Double?) {
        figures(try run(for: minimum))
    }

    /// Calls the body until at least `seconds` of wall time have passed (once at least, and
    /// once only when profiling): the work done and the time it took. A round in slices
    /// (`bench/run --slices`) is several of these, alternated with the anchor's.
    func run(for seconds: Double) throws -> RoundTotals {
        var iterations = 0
        let start = now(), cpuStart = processCPUTime()
        var elapsed = 0.0
        repeat {
            try body()
            iterations += 1
            elapsed = now() - start
        } while elapsed < seconds && !profiling
        return RoundTotals(work: Double(iterations) * work, seconds: elapsed, cpuSeconds: processCPUTime() - cpuStart)
    }

    /// The round's figure from its totals, per second of wall time and of CPU time.
    func figures(_ totals: RoundTotals) -> (wall: Double, cpu: Double?) {
        (value(totals.work / totals.seconds), totals.cpuSeconds > 0 ? value(totals.work / totals.cpuSeconds) : nil)
    }
}

/// The work and time of a round, or of its slices so far.
struct RoundTotals {
    var work = 0.0
    var seconds = 0.0
    var cpuSeconds = 0.0

    static func + (a: RoundTotals, b: RoundTotals) -> RoundTotals {
        RoundTotals(work: a.work + b.work, seconds: a.seconds + b.seconds, cpuSeconds: a.cpuSeconds + b.cpuSeconds)
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
    /// The figure per second of CPU time instead of wall time.
    var cpuValue: Double? = nil
    var unit: String
    var threads: Int = 1
    var round: Int = 0
    var note: String = ""

    var json: String {
        let escapedNote = note.replacingOccurrences(of: "\"", with: "'")
        let cpu = cpuValue.map { "\"cpu_value\": \($0), " } ?? ""
        return "{\"key\": \"\(key)\", \"value\": \(value), \(cpu)\"unit\": \"\(unit)\", \"threads\": \(threads), "
            + "\"round\": \(round), \"note\": \"\(escapedNote)\"}"
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
