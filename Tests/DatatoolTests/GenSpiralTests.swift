#if canImport(Glibc)
import Glibc
#endif
import Datasets
@testable import datatool
import Foundation
import Testing
import TestSupport

@Suite struct GenSpiralTests {
    /// Runs `scripts/h5py_readback.py` on `file` and returns its JSON report.
    static func h5py(_ file: String) throws -> [String: Any] {
        let run = try PythonScript.run("scripts/h5py_readback.py", [file])
        try #require(run.status == 0, "h5py_readback.py failed: \(run.stderr) (pip install h5py numpy)")
        return try JSONObject.parse(run.stdout, what: "h5py_readback.py's report")
    }

    @Test("the issue's example: h5py reads /features (1110, 2) float32 and /labels int64 1000/100/10, and a PNG")
    func issueExample() throws {
        let dir = try Datatool.temporaryDirectory()
        let run = try Datatool.run(
            ["gen-spiral", "--counts", "1000,100,10", "--noise", "0.2", "--seed", "1", "--output", "s.h5", "--plot", "s.png"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try Self.h5py(dir.appendingPathComponent("s.h5").path)
        let datasets = try #require(report["datasets"] as? [String: [String: Any]])
        #expect(datasets["/features"]?["shape"] as? [Int] == [1110, 2])
        #expect(datasets["/features"]?["dtype"] as? String == "<f4")  // float32, little-endian
        #expect(datasets["/labels"]?["shape"] as? [Int] == [1110])
        #expect(datasets["/labels"]?["dtype"] as? String == "<i8")  // int64, little-endian
        let counts = try #require(report["label_counts"] as? [String: Int])
        #expect(counts == ["0": 1000, "1": 100, "2": 10])
        let attributes = try #require(report["attributes"] as? [String: Any])
        #expect(attributes["generator"] as? String == "spiral")
        #expect(attributes["counts"] as? [Int] == [1000, 100, 10])
        #expect(attributes["noise"] as? Double == 0.2)
        #expect(attributes["seed"] as? Int == 1)
        // The values h5py reads are the generator's.
        let expected = try SpiralSpecification(counts: [1000, 100, 10], noise: 0.2, seed: 1).generate()
        let sum = try #require(datasets["/features"]?["sum"] as? Double)
        #expect(abs(sum - expected.features.reduce(0.0) { $0 + Double($1) }) < 1e-6)
        // The PNG decodes and has the size we asked for, with all three class colours.
        let png = try PNGImage(pngData: Array(try Data(contentsOf: dir.appendingPathComponent("s.png"))))
        #expect(png.width == 800 && png.height == 800)
        var colours = Set<RGBA>()
        for y in 0..<png.height { for x in 0..<png.width { if let p = png.pixel(x: x, y: y) { colours.insert(p) } } }
        for c in 0..<3 { #expect(colours.contains(ScatterPlot.color(forClass: c)), "class \(c) colour missing") }
    }

    @Test func sameSeedSameContentsDifferentSeedDifferent() throws {
        let dir = try Datatool.temporaryDirectory()
        for (name, seed) in [("a.h5", "7"), ("b.h5", "7"), ("c.h5", "8")] {
            let run = try Datatool.run(["gen-spiral", "--classes", "4", "--points", "50", "--noise", "0.3", "--seed", seed, "--output", name], in: dir)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let load = { (name: String) in try loadLabelledDataset(path: dir.appendingPathComponent(name).path) }
        #expect(try load("a.h5") == (try load("b.h5")))
        // Byte-identical files: no timestamps in the object headers.
        let bytes = { (name: String) in try Data(contentsOf: dir.appendingPathComponent(name)) }
        #expect(try bytes("a.h5") == (try bytes("b.h5")))
        #expect(try load("a.h5").features != (try load("c.h5")).features)
    }

    @Test func existingOutputIsKeptWithoutForceAndReplacedWithIt() throws {
        let dir = try Datatool.temporaryDirectory()
        let target = dir.appendingPathComponent("s.h5")
        try Data("precious".utf8).write(to: target)
        let refused = try Datatool.run(["gen-spiral", "--output", "s.h5"], in: dir)
        expectCleanFailure(refused, mentioning: ["s.h5", "already exists", "--force"])
        #expect(try Data(contentsOf: target) == Data("precious".utf8))
        // An existing plot file is refused too, before anything is written.
        try Data("old plot".utf8).write(to: dir.appendingPathComponent("p.png"))
        let plotRefused = try Datatool.run(["gen-spiral", "--output", "new.h5", "--plot", "p.png"], in: dir)
        expectCleanFailure(plotRefused, mentioning: ["p.png", "already exists"])
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("new.h5").path))
        let forced = try Datatool.run(["gen-spiral", "--output", "s.h5", "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try loadLabelledDataset(path: target.path).count == 3000)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test func badInputGetsOneClearLine() throws {
        let dir = try Datatool.temporaryDirectory()
        let cases: [([String], [String])] = [
            (["--counts", "10,0,5", "--output", "x.h5"], ["--counts", "class 1"]),
            (["--counts", "10,-3", "--output", "x.h5"], ["--counts", "-3"]),
            (["--counts", "10,abc", "--output", "x.h5"], ["--counts", "10,abc"]),
            (["--classes", "0", "--output", "x.h5"], ["--classes", "0"]),
            (["--points", "0", "--output", "x.h5"], ["--points"]),
            (["--noise", "-0.5", "--output", "x.h5"], ["--noise", "-0.5"]),
            (["--counts", "5,5", "--points", "3", "--output", "x.h5"], ["--counts", "--points"]),
            (["--counts", "5,5", "--classes", "3", "--output", "x.h5"], ["--classes 3", "--counts"]),
            (["--output", dir.appendingPathComponent("no/such/folder/x.h5").path], ["no/such/folder"]),
            (["--counts", "5,5"], ["--output"]),
        ]
        for (arguments, fragments) in cases {
            let run = try Datatool.run(["gen-spiral"] + arguments, in: dir)
            expectCleanFailure(run, mentioning: fragments)
            #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.h5").path))
    }

    /// A small tmpfs on a fresh folder (root only), or `nil` when it cannot be mounted.
    static func mountTinyFileSystem(_ options: String) throws -> URL? {
        guard getuid() == 0 else { return nil }
        let dir = try Datatool.temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        process.arguments = ["-t", "tmpfs", "-o", options, "tmpfs", dir.path]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? dir : nil
    }

    static func unmount(_ dir: URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = [dir.path]
        try? process.run()
        process.waitUntilExit()
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs to fill needs root"))
    func aFullDiskSaysSoAndKeepsTheExistingFile() throws {
        let dir = try #require(try Self.mountTinyFileSystem("size=64k"), "mount -t tmpfs failed")
        defer { Self.unmount(dir) }
        let small = try Datatool.run(["gen-spiral", "--points", "100", "--output", "s.h5"], in: dir)
        try #require(small.status == 0, "\(small.stderr)")
        let target = dir.appendingPathComponent("s.h5")
        let before = try Data(contentsOf: target)
        let full = try Datatool.run(["gen-spiral", "--points", "20000", "--noise", "0.3", "--output", "s.h5", "--force"], in: dir)
        #expect(full.status == 1 && !full.signalled)
        #expect(full.stderr == "error: no space left on device writing s.h5; the existing file is unchanged\n")
        #expect(try Data(contentsOf: target) == before)
        let fresh = try Datatool.run(["gen-spiral", "--points", "20000", "--noise", "0.3", "--output", "t.h5"], in: dir)
        #expect(fresh.stderr == "error: no space left on device writing t.h5; no file was created\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["s.h5"])
    }
}
