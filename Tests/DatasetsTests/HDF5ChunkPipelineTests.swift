import Testing
import Datasets

/// Which filter pipelines the chunk reader undoes itself.
@Suite struct HDF5ChunkPipelineTests {
    private func filter(_ id: Int, _ parameters: [UInt32] = []) -> HDF5Filter {
        HDF5Filter(id: id, name: HDF5Filter.wellKnownName(of: id), parameters: parameters, isAvailable: true)
    }

    @Test func deflateShuffleAndFletcherInAnyOrder() throws {
        let pipeline = try #require(HDF5ChunkPipeline(filters: [filter(3), filter(2, [4]), filter(1, [6])]))
        #expect(pipeline.steps == [.fletcher32, .shuffle(elementSize: 4), .deflate])
        #expect(HDF5ChunkPipeline(filters: [])?.steps == [])
        #expect(HDF5ChunkPipeline(filters: [filter(1, [4]), filter(1, [9])])?.steps == [.deflate, .deflate])
    }

    @Test func otherFiltersStayWithLibHDF5() {
        #expect(HDF5ChunkPipeline(filters: [filter(32000)]) == nil, "lzf")
        #expect(HDF5ChunkPipeline(filters: [filter(2, [4]), filter(4)]) == nil, "szip")
        #expect(HDF5ChunkPipeline(filters: [filter(5)]) == nil, "nbit")
        #expect(HDF5ChunkPipeline(filters: [filter(6, [0, 2])]) == nil, "scaleoffset")
        #expect(HDF5ChunkPipeline(filters: [filter(2)]) == nil, "a shuffle without its element size")
        #expect(HDF5ChunkPipeline(filters: [filter(2, [0])]) == nil, "a shuffle of 0-byte elements")
    }

    @Test func filterMasksAndSizeBounds() throws {
        #expect(HDF5ChunkPipeline.isApplied(0, mask: 0))
        #expect(!HDF5ChunkPipeline.isApplied(1, mask: 0b010))
        #expect(HDF5ChunkPipeline.isApplied(2, mask: 0b010))
        let pipeline = try #require(HDF5ChunkPipeline(filters: [filter(2, [4]), filter(1, [4]), filter(3)]))
        #expect(pipeline.largestIntermediate(chunkBytes: 1000) == 1004)
        #expect(pipeline.largestStored(chunkBytes: 1000) >= Zlib.compressBound(1004))
        let plain = try #require(HDF5ChunkPipeline(filters: [filter(3)]))
        #expect(plain.largestStored(chunkBytes: 1000) == 1004)
    }
}
