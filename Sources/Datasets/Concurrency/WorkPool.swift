import Dispatch

/// Runs independent tasks on a few threads, handing them out in order to whichever worker is
/// free, and rethrows the first error (after which no new task starts).
package enum WorkPool {
    /// Runs `body(worker, task)` for every task in `0..<tasks` on up to `workers` threads
    /// (the calling thread is one of them). `worker` is in `0..<workers` and no two threads
    /// use the same `worker` at once, so per-worker scratch indexed by it needs no lock.
    ///
    /// - Throws: The first error `body` threw.
    package static func run(tasks: Int, workers: Int, _ body: (_ worker: Int, _ task: Int) throws -> Void) throws {
        let threads = min(workers, tasks)
        if threads <= 1 {
            for task in 0..<tasks { try body(0, task) }
            return
        }
        let dispenser = Dispenser(tasks: tasks)
        try withoutActuallyEscaping(body) { body in
            // `concurrentPerform` wants a `@Sendable` closure. `body` is called from several
            // threads at once by contract (each with its own `worker`), and it does not outlive
            // this call: `concurrentPerform` returns only when every iteration has.
            let shared = UncheckedSendableBody(body: body)
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                while let task = dispenser.next() {
                    do {
                        try shared.body(worker, task)
                    } catch {
                        dispenser.fail(error)
                    }
                }
            }
            if let error = dispenser.error { throw error }
        }
    }

    /// A task body that the caller promises may run on several threads at once.
    private struct UncheckedSendableBody: @unchecked Sendable {
        let body: (_ worker: Int, _ task: Int) throws -> Void
    }

    /// The next task number and the first error, behind a lock.
    private final class Dispenser: @unchecked Sendable {
        private let lock = RecursiveLock()
        private let tasks: Int
        private var nextTask = 0
        private var firstError: (any Error)?

        init(tasks: Int) {
            self.tasks = tasks
        }

        func next() -> Int? {
            lock.withLock {
                guard firstError == nil, nextTask < tasks else { return nil }
                defer { nextTask += 1 }
                return nextTask
            }
        }

        func fail(_ error: any Error) {
            lock.withLock {
                if firstError == nil { firstError = error }
            }
        }

        var error: (any Error)? {
            lock.withLock { firstError }
        }
    }
}
