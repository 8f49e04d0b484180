import Datasets
import Foundation
import Testing
import TestSupport

/// `datatool sample` under a real launcher: 4 processes from OpenMPI's `mpirun` (Debian's
/// `openmpi-bin`, installed by `scripts/test`) take their rank and world size from
/// `OMPI_COMM_WORLD_RANK` / `OMPI_COMM_WORLD_SIZE`.
@Suite struct MPILaunchTests {
    static func which(_ program: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    @Test func fourRanksUnderMpirunShareTheStream() throws {
        let mpirun = try #require(Self.which("mpirun"), "mpirun is missing: apt-get install openmpi-bin (scripts/test does)")
        let dir = try Datatool.temporaryDirectory()
        let file = dir.appendingPathComponent("s.h5").path
        try writeLabelledDataset(try SpiralSpecification(counts: [500, 50, 5], noise: 0.1, seed: 3).generate(), to: file)
        let arguments = ["sample", file, "--batch-size", "9", "--epochs", "2", "--finetune-epochs", "1", "--seed", "11"]

        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        let outputs = dir.appendingPathComponent("ranks")
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-n", "4", "--output-filename", outputs.path,
                             Datatool.executable.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        for name in ["RANK", "WORLD_SIZE"] { environment[name] = nil }
        // OpenMPI refuses root without these (in addition to the flag) on some versions.
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        process.environment = environment
        // mpirun echoes every rank's output on its own stdout too: discard it (an unread pipe
        // would fill up and block mpirun). A watchdog ends a launcher that hangs.
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 300, execute: watchdog)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        try #require(process.terminationStatus == 0, "mpirun failed: \(errors)")

        // mpirun writes each rank's stdout to <dir>/1/rank.<r>/stdout.
        let jobDirs = try FileManager.default.contentsOfDirectory(atPath: outputs.path)
        let job = try #require(jobDirs.first)
        var union = [String: [Int]]()
        var perRank = [Int]()
        for rank in 0..<4 {
            let text = try String(contentsOf: outputs.appendingPathComponent("\(job)/rank.\(rank)/stdout"), encoding: .utf8)
            let lines = try text.split(separator: "\n").map {
                try JSONObject.parse(String($0), what: "a line of rank \(rank)'s output")
            }
            perRank.append(lines.count)
            for line in lines {
                let batch = try #require(line["batch"] as? Int)
                #expect(batch % 4 == rank, "rank \(rank) printed global batch \(batch)")
                let key = "\(line["epoch"] as? Int ?? -1)/\(batch)"
                #expect(union[key] == nil, "batch \(key) printed by two ranks")
                union[key] = line["indices"] as? [Int]
            }
        }
        #expect(Set(perRank).count == 1, "ranks printed \(perRank) batches")
        #expect(perRank.allSatisfy { $0 > 0 })

        // Together they are the global stream: every batch of a single-process run, plus
        // padding batches that make the count a multiple of 4.
        let single = try Datatool.run(arguments)
        let global = single.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(global.count > 0)
        for line in global {
            let key = "\(line["epoch"] as? Int ?? -1)/\(line["batch"] as? Int ?? -1)"
            #expect(union[key] == line["indices"] as? [Int], "global batch \(key) differs or is missing")
        }
        #expect(union.count == perRank.reduce(0, +))
        #expect(union.count - global.count < 3 * 4, "more padding than 3 epochs × (w − 1) batches")
    }
}
