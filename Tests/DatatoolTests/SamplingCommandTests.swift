import Datasets
import Foundation
import Testing
import TestSupport

/// `datatool balance-stats` and `datatool sample` run as a user would, on files from our writer
/// and on h5py-written fixtures with other dataset paths.
@Suite struct SamplingCommandTests {
    static let fixtures = Datatool.repositoryRoot.appendingPathComponent("Tests/DatasetsTests/Fixtures/hdf5")

    /// A spiral file 1000/100/10 written by the library.
    static func spiralFile(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("spiral.h5").path
        let data = try SpiralSpecification(counts: [1000, 100, 10], noise: 0.2, seed: 1).generate()
        try writeLabelledDataset(data, to: path)
        return path
    }

    static func jsonObject(_ text: String) throws -> [String: Any] {
        try JSONObject.parse(text, what: "a line of datatool's output")
    }

    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try jsonObject(String($0)) }
    }

    @Test func balanceStatsJSONHasTheDocumentedFields() throws {
        let dir = try Datatool.temporaryDirectory()
        let file = try Self.spiralFile(in: dir)
        let run = try Datatool.run(["balance-stats", file, "--batch-size", "96", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try Self.jsonObject(run.stdout)
        #expect(object["n"] as? Int == 1110)
        #expect(object["classes"] as? Int == 3)
        #expect(object["imbalance_ratio"] as? Double == 100)
        #expect(object["batch_size"] as? Int == 96)
        #expect(object["balanced_batches_per_epoch"] as? Int == 32)
        #expect(object["finetune_batches_per_epoch"] as? Int == 12)
        let perClass = try #require(object["per_class"] as? [[String: Any]])
        #expect(perClass.map { $0["count"] as? Int } == [1000, 100, 10])
        #expect(perClass.map { $0["draws_per_epoch"] as? Int } == [1024, 1024, 1024])
        let repetition = perClass.compactMap { $0["repetition"] as? Double }
        #expect(repetition.count == 3 && abs(repetition[2] - 102.4) < 1e-9)
        let inverse = perClass.compactMap { $0["weight_inverse"] as? Double }
        #expect(inverse.count == 3 && abs(inverse[0] - 0.37) < 1e-9 && abs(inverse[2] - 37) < 1e-9)
        #expect(perClass.allSatisfy { $0["weight_effective"] is Double && $0["frequency"] is Double && $0["label"] is Int })
        // The policy's figures: T = K·M = 3000 rounded up to 3072, 1024 draws of each class,
        // a sample of the 10-sample class drawn 102 or 103 times (four of them 103).
        #expect(object["policy"] as? String == "balanced")
        #expect(object["epoch_draws"] as? Int == 3072)
        #expect(perClass.map { $0["quota"] as? Int } == [1024, 1024, 1024])
        #expect(perClass.map { $0["draws_min"] as? Int } == [1, 10, 102])
        #expect(perClass.map { $0["draws_max"] as? Int } == [2, 11, 103])
        #expect(perClass.map { $0["draws_median"] as? Double } == [1, 10, 102])

        // With --schedule, the figures of every phase.
        let phases = try Self.jsonObject(try Datatool.run(["balance-stats", file, "--batch-size", "96", "--schedule", "natural:2,balanced:1", "--json"]).stdout)
        let list = try #require(phases["phases"] as? [[String: Any]])
        #expect(list.map { $0["policy"] as? String } == ["natural", "balanced"])
        #expect(list.map { $0["phase_index"] as? Int } == [0, 1] && list.map { $0["epochs"] as? Int } == [2, 1])
        #expect(list.map { $0["epoch_draws"] as? Int } == [1110, 3072])

        let table = try Datatool.run(["balance-stats", file, "--batch-size", "96"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("imbalance ratio 100.0:1"))
        #expect(table.stdout.contains("102.40×"))
    }

    @Test func balanceStatsReadsOtherDatasetPathsOfH5pyFiles() throws {
        let file = Self.fixtures.appendingPathComponent("layouts.h5").path
        let run = try Datatool.run(["balance-stats", file, "--features", "/data/train/x", "--labels", "/data/train/y", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try Self.jsonObject(run.stdout)
        #expect(object["n"] as? Int == 20)
    }

    @Test func sampleStreamsBalancedThenFinetuneBatches() throws {
        let dir = try Datatool.temporaryDirectory()
        let file = try Self.spiralFile(in: dir)
        let run = try Datatool.run(["sample", file, "--batch-size", "6", "--epochs", "1", "--finetune-epochs", "1", "--seed", "3"])
        #expect(run.status == 0, "\(run.stderr)")
        let batches = try Self.lines(run.stdout)
        let balanced = batches.filter { $0["phase"] as? String == "balanced" }
        let finetune = batches.filter { $0["phase"] as? String == "natural" }
        #expect(balanced.allSatisfy { $0["phase_index"] as? Int == 0 })
        #expect(finetune.allSatisfy { $0["phase_index"] as? Int == 1 })
        #expect(balanced.count == 500)   // ⌈1000 / 2⌉
        #expect(finetune.count == 185)   // ⌈1110 / 6⌉
        for batch in balanced {
            let labels = try #require(batch["labels"] as? [Int])
            #expect(labels.sorted() == [0, 0, 1, 1, 2, 2])
            #expect((batch["indices"] as? [Int])?.count == 6)
        }
        let all = finetune.flatMap { ($0["indices"] as? [Int]) ?? [] }
        #expect(all.sorted() == Array(0..<1110))
        // The same seed prints the same bytes; another seed does not.
        let again = try Datatool.run(["sample", file, "--batch-size", "6", "--epochs", "1", "--finetune-epochs", "1", "--seed", "3"])
        #expect(again.stdout == run.stdout)
        let other = try Datatool.run(["sample", file, "--batch-size", "6", "--epochs", "1", "--finetune-epochs", "1", "--seed", "4"])
        #expect(other.stdout != run.stdout)
    }

    @Test func sampleResumesAndShardsLikeTheFullStream() throws {
        let dir = try Datatool.temporaryDirectory()
        let file = try Self.spiralFile(in: dir)
        let common = ["sample", file, "--batch-size", "9", "--epochs", "2", "--finetune-epochs", "1", "--seed", "5"]
        let full = try Self.lines(try Datatool.run(common).stdout)
        let resumed = try Self.lines(try Datatool.run(common + ["--start-epoch", "1", "--start-batch", "7"]).stdout)
        let start = try #require(full.firstIndex { $0["epoch"] as? Int == 1 && $0["batch"] as? Int == 7 })
        #expect(resumed.count == full.count - start)
        #expect(NSArray(array: resumed).isEqual(to: Array(full[start...])))

        var union = [String: [Int]]()
        var perRank = [Int]()
        for rank in 0..<3 {
            let run = try Datatool.run(common + ["--rank", String(rank), "--world-size", "3"])
            #expect(run.status == 0, "\(run.stderr)")
            let lines = try Self.lines(run.stdout)
            perRank.append(lines.count)
            for line in lines {
                let key = "\(line["epoch"] as? Int ?? -1)/\(line["batch"] as? Int ?? -1)"
                #expect(union[key] == nil, "batch \(key) on two ranks")
                union[key] = line["indices"] as? [Int]
            }
        }
        #expect(Set(perRank).count == 1, "ranks got \(perRank) batches")
        // Every batch of the unsharded stream is in the union (the rest is padding).
        for line in full {
            let key = "\(line["epoch"] as? Int ?? -1)/\(line["batch"] as? Int ?? -1)"
            #expect(union[key] == line["indices"] as? [Int], "batch \(key)")
        }
        #expect(union.count >= full.count && union.count < full.count + 3 * 3)
    }

    @Test func sampleTakesRankAndWorldSizeFromLauncherEnvironments() throws {
        let dir = try Datatool.temporaryDirectory()
        let file = try Self.spiralFile(in: dir)
        let args = ["sample", file, "--batch-size", "9", "--epochs", "1"]
        let flagged = try Datatool.run(args + ["--rank", "1", "--world-size", "2"]).stdout
        var env = ProcessInfo.processInfo.environment
        env["RANK"] = "1"
        env["WORLD_SIZE"] = "2"
        #expect(try Datatool.run(args, environment: env).stdout == flagged)
        env["RANK"] = nil
        env["WORLD_SIZE"] = nil
        env["OMPI_COMM_WORLD_RANK"] = "1"
        env["OMPI_COMM_WORLD_SIZE"] = "2"
        #expect(try Datatool.run(args, environment: env).stdout == flagged)
        env["OMPI_COMM_WORLD_RANK"] = "two"
        expectCleanFailure(try Datatool.run(args, environment: env), mentioning: ["OMPI_COMM_WORLD_RANK", "two"])
    }

    @Test func badInputGetsOneClearLine() throws {
        let dir = try Datatool.temporaryDirectory()
        let file = try Self.spiralFile(in: dir)
        let bad = Self.fixtures.appendingPathComponent("bad.h5").path
        let cases: [([String], [String])] = [
            (["balance-stats", dir.appendingPathComponent("missing.h5").path], ["missing.h5", "no such file"]),
            (["sample", Self.fixtures.appendingPathComponent("not_hdf5.h5").path, "--batch-size", "3"], ["not_hdf5.h5", "not an HDF5 file"]),
            (["sample", Self.fixtures.appendingPathComponent("truncated.h5").path, "--batch-size", "3"], ["truncated.h5"]),
            (["balance-stats", file, "--labels", "/nope"], ["/nope", "/labels"]),
            (["balance-stats", bad, "--labels", "/float_labels"], ["/float_labels", "integers"]),
            (["balance-stats", bad, "--labels", "/labels_negative"], ["/labels_negative", "-"]),
            (["balance-stats", bad, "--labels", "/labels_short"], ["/features", "/labels_short"]),
            (["balance-stats", bad, "--features", "/rank3"], ["/rank3"]),
            (["balance-stats", bad, "--labels", "/strings"], ["/strings"]),
            (["balance-stats", file, "--sampler", "squareroot"], ["--sampler", "unknown sampling policy \"squareroot\""]),
            (["sample", file, "--sampler", "power:1.5"], ["--sampler", "q = 1.5", "[0, 1]"]),
            (["sample", file, "--sampler", "repeat:0"], ["--sampler", "t = 0", "greater than 0"]),
            (["sample", file, "--sampler", "repeat:-2"], ["--sampler", "t = -2"]),
            (["sample", file, "--schedule", "balanced:3,natral:2"], ["--schedule", "phase 2", "natral"]),
            (["sample", file, "--schedule", "balanced:3;natural:2"], ["--schedule", "phase 1", "POLICY:EPOCHS"]),
            (["sample", file, "--schedule", "balanced:0"], ["--schedule", "EPOCHS ≥ 1"]),
            (["sample", file, "--schedule", "balanced:3", "--epochs", "2"], ["--schedule", "--epochs"]),
            (["sample", file, "--epoch-length", "samples:0"], ["--epoch-length", "samples:0"]),
            (["sample", file, "--epoch-length", "forever"], ["--epoch-length", "forever"]),
            (["sample", file, "--batch-size", "64", "--epoch-length", "samples:50"], ["batch size 64", "50 draws"]),
            (["sample", file, "--classes", "4"], ["class 3", "no samples"]),
            (["balance-stats", file, "--batch-size", "0"], ["--batch-size"]),
            (["balance-stats", file, "--classes", "5"], ["class 3", "no samples"]),
            (["balance-stats", file, "--sampler", "progressive:3"], ["takes no parameter"]),
            (["balance-stats", file, "--classes", "2"], ["label 2", "0..<2"]),
            (["sample", file, "--batch-size", "6", "--epochs", "-1"], ["--epochs"]),
            (["sample", file, "--batch-size", "6", "--rank", "2", "--world-size", "2"], ["--rank", "0..<2"]),
            (["sample", file, "--batch-size", "6", "--start-epoch", "9"], ["--start-epoch"]),
            (["sample", file, "--batch-size", "2000", "--sampler", "natural", "--drop-last"], ["batch size 2000", "1110"]),
            (["sample", file, "--batch-size", "6", "--frobnicate"], ["--frobnicate"]),
        ]
        for (arguments, fragments) in cases {
            let run = try Datatool.run(arguments)
            expectCleanFailure(run, mentioning: fragments)
            #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): expected one line, got \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(arguments) printed \(run.stdout)")
        }
    }

    /// 1,000 long-tailed classes, n_c from 1280 down to 5 (geometric), one feature.
    static func longTailFile(in directory: URL) throws -> (path: String, counts: [Int]) {
        let counts = (0..<1000).map { c in Int((1280 * pow(5.0 / 1280, Double(c) / 999)).rounded()) }
        let labels = counts.enumerated().flatMap { c, n in repeatElement(Int32(c), count: n) }
        let data = try LabelledDataset(features: labels.map { Float($0) }, dimension: 1, labels: labels, classCount: 1000)
        let path = directory.appendingPathComponent("longtail.h5").path
        try writeLabelledDataset(data, to: path)
        return (path, counts)
    }

    @Test("1,000 long-tailed classes with B = 256: balance-stats and sample work")
    func longTailedThousandClasses() throws {
        let dir = try Datatool.temporaryDirectory()
        let (file, counts) = try Self.longTailFile(in: dir)
        let stats = try Self.jsonObject(try Datatool.run(["balance-stats", file, "--json"]).stdout)
        #expect(stats["batch_size"] as? Int == 256)   // the default
        #expect(stats["epoch_draws"] as? Int == 1_280_000)
        #expect(stats["balanced_batches_per_epoch"] as? Int == 5000)
        let perClass = try #require(stats["per_class"] as? [[String: Any]])
        #expect(perClass.count == 1000 && perClass.allSatisfy { $0["quota"] as? Int == 1280 })
        #expect(perClass.last?["draws_min"] as? Int == 256)
        let sqrt = try Self.jsonObject(try Datatool.run(["balance-stats", file, "--sampler", "sqrt", "--epoch-length", "batches:100", "--json"]).stdout)
        #expect(sqrt["policy"] as? String == "sqrt" && sqrt["epoch_draws"] as? Int == 25_600)
        let sqrtClasses = try #require(sqrt["per_class"] as? [[String: Any]])
        let seen = sqrtClasses.compactMap { $0["seen_share"] as? Double }
        #expect(seen.count == 1000 && seen.contains { $0 < 1 }, "a short epoch leaves some samples unseen")

        let run = try Datatool.run(["sample", file, "--epoch-length", "batches:12", "--seed", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        let batches = try Self.lines(run.stdout)
        #expect(batches.count == 12)
        for batch in batches {
            let labels = try #require(batch["labels"] as? [Int])
            #expect(labels.count == 256 && Set(labels).count == 256, "K > B: no class twice in a batch")
        }
        let progressive = try Datatool.run(["sample", file, "--schedule", "progressive:3,natural:1", "--epoch-length", "batches:4"])
        #expect(progressive.status == 0, "\(progressive.stderr)")
        let lines = try Self.lines(progressive.stdout)
        #expect(lines.map { $0["phase"] as? String ?? "" }.filter { $0 == "progressive" }.count == 12)
        #expect(lines.count == 16 && lines.last?["phase_index"] as? Int == 1)
        _ = counts
    }

    @Test("3 classes with B = 256: 85 or 86 of each class in every batch")
    func threeClassesWith256() throws {
        let dir = try Datatool.temporaryDirectory()
        let file = try Self.spiralFile(in: dir)
        let run = try Datatool.run(["sample", file, "--batch-size", "256"])
        #expect(run.status == 0, "\(run.stderr)")
        let batches = try Self.lines(run.stdout)
        #expect(batches.count == 12)
        for batch in batches {
            let labels = try #require(batch["labels"] as? [Int])
            let perClass = (0..<3).map { c in labels.filter { $0 == c }.count }
            #expect(perClass.allSatisfy { $0 == 85 || $0 == 86 }, "\(perClass)")
        }
    }

    @Test("--output schedule.h5: h5py reads back exactly the JSON lines, for a sharded phase schedule")
    func scheduleFileReadsBackWithH5py() throws {
        let dir = try Datatool.temporaryDirectory()
        let file = try Self.spiralFile(in: dir)
        let schedule = dir.appendingPathComponent("schedule.h5").path
        let common = ["sample", file, "--batch-size", "50", "--schedule", "progressive:2,sqrt:1,natural:1", "--seed", "9", "--rank", "1", "--world-size", "3"]
        let written = try Datatool.run(common + ["--output", schedule])
        #expect(written.status == 0 && written.stdout.isEmpty, "\(written.stderr)")
        let lines = try Datatool.run(common).stdout
        let replay = try PythonScript.run("scripts/schedule_replay.py", [schedule, file])
        try #require(replay.status == 0, "schedule_replay.py failed: \(replay.stderr)")
        let replayed = String(decoding: replay.stdout, as: UTF8.self)
        let expected = try Self.lines(lines), actual = try Self.lines(replayed)
        #expect(expected.count > 0 && expected.count == actual.count)
        #expect(NSArray(array: expected).isEqual(to: actual), "the file's batches differ from the JSON lines")
        // An existing file is kept without --force, replaced with it.
        let again = try Datatool.run(common + ["--output", schedule])
        expectCleanFailure(again, mentioning: ["schedule.h5", "--force"])
        #expect(try Datatool.run(common + ["--output", schedule, "--force"]).status == 0)
    }
}
