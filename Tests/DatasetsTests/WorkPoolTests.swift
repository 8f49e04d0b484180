import Testing
import Datasets

/// Tasks on a few threads: each runs once, workers never overlap, the first error wins.
@Suite struct WorkPoolTests {
    /// Counts per task and the workers in use, behind a lock.
    final class Record: @unchecked Sendable {
        let lock = RecursiveLock()
        var runs: [Int]
        var busy: Set<Int> = []
        var overlaps = 0
        var workers: Set<Int> = []

        init(tasks: Int) { runs = [Int](repeating: 0, count: tasks) }

        func start(_ worker: Int, _ task: Int) {
            lock.withLock {
                runs[task] += 1
                if !busy.insert(worker).inserted { overlaps += 1 }
                workers.insert(worker)
            }
        }

        func end(_ worker: Int) { _ = lock.withLock { busy.remove(worker) } }
    }

    @Test(arguments: [(0, 2), (1, 2), (7, 1), (100, 2), (100, 3), (5, 8)])
    func everyTaskRunsOnceOnDistinctWorkers(tasks: Int, workers: Int) throws {
        let record = Record(tasks: tasks)
        try WorkPool.run(tasks: tasks, workers: workers) { worker, task in
            record.start(worker, task)
            var x = 0.0
            for i in 0..<2000 { x += Double(i).squareRoot() }
            #expect(x > 0)
            record.end(worker)
        }
        #expect(record.runs.allSatisfy { $0 == 1 })
        #expect(record.overlaps == 0)
        #expect(record.workers.allSatisfy { $0 >= 0 && $0 < max(1, min(workers, tasks)) })
    }

    @Test func theFirstErrorIsRethrownAndStopsNewTasks() {
        struct Failure: Error, Equatable { let task: Int }
        let record = Record(tasks: 1000)
        #expect(throws: Failure.self) {
            try WorkPool.run(tasks: 1000, workers: 2) { worker, task in
                record.start(worker, task)
                record.end(worker)
                if task == 3 { throw Failure(task: task) }
            }
        }
        #expect(record.runs.reduce(0, +) < 1000, "tasks after the failure are not started")
    }
}
