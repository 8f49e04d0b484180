#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Datasets
import Foundation
import Testing

/// `gen-spiral --force` killed with SIGKILL at random moments while it replaces an existing
/// HDF5 file and its PNG plot: each file is always either the old one, byte for byte, or the
/// complete new one; never a partial file. The next normal run leaves no temporary files.
@Suite struct AtomicWriteTests {
    /// Points per class of the new file: big enough that writing takes a noticeable share of a
    /// run in the debug build (about 0.1 s inside the HDF5 temporary file, then about 0.5 s
    /// rendering the plot), small enough for 24 kills in well under a minute on a quiet machine (the limit allows for
    /// a loaded one).
    static let pointsPerClass = 30_000
    static let kills = 24

    enum Version: String { case old, new }

    @Test(.timeLimit(.minutes(10)))
    func killedOverwriteLeavesOldOrCompleteNewFiles() throws {
        let folder = try Datatool.temporaryDirectory()
        let h5 = folder.appendingPathComponent("s.h5")
        let png = folder.appendingPathComponent("s.png")

        // The old files, and the new ones from an uninterrupted reference run elsewhere.
        let old = try Datatool.run(
            ["gen-spiral", "--counts", "300,30,3", "--seed", "1", "--output", "s.h5", "--plot", "s.png"], in: folder)
        try #require(old.status == 0, "\(old.stderr)")
        let oldH5 = try Data(contentsOf: h5)
        let oldPNG = try Data(contentsOf: png)
        let newArguments = [
            "gen-spiral", "--classes", "3", "--points", String(Self.pointsPerClass), "--noise", "0.1", "--seed", "2",
            "--output", "s.h5", "--plot", "s.png", "--force",
        ]
        // The reference run is watched to learn when each file is being written: from its
        // temporary file's appearance to the rename that publishes it.
        let reference = try Datatool.temporaryDirectory()
        let marks = try watchedRun(newArguments, in: reference)
        let total = try #require(marks["end"])
        let slack = 0.03
        let windows: [(Double, Double)] = [
            (max(0, (marks["h5 temporary"] ?? 0) - slack), (marks["h5"] ?? total) + slack),
            (max(0, (marks["png temporary"] ?? marks["h5"] ?? 0) - slack), (marks["png"] ?? total) + slack),
            (0, total * 1.2),
        ]
        let newPNG = try Data(contentsOf: reference.appendingPathComponent("s.png"))
        let expected = try SpiralSpecification(
            counts: [Int](repeating: Self.pointsPerClass, count: 3), noise: 0.1, seed: 2).generate()

        var rng = Xoshiro256StarStar(seed: 20_240_601)
        var killed = 0
        var seen: [String: Int] = [:]
        var temporariesAfterKills = 0
        // The reference run's marks come from one run under the test's load; when kills aimed
        // at the HDF5 write still find it published, the later ones aim earlier, so the old
        // file is seen however fast these runs are.
        var h5Scale = 1.0
        for attempt in 0..<Self.kills {
            try oldH5.write(to: h5)
            try oldPNG.write(to: png)
            // In turn: during the HDF5 write, during the PNG write, anywhere (and a little after).
            let window = windows[attempt % windows.count]
            let scale = attempt % windows.count == 0 ? h5Scale : 1
            let delay = scale * (window.0 + rng.nextUnitDouble() * (window.1 - window.0))

            let process = Self.quietProcess(newArguments, in: folder)
            try process.run()
            usleep(useconds_t(delay * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killed += 1 }

            let h5Version = try version(of: h5, old: oldH5) { url in
                try loadLabelledDataset(path: url.path) == expected
            }
            let pngVersion = try version(of: png, old: oldPNG) { url in
                try Data(contentsOf: url) == newPNG
            }
            if attempt % windows.count == 0 && h5Version == .new { h5Scale *= 0.6 }
            seen["h5 \(h5Version?.rawValue ?? "partial")", default: 0] += 1
            seen["png \(pngVersion?.rawValue ?? "partial")", default: 0] += 1
            #expect(h5Version != nil, "attempt \(attempt), kill after \(delay) s: s.h5 is neither the old file nor the complete new one")
            #expect(pngVersion != nil, "attempt \(attempt), kill after \(delay) s: s.png is neither the old file nor the complete new one")
            // The plot is written after the data.
            if pngVersion == .new { #expect(h5Version == .new, "attempt \(attempt): new plot but old data") }
            temporariesAfterKills += try temporaries(in: folder).count
        }
        // The kills did land on both sides of the replacement (else the test proved little).
        #expect(killed >= Self.kills / 4, "only \(killed) of \(Self.kills) runs were still running when killed")
        #expect(seen["h5 old", default: 0] > 0 && seen["h5 new", default: 0] > 0, "outcomes: \(seen)")

        // A normal run afterwards cleans up what the killed runs left.
        let last = try Datatool.run(newArguments, in: folder)
        #expect(last.status == 0, "\(last.stderr)")
        let left = try temporaries(in: folder)
        #expect(left.isEmpty, "temporary files left: \(left)")
        #expect(try loadLabelledDataset(path: h5.path) == expected)
        #expect(try Data(contentsOf: png) == newPNG)
        print("atomic writes: reference run \(marks.sorted { $0.value < $1.value }); \(killed) kills of \(Self.kills) runs, temporaries seen after kills \(temporariesAfterKills), outcomes \(seen.sorted { $0.key < $1.key })")
    }

    /// A `datatool` process with `arguments` in `folder`, its output discarded, not yet started.
    private static func quietProcess(_ arguments: [String], in folder: URL) -> Process {
        let process = Process()
        process.executableURL = Datatool.executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
    }

    /// Runs datatool with `arguments` in the empty `folder`, looking at the folder every
    /// millisecond: seconds from the start until `.s.h5.tmp-*`, `s.h5`, `.s.png.tmp-*` and
    /// `s.png` first appeared, and until the end ("end").
    private func watchedRun(_ arguments: [String], in folder: URL) throws -> [String: Double] {
        let process = Self.quietProcess(arguments, in: folder)
        let started = Date()
        try process.run()
        let watched: [(String, (String) -> Bool)] = [
            ("h5 temporary", { $0.hasPrefix(".s.h5.tmp-") }), ("h5", { $0 == "s.h5" }),
            ("png temporary", { $0.hasPrefix(".s.png.tmp-") }), ("png", { $0 == "s.png" }),
        ]
        var marks: [String: Double] = [:]
        while process.isRunning {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            let now = Date().timeIntervalSince(started)
            for (key, matches) in watched where marks[key] == nil && names.contains(where: matches) {
                marks[key] = now
            }
            usleep(1000)
        }
        process.waitUntilExit()
        marks["end"] = Date().timeIntervalSince(started)
        try #require(process.terminationStatus == 0, "the reference run failed")
        return marks
    }

    /// `.old` when `url` holds exactly `old`, `.new` when `isNew` accepts it, `nil` otherwise.
    private func version(of url: URL, old: Data, isNew: (URL) throws -> Bool) throws -> Version? {
        let bytes = try Data(contentsOf: url)
        if bytes == old { return .old }
        return (try? isNew(url)) == true ? .new : nil
    }

    /// The temporary files of `s.h5` and `s.png` in `folder`.
    private func temporaries(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix(".s.h5.tmp-") || $0.hasPrefix(".s.png.tmp-") || $0.hasSuffix(".tmp") }
    }
}
