/// Decoded chunks kept between reads, least recently used first out, within a byte budget.
///
/// Not thread-safe: the chunk reader calls it only from the thread that plans a read, before
/// and after the workers run (never while they do). During a read, the chunks it hit and the
/// entries it admitted are pinned: ``admit(_:)`` evicts only entries the read does not use,
/// because the read first looks up every chunk it needs (so its hits are the most recent
/// entries) and admits at most ``room`` new ones.
package final class HDF5ChunkCache {
    /// The most bytes of decoded chunks held.
    package let budget: Int
    /// Bytes per decoded chunk.
    package let chunkBytes: Int
    /// The most chunks held: `budget / chunkBytes`.
    package let capacity: Int

    private var slotOfChunk: [Int: Int] = [:]
    private var chunkOfSlot: [Int] = []
    private var buffers: [UnsafeMutableRawPointer] = []
    // A doubly linked list of slots, most recent at `head`.
    private var newer: [Int] = []
    private var older: [Int] = []
    private var head = -1
    private var tail = -1
    private var freeSlots: [Int] = []
    /// Slots touched or filled since ``beginRead()``.
    private var pinned = 0

    /// Creates an empty cache.
    package init(budget: Int, chunkBytes: Int) {
        self.budget = max(0, budget)
        self.chunkBytes = max(1, chunkBytes)
        capacity = self.budget / self.chunkBytes
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }

    /// Chunks held now.
    package var count: Int { slotOfChunk.count }

    /// Bytes of decoded chunks allocated (slots are allocated on first use and reused).
    package var bytesHeld: Int { buffers.count * chunkBytes }

    /// Starts planning a read: nothing pinned yet.
    package func beginRead() {
        pinned = 0
    }

    /// How many more chunks this read may admit without evicting one it uses.
    package var room: Int { max(0, capacity - pinned) }

    /// The decoded bytes of `chunk` if held, marking it most recently used (and pinned for this
    /// read).
    package func lookup(_ chunk: Int) -> UnsafeRawPointer? {
        guard let slot = slotOfChunk[chunk] else { return nil }
        moveToHead(slot)
        pinned += 1
        return UnsafeRawPointer(buffers[slot])
    }

    /// A buffer for `chunk`'s decoded bytes, entered as most recently used, evicting the least
    /// recently used entry when full; `nil` when nothing may be admitted (``room`` is 0). The
    /// caller must fill it before the read ends, or ``remove(_:)`` it.
    package func admit(_ chunk: Int) -> UnsafeMutableRawPointer? {
        guard room > 0, slotOfChunk[chunk] == nil else { return nil }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else if buffers.count < capacity {
            slot = buffers.count
            buffers.append(.allocate(byteCount: chunkBytes, alignment: 64))
            chunkOfSlot.append(-1)
            newer.append(-1)
            older.append(-1)
        } else {
            slot = tail
            unlink(slot)
            slotOfChunk[chunkOfSlot[slot]] = nil
        }
        chunkOfSlot[slot] = chunk
        slotOfChunk[chunk] = slot
        linkAtHead(slot)
        pinned += 1
        return buffers[slot]
    }

    /// Forgets `chunk` (a read that failed before filling an admitted buffer); its buffer is
    /// kept for reuse.
    package func remove(_ chunk: Int) {
        guard let slot = slotOfChunk.removeValue(forKey: chunk) else { return }
        unlink(slot)
        chunkOfSlot[slot] = -1
        freeSlots.append(slot)
    }

    private func moveToHead(_ slot: Int) {
        guard head != slot else { return }
        unlink(slot)
        linkAtHead(slot)
    }

    private func linkAtHead(_ slot: Int) {
        older[slot] = head
        newer[slot] = -1
        if head >= 0 { newer[head] = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    private func unlink(_ slot: Int) {
        let n = newer[slot], o = older[slot]
        if n >= 0 { older[n] = o } else { head = o }
        if o >= 0 { newer[o] = n } else { tail = n }
        newer[slot] = -1
        older[slot] = -1
    }
}
