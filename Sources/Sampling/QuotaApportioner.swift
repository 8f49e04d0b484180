import Datasets

/// Splits an epoch's class quotas into its batches.
///
/// With b batches of B and quotas Q_c summing to b·B, class c gets f_c = ⌊Q_c / b⌋ samples in
/// every batch plus one *extra* in r_c = Q_c − b·f_c of the batches; the R = B − Σ f_c extra
/// slots of a batch go to R different classes. Who gets the extras is a proportionate-fair
/// (Pfair) schedule: each class is a task of weight r_c / b on R processors, scheduled by
/// Anderson & Srinivasan's PD² rule ("Mixed Pfair/ERfair scheduling of asynchronous periodic
/// tasks", ECRTS 2001; Baruah, Cohen, Plaxton & Varvel, "Proportionate progress", Algorithmica
/// 1996): the i-th extra of c is due by batch ⌈i·b / r_c⌉ and not given before batch
/// ⌊(i − 1)·b / r_c⌋; the earliest due goes first, ties by PD²'s b-bit and group deadline,
/// then by a shuffled class rotation. PD² is optimal when the weights sum to R, so every extra
/// comes within its window: after any batch j a class's draws are within 1 of its share
/// (j + 1)·Q_c / b, every batch holds f_c or f_c + 1 of class c, and the epoch exactly Q_c.
/// When K > B (balanced), f_c = 0 and every class has the same weight: the batches walk
/// through the rotation, no class twice in a batch.
///
/// Batches past b (padding for sharding) repeat the plan from its first batch.
///
/// - Complexity: O(K) to start an epoch; O(R log K) a batch (one heap pop per extra slot).
struct QuotaApportioner: Sendable {
    /// b.
    let batchCount: Int
    /// R, extra slots per batch.
    let extrasPerBatch: Int
    /// The classes with f_c > 0, in label order.
    let floorClasses: [Int32]
    /// f_c for every class.
    let floors: [Int32]
    /// r_c for every class.
    private let extras: [Int32]
    /// The class rotation: `rotation[rank]` is a class.
    private let rotation: [Int32]
    private let rankOf: [Int32]
    /// Extras given so far this pass of the plan.
    private var given: [Int32]
    /// Every class's next extra, by PD² priority.
    private var queue = MinimumHeap<Priority>()
    /// Extras taken off the queue this batch before their release.
    private var deferred: [Priority] = []
    /// Released extras tied for the last slots of a batch (several labels a sample).
    private var tied: [Priority] = []
    /// The classes given an extra slot in the batch being drawn (``nextBatch(appearances:_:)``).
    private var chosen: [Int32] = []
    /// 1 for a class with f_c > 0 among ``chosen``, while its draws are handed out.
    private var bonus: [UInt8]
    /// The next batch within the plan (0..<b; padding past b starts the plan again).
    private var slot = 0

    /// PD² priority of a class's next extra: smaller is more urgent.
    struct Priority: Comparable, Sendable {
        /// deadline << 1 | (1 − b-bit).
        var due: UInt64
        /// (UInt32.max − group deadline) << 32 | rotation rank.
        var tie: UInt64
        static func < (a: Priority, b: Priority) -> Bool { a.due != b.due ? a.due < b.due : a.tie < b.tie }
    }

    /// - Parameters:
    ///   - quotas: Q_c, summing to `batchCount · batchSize`.
    ///   - batchCount: b ≥ 1.
    ///   - batchSize: B.
    ///   - rotationSeed: Seeds the shuffled class rotation that breaks ties.
    init(quotas: [Int], batchCount: Int, batchSize: Int, rotationSeed: UInt64) {
        internalInvariant(quotas.reduce(0, +) == batchCount * batchSize, "quotas sum to \(quotas.reduce(0, +)), expected \(batchCount)·\(batchSize)")
        let k = quotas.count
        self.batchCount = batchCount
        var floors = [Int32](repeating: 0, count: k)
        var extras = [Int32](repeating: 0, count: k)
        var floorClasses = [Int32]()
        var floorSum = 0
        for (c, q) in quotas.enumerated() {
            floors[c] = Int32(q / batchCount)
            extras[c] = Int32(q % batchCount)
            floorSum += q / batchCount
            if q >= batchCount { floorClasses.append(Int32(c)) }
        }
        self.floors = floors
        self.extras = extras
        self.floorClasses = floorClasses
        self.extrasPerBatch = batchSize - floorSum
        var rotation = (0..<Int32(k)).map { $0 }
        var rng = Xoshiro256StarStar(seed: rotationSeed)
        rotation.fisherYatesShuffle(using: &rng)
        self.rotation = rotation
        var rankOf = [Int32](repeating: 0, count: k)
        for (rank, c) in rotation.enumerated() { rankOf[Int(c)] = Int32(rank) }
        self.rankOf = rankOf
        self.given = [Int32](repeating: 0, count: k)
        self.bonus = [UInt8](repeating: 0, count: k)
        restartPlan()
    }

    /// Back to the plan's first batch (at an epoch's start, and again for padding).
    private mutating func restartPlan() {
        for c in given.indices { given[c] = 0 }
        var items = [Priority]()
        for c in extras.indices where extras[c] > 0 { items.append(priority(of: c, extra: 0)) }
        queue.build(items)
    }

