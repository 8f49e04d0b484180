import Foundation

/// The threads that share a large matrix product when ``Matrix/setProductThreadCount(_:)`` asks
/// for more than one: the calling thread and workers of our own, each computing a band of the
/// product's rows with a one-thread `sgemm`.
///
/// OpenBLAS's own threads busy-wait after every call for 2²⁸ cycles (about 0.1 s) before they
/// sleep, so between the products of a training step (tens of milliseconds apart) they never
/// sleep: with two threads on a two-core machine the spinning worker holds the second core for
/// the whole run, and the batch prefetcher and the step's loss and optimizer work fight it for
/// the cores. Our workers block on a condition variable between products, so outside the
/// products the prefetcher has the core. OpenBLAS itself stays on one thread.
///
/// One product at a time uses the workers; a product started on another thread meanwhile runs
/// whole on its own thread (so concurrent callers stay correct, just not parallel).
final class ProductThreads: @unchecked Sendable {
    /// The one pool of the process.
    static let shared = ProductThreads()

    /// Below this many multiply-adds a product stays on one thread: waking a worker costs
    /// some microseconds, a band of a smaller product takes about as long.
    static let minimumMultiplyAdds = 1 << 22
    /// The fewest rows of the product a band has.
    static let minimumBandRows = 32

    private let condition = NSCondition()
    /// Threads that take part in a product, the caller included (guarded by `condition`).
    private var threadCount = 1
    private var startedWorkers = 0
    private var busy = false
    private var job: ((Int) -> Void)?
    private var parts = 0
    private var generation = 0
    private var unfinished = 0

    /// Threads that take part in a large product, the caller included.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return threadCount
    }

    /// Sets the threads that take part in a large product (workers start when first needed).
    func setCount(_ count: Int) {
        condition.lock()
        threadCount = max(1, count)
        condition.unlock()
    }

    /// How many bands an `m × n × k` product is split into.
    func bands(m: Int, n: Int, k: Int) -> Int {
        guard m * n * k >= Self.minimumMultiplyAdds else { return 1 }
        return max(1, min(count, m / Self.minimumBandRows))
    }

    /// The rows of band `part` of `bands` over `m` rows: equal shares, rounded to multiples of
    /// 16 rows (the `sgemm` kernels' row blocks) except at the end.
    static func rows(of part: Int, bands: Int, m: Int) -> Range<Int> {
        func start(_ p: Int) -> Int { p == bands ? m : min(m, (m * p / bands + 8) / 16 * 16) }
        return start(part)..<start(part + 1)
    }

    /// Runs `body(part)` for every part in `0..<parts`, part 0 on the calling thread and the
    /// others on workers, and returns when all are done. When another product holds the workers,
    /// every part runs on the calling thread.
    func run(parts: Int, _ body: (Int) -> Void) {
        condition.lock()
        guard parts > 1, !busy else {
            condition.unlock()
            for part in 0..<parts { body(part) }
            return
        }
        busy = true
        while startedWorkers < parts - 1 {
            startedWorkers += 1
            let part = startedWorkers
            let thread = Thread { [self] in work(part: part) }
            thread.name = "ProductThreads \(part)"
            thread.start()
        }
        withoutActuallyEscaping(body) { body in
            job = body
            self.parts = parts
            unfinished = parts - 1
            generation += 1
            condition.broadcast()
            condition.unlock()
            body(0)
            condition.lock()
            while unfinished > 0 { condition.wait() }
            job = nil
        }
        busy = false
        condition.unlock()
    }

    /// A worker's life: wait for a product, compute band `part` if the product has that many,
    /// report, wait again.
    private func work(part: Int) {
        var seen = 0
        condition.lock()
        while true {
            while generation == seen { condition.wait() }
            seen = generation
            guard part < parts else { continue }
            do {
                // The caller's closure must be let go before the band counts as done: the caller
                // checks, once all bands are in, that it did not escape.
                let band = job
                condition.unlock()
                band?(part)
            }
            condition.lock()
            unfinished -= 1
            if unfinished == 0 { condition.broadcast() }
        }
    }
}
