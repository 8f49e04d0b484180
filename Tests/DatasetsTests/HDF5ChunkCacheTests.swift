import Testing
import Datasets

/// The decoded-chunk cache: budget, least-recently-used eviction, pinning within a read.
@Suite struct HDF5ChunkCacheTests {
    @Test func capacityIsTheBudgetInWholeChunks() {
        #expect(HDF5ChunkCache(budget: 1000, chunkBytes: 300).capacity == 3)
        #expect(HDF5ChunkCache(budget: 299, chunkBytes: 300).capacity == 0)
        #expect(HDF5ChunkCache(budget: 0, chunkBytes: 300).capacity == 0)
        let none = HDF5ChunkCache(budget: 100, chunkBytes: 300)
        none.beginRead()
        #expect(none.admit(1) == nil, "no room when the budget holds no chunk")
    }

    @Test func hitsReturnTheAdmittedBuffer() {
        let cache = HDF5ChunkCache(budget: 3 * 64, chunkBytes: 64)
        cache.beginRead()
        #expect(cache.lookup(7) == nil)
        let buffer = try! #require(cache.admit(7))
        buffer.storeBytes(of: 0xDEAD_BEEF, as: UInt32.self)
        cache.beginRead()
        let hit = try! #require(cache.lookup(7))
        #expect(hit == UnsafeRawPointer(buffer))
        #expect(hit.load(as: UInt32.self) == 0xDEAD_BEEF)
        #expect(cache.admit(7) == nil, "a chunk already held is not admitted twice")
        #expect(cache.count == 1 && cache.bytesHeld == 64)
    }

    @Test func theLeastRecentlyUsedChunkIsEvictedFirst() {
        let cache = HDF5ChunkCache(budget: 3 * 16, chunkBytes: 16)
        for chunk in [1, 2, 3] {
            cache.beginRead()
            #expect(cache.admit(chunk) != nil)
        }
        cache.beginRead()
        #expect(cache.lookup(1) != nil)  // 2 is now the least recently used
        cache.beginRead()
        #expect(cache.admit(4) != nil)
        #expect(cache.count == 3 && cache.bytesHeld == 3 * 16)
        cache.beginRead()
        #expect(cache.lookup(2) == nil, "chunk 2 was evicted")
        for chunk in [1, 3, 4] { #expect(cache.lookup(chunk) != nil, "chunk \(chunk) kept") }
    }

    /// Chunks a read uses are never evicted by that read's admissions.
    @Test func aReadNeverEvictsWhatItUses() {
        let cache = HDF5ChunkCache(budget: 2 * 16, chunkBytes: 16)
        cache.beginRead()
        _ = cache.admit(1)
        _ = cache.admit(2)
        #expect(cache.room == 0)
        #expect(cache.admit(3) == nil)
        cache.beginRead()
        #expect(cache.lookup(2) != nil)
        #expect(cache.room == 1)
        #expect(cache.admit(3) != nil)  // evicts 1, not 2
        #expect(cache.room == 0)
        cache.beginRead()
        #expect(cache.lookup(1) == nil && cache.lookup(2) != nil && cache.lookup(3) != nil)
    }

    @Test func aRemovedChunkFreesItsSlotForReuse() {
        let cache = HDF5ChunkCache(budget: 2 * 16, chunkBytes: 16)
        cache.beginRead()
        let first = cache.admit(1)
        cache.remove(1)
        #expect(cache.count == 0)
        cache.beginRead()
        #expect(cache.lookup(1) == nil)
        let again = cache.admit(5)
        #expect(again == first, "the freed buffer is reused")
        #expect(cache.bytesHeld == 16)
        cache.remove(42)  // not held: nothing happens
        #expect(cache.count == 1)
    }
}