    /// Moves on a batch and hands out its draws class by class: `draw(c, m)` for every class
    /// with m = f_c or f_c + 1 ≥ 1 draws in the batch, first the classes with f_c = 0 that get
    /// one of its R extra slots (in the order PD² gives them), then the classes with f_c > 0
    /// in label order — the order a batch is written in before its shuffle.
    ///
    /// - Parameters:
    ///   - appearances: With several labels a sample, each label's appearances so far this
    ///     epoch (counting every label of every drawn sample). Where PD² leaves a choice (more
    ///     extras tied on deadline, b-bit and group deadline than slots left), the labels with
    ///     the fewest appearances get the slots, then the rotation decides. `nil`: the rotation
    ///     alone.
    ///   - draw: Takes a class and its draws in the batch.
    /// - Complexity: O(R log K + classes with f_c > 0).
    @inline(__always)
    mutating func nextBatch(appearances: UnsafeBufferPointer<Int>? = nil, _ draw: (_ c: Int, _ m: Int) -> Void) {
        chooseExtras(appearances: appearances)
        // Index loops: iterating the arrays themselves would retain them around every call.
        for i in chosen.indices {
            let c = Int(chosen[i])
            if floors[c] == 0 { draw(c, 1) } else { bonus[c] = 1 }
        }
        for i in floorClasses.indices {
            let c = Int(floorClasses[i])
            let extra = bonus[c]
            if extra != 0 { bonus[c] = 0 }
            draw(c, Int(floors[c]) + Int(extra))
        }
    }

    /// Puts the classes that get an extra slot in the next batch (R of them, distinct) in
    /// ``chosen``, and moves on a batch.
    private mutating func chooseExtras(appearances: UnsafeBufferPointer<Int>?) {
        chosen.removeAll(keepingCapacity: true)
        // R = 0 (every quota a multiple of b): nothing to choose.
        if extrasPerBatch > 0 {
            deferred.removeAll(keepingCapacity: true)
            // The most urgent released extras. A class whose next extra is not released yet is
            // set aside; consecutive windows of a class overlap by at most one batch, so that is
            // rare.
            while chosen.count < extrasPerBatch, let p = queue.pop() {
                let c = rotation[Int(p.tie & 0xFFFF_FFFF)]
                if release(of: Int(c), extra: Int(given[Int(c)])) > slot {
                    deferred.append(p)
                } else if let appearances {
                    chooseAmongTied(p, appearances: appearances)
                } else {
                    chosen.append(c)
                }
            }
            // Never needed when every extra keeps to its window; kept so the quotas stay exact
            // whatever happens: the most urgent of those set aside.
            var reused = 0
            while chosen.count < extrasPerBatch && reused < deferred.count {
                chosen.append(rotation[Int(deferred[reused].tie & 0xFFFF_FFFF)])
                reused += 1
            }
            for p in deferred[reused...] { queue.push(p) }
            for c32 in chosen {
                let c = Int(c32)
                given[c] += 1
                if given[c] < extras[c] { queue.push(priority(of: c, extra: Int(given[c]))) }
            }
        }
        internalInvariant(chosen.count == extrasPerBatch, "batch \(slot) of the plan: \(chosen.count) extra slots filled, expected \(extrasPerBatch)")
        slot += 1
        if slot == batchCount {
            internalInvariant(zip(given, extras).allSatisfy { $0 == $1 }, "the plan's last batch left extras ungiven")
            slot = 0
            restartPlan()
        }
    }

    /// Gives the slots left to `first` and the released extras tied with it (same deadline,
    /// b-bit and group deadline), fewest appearances first; the rest go back on the queue.
    private mutating func chooseAmongTied(_ first: Priority, appearances: UnsafeBufferPointer<Int>) {
        tied.removeAll(keepingCapacity: true)
        tied.append(first)
        while let q = queue.top, q.due == first.due, q.tie >> 32 == first.tie >> 32 {
            _ = queue.pop()
            let c = rotation[Int(q.tie & 0xFFFF_FFFF)]
            if release(of: Int(c), extra: Int(given[Int(c)])) > slot { deferred.append(q) } else { tied.append(q) }
        }
        let room = extrasPerBatch - chosen.count
        if tied.count > room {
            let rotation = self.rotation
            func key(_ p: Priority) -> (Int, UInt64) { (appearances[Int(rotation[Int(p.tie & 0xFFFF_FFFF)])], p.tie & 0xFFFF_FFFF) }
            tied.sort { key($0) < key($1) }
            for p in tied[room...] { queue.push(p) }
        }
        for p in tied.prefix(room) { chosen.append(rotation[Int(p.tie & 0xFFFF_FFFF)]) }
    }

    /// ⌊i·b / r_c⌋ for the 0-based extra i.
    private func release(of c: Int, extra i: Int) -> Int {
        i * batchCount / Int(extras[c])
    }

    private func priority(of c: Int, extra i: Int) -> Priority {
        let r = Int(extras[c]), b = batchCount
        let due = (i + 1) * b
        let deadline = (due + r - 1) / r
        let bBit = due % r != 0 ? 1 : 0
        var group = 0
        if 2 * r >= b {
            // Heavy task: D = ⌈⌈d·(1 − w)⌉ / (1 − w)⌉ with w = r / b.
            let light = b - r
            let g = (deadline * light + b - 1) / b
            group = (g * b + light - 1) / light
        }
        return Priority(
            due: UInt64(deadline) << 1 | UInt64(1 - bBit),
            tie: UInt64(UInt32.max - UInt32(clamping: group)) << 32 | UInt64(rankOf[c]))
    }
}
