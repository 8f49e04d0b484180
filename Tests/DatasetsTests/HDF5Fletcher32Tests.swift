import Foundation
import Testing
import Datasets

/// HDF5's Fletcher-32 checksum against the checksums libhdf5 stored in the fixtures.
@Suite struct HDF5Fletcher32Tests {
    /// Every checksummed chunk of the fixtures (h5py wrote them; some are of odd length:
    /// checksums over gzip output) carries the checksum computed here.
    @Test func matchesWhatHDF5Stored() throws {
        let fixture = try FastPathFixture.load()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try HDF5Fixtures.path("fastpath.h5"))))
        var odd = 0
        var checked = 0
        for dataset in ["fletcher32", "gzip_then_shuffle", "narrow_fletcher32", "shuffle_gzip_fletcher32"] {
            for chunk in try fixture.chunks(in: "fastpath.h5", dataset) where chunk.mask == 0 {
                let body = Array(bytes[chunk.address..<(chunk.address + chunk.size - 4)])
                let t = Array(bytes[(chunk.address + chunk.size - 4)..<(chunk.address + chunk.size)])
                let stored = UInt32(t[0]) | UInt32(t[1]) << 8 | UInt32(t[2]) << 16 | UInt32(t[3]) << 24
                if body.count % 2 == 1 { odd += 1 }
                body.withUnsafeBytes { raw in
                    #expect(HDF5Fletcher32.checksum(raw) == stored, "\(dataset) chunk at \(chunk.offset)")
                    #expect(HDF5Fletcher32.matches(raw, stored: stored))
                    #expect(!HDF5Fletcher32.matches(raw, stored: stored ^ 0x0100))
                }
                checked += 1
            }
        }
        #expect(checked > 20)
        #expect(odd > 0, "some checksummed chunk should have an odd length")
    }

    /// The byte arrangement of HDF5 releases before 1.6.3 (the bytes of each 16-bit half
    /// swapped) is accepted, as libhdf5 accepts it.
    @Test func acceptsTheOldByteArrangement() {
        let data: [UInt8] = Array(0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        data.withUnsafeBytes { raw in
            let sum = HDF5Fletcher32.checksum(raw)
            let swapped = (sum & 0x00FF_00FF) << 8 | (sum & 0xFF00_FF00) >> 8
            #expect(HDF5Fletcher32.matches(raw, stored: swapped))
        }
        #expect([UInt8]().withUnsafeBytes { HDF5Fletcher32.checksum($0) } == 0)
    }
}
