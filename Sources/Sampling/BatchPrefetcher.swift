import Datasets
import Foundation

/// Assembles batches on a background thread, a bounded number ahead of the consumer, so a
/// training step never waits for its batch when assembly is faster than a step.
///
/// The producer thread owns the ``BatchLoader`` (schedule and row source) and fills spare
/// ``Batch`` buffers; ``next(into:)`` swaps a filled one with the consumer's used one. After
/// warm-up nothing is allocated: `depth + 1` batch buffers circulate.
///
/// Errors the loader throws (a failed HDF5 read, say) are handed to the consumer: the next
/// ``next(into:)`` after the batches before it throws them. ``cancel()`` (or deinit) stops the
/// producer and waits for it, so no thread outlives the prefetcher.
///
/// The batches and their order are exactly those the loader produces on its own.
///
/// ```swift
/// let prefetcher = BatchPrefetcher(loader: loader, depth: 4)
/// var batch = Batch()
/// while try prefetcher.next(into: &batch) { train(on: batch) }
/// ```
public final class BatchPrefetcher<Source: FeatureRowSource & Sendable>: Sendable {
    private let state: PrefetchState

    /// Starts the producer thread.
    ///
    /// - Parameters:
    ///   - loader: The batches to produce; the prefetcher takes it over.
    ///   - depth: How many filled batches may wait for the consumer (at least 1).
    public init(loader: BatchLoader<Source>, depth: Int = 4) {
        let state = PrefetchState(spares: max(1, depth))
        self.state = state
        let thread = Thread { [loader] in
            var loader = loader
            state.produce { batch in try loader.next(into: &batch) }
        }
        thread.name = "BatchPrefetcher"
        thread.start()
    }

    deinit {
        state.cancelAndWait()
    }

    /// Swaps the next batch into `batch` (whose buffers go back to the producer for reuse).
    ///
    /// - Returns: `false` once the stream is over (or after ``cancel()``).
    /// - Throws: The error the loader threw, once the batches before it have been consumed.
    public func next(into batch: inout Batch) throws -> Bool {
        try state.take(into: &batch)
    }

    /// Stops the producer and waits for its thread to end. Later ``next(into:)`` calls return
    /// `false`.
    public func cancel() {
        state.cancelAndWait()
    }
}

/// Shared between the producer thread and the consumer; every field is guarded by `condition`.
private final class PrefetchState: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Batch] = []
    private var spares: [Batch]
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private var producerRunning = true

    init(spares count: Int) {
        spares = (0..<count).map { _ in Batch() }
        ready.reserveCapacity(count + 1)
    }

    /// The producer loop: fill spare batches until the stream ends, fails or is cancelled.
    func produce(_ fill: (inout Batch) throws -> Bool) {
        while true {
            condition.lock()
            while spares.isEmpty && !cancelled { condition.wait() }
            if cancelled {
                producerRunning = false
                condition.broadcast()
                condition.unlock()
                return
            }
            var batch = spares.removeLast()
            condition.unlock()

            var more = false
            var thrown: (any Error)?
            do { more = try fill(&batch) } catch { thrown = error }

            condition.lock()
            if more {
                ready.append(batch)
            } else {
                spares.append(batch)
                finished = true
                failure = thrown
            }
            let done = !more
            if done { producerRunning = false }
            condition.broadcast()
            condition.unlock()
            if done { return }
        }
    }

    func take(into batch: inout Batch) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !finished && !cancelled { condition.wait() }
        if cancelled { return false }
        if !ready.isEmpty {
            swap(&batch, &ready[0])
            spares.append(ready.removeFirst())
            condition.broadcast()
            return true
        }
        if let failure {
            self.failure = nil
            throw failure
        }
        return false
    }

    func cancelAndWait() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while producerRunning { condition.wait() }
        condition.unlock()
    }
}
