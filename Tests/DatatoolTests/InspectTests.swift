import Foundation
import Testing
import TestSupport

/// `datatool inspect`: the listing a user sees, and clean failures for files that cannot be read.
@Suite struct InspectTests {
    static func fixture(_ name: String) -> String {
        Datatool.repositoryRoot.appendingPathComponent("Tests/DatasetsTests/Fixtures/hdf5/\(name)").path
    }

    /// What h5py recorded about a fixture's object (`expected.json`, written by
    /// `scripts/fixtures/make_hdf5_fixtures.py`).
    static func expectedObject(_ file: String, _ path: String) throws -> [String: Any] {
        let root = try JSONObject.parse(try Data(contentsOf: URL(fileURLWithPath: fixture("expected.json"))), what: "expected.json")
        let objects = try #require(root["objects"] as? [[String: Any]])
        return try #require(objects.first { $0["file"] as? String == file && $0["path"] as? String == path })
    }

    static func shapeText(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    @Test func listsFeaturesWithShapeTypeLayoutAndFilters() throws {
        let file = Self.fixture("labelled.h5")
        let run = try Datatool.run(["inspect", file])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let features = try Self.expectedObject("labelled.h5", "/features")
        let shape = try #require(features["shape"] as? [Int])
        let chunks = try #require(features["chunks"] as? [Int])
        let line = try #require(run.stdout.split(separator: "\n").first { $0.contains("/features") }, "\(run.stdout)")
        #expect(line.contains(Self.shapeText(shape)))
        #expect(line.contains("float32 LE"))
        #expect(line.contains("chunked \(Self.shapeText(chunks))"))
        #expect(line.contains("deflate (level 4)"))
        #expect(run.stdout.contains("/labels"))
        #expect(run.stdout.contains("int64 LE"))
        #expect(run.stdout.contains("root attributes:"))
        #expect(run.stdout.contains("generator = \"fixture\""))
        #expect(run.stderr.isEmpty)
    }

    @Test func nestedGroupsAndLayoutsAppearInTheTree() throws {
        let run = try Datatool.run(["inspect", Self.fixture("layouts.h5")])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        for path in ["/data/", "/data/train/", "/data/train/x", "/data/train/y", "/compact", "/contiguous"] {
            #expect(run.stdout.contains(path), "missing \(path) in:\n\(run.stdout)")
        }
        #expect(run.stdout.contains("compact"))
        #expect(run.stdout.contains("float64 BE"))
        #expect(run.stdout.contains("shuffle"))
        #expect(run.stdout.contains("fletcher32"))
        #expect(run.stdout.contains("@split = \"train\""))
    }

    @Test func jsonIsOneObjectWithTheListing() throws {
        let run = try Datatool.run(["inspect", Self.fixture("labelled.h5"), "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try run.json()
        let objects = try #require(object["objects"] as? [[String: Any]])
        let features = try #require(objects.first { $0["path"] as? String == "/features" })
        let expected = try Self.expectedObject("labelled.h5", "/features")
        #expect(features["shape"] as? [Int] == expected["shape"] as? [Int])
        #expect(features["chunks"] as? [Int] == expected["chunks"] as? [Int])
        #expect(features["type"] as? String == "float32 LE")
        #expect(features["layout"] as? String == expected["layout"] as? String)
        let filters = try #require(features["filters"] as? [[String: Any]])
        #expect(filters.compactMap { $0["id"] as? Int } == [1])
        let attributes = try #require(object["attributes"] as? [String: Any])
        #expect(attributes["generator"] as? String == "fixture")
    }

    @Test func helpHasAnExample() throws {
        let run = try Datatool.run(["inspect", "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("EXAMPLES:"))
        #expect(run.stdout.contains("datatool inspect"))
    }

    /// A missing file, a file that is not HDF5 and a truncated one, with what the error says.
    static let badFiles = [
        ("no-such-file.h5", "no such file"), ("not_hdf5.h5", "is not an HDF5 file"), ("truncated.h5", "truncated"),
    ]

    @Test(arguments: InspectTests.badFiles)
    func badFileIsACleanFailure(name: String, says: String) throws {
        let file = Self.fixture(name)
        let run = try Datatool.run(["inspect", file])
        expectCleanFailure(run, mentioning: ["error: ", file, says])
        Self.expectOneLine(run)
    }

    @Test func directoryIsACleanFailure() throws {
        let folder = try Datatool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Datatool.run(["inspect", folder.path])
        expectCleanFailure(run, mentioning: ["error: ", folder.path, "is a directory"])
        Self.expectOneLine(run)
    }

    /// One line on stderr, no usage text, nothing from HDF5's own error printer.
    static func expectOneLine(_ run: DatatoolRun, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr should be one line, got: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(lines.first?.hasPrefix("error: ") == true, sourceLocation: sourceLocation)
        #expect(!run.stderr.contains("USAGE"), sourceLocation: sourceLocation)
        #expect(!run.stderr.contains("HDF5-DIAG"), sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, sourceLocation: sourceLocation)
    }
}
