import Datasets
import Foundation
import Testing
import Training

#if canImport(Glibc)
import Glibc
#endif

/// Every command against every kind of bad input, run as a user would run `datatool`: each must
/// exit non-zero, not by a signal, with exactly one line on stderr that starts with `error:` and
/// names what was wrong.
@Suite struct BadInputSuiteTests {
    struct Case: CustomStringConvertible {
        var what: String
        var arguments: [String]
        var fragments: [String]
        var asUnprivileged = false
        var description: String { "\(what): datatool \(arguments.joined(separator: " "))" }
    }

    static let fixtures = Datatool.repositoryRoot.appendingPathComponent("Tests/DatasetsTests/Fixtures/hdf5")

    /// The commands that read a labelled file, with the smallest settings that reach the data.
    static func fileCommands(_ file: String, _ extra: [String] = []) -> [[String]] {
        [
            ["balance-stats", file, "--batch-size", "3"] + extra,
            ["sample", file, "--batch-size", "3"] + extra,
            ["train", file, "--epochs", "1", "--batch-size", "3", "--test-split", "0"] + extra,
            ["compare", file, "--epochs", "1", "--batch-size", "3", "--repeats", "1", "--test-split", "0.5"] + extra,
        ]
    }

    /// Runs `datatool` as the unprivileged user `nobody` when the tests run as root (root reads
    /// and writes through any permission bits), so permission errors are really exercised.
    static func run(_ c: Case) throws -> DatatoolRun {
        guard c.asUnprivileged && getuid() == 0 else { return try Datatool.run(c.arguments) }
        return try Datatool.runProgram(URL(fileURLWithPath: "/usr/sbin/runuser"),
                                       ["-u", "nobody", "--", Datatool.executable.path] + c.arguments)
    }

    static func cases(in dir: URL) throws -> [Case] {
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        let bad = fixtures.appendingPathComponent("bad.h5").path
        // A valid file, and variants of it.
        let good = path("good.h5")
        try writeLabelledDataset(try SpiralSpecification(counts: [30, 6, 3], noise: 0.1, seed: 1).generate(), to: good)
        let goodBytes = try Data(contentsOf: URL(fileURLWithPath: good))
        _ = FileManager.default.createFile(atPath: path("empty.h5"), contents: Data())
        _ = FileManager.default.createFile(atPath: path("text.h5"), contents: Data("just some text\n".utf8))
        for fraction in [0.1, 0.5, 0.9] {
            let size = Int(Double(goodBytes.count) * fraction)
            _ = FileManager.default.createFile(atPath: path("truncated-\(size).h5"), contents: goodBytes.prefix(size))
        }
        try FileManager.default.createDirectory(atPath: path("folder.h5"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path("secret.h5"), contents: goodBytes, attributes: [.posixPermissions: 0o000])
        let emptyClass = path("empty-class.h5")
        try writeLabelledDataset(
            try LabelledDataset(features: [Float](repeating: 0.5, count: 8), dimension: 2, labels: [0, 2, 0, 2], classCount: 3),
            to: emptyClass)
        let readOnly = path("read-only")
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o555])
        let missingFolder = path("no/such/folder")

        var cases = [Case]()
        func forEachFileCommand(_ what: String, _ file: String, _ extra: [String] = [], _ fragments: [String]) {
            for arguments in fileCommands(file, extra) { cases.append(Case(what: what, arguments: arguments, fragments: fragments)) }
        }
        // The file itself, for every command that reads one (inspect too).
        let fileProblems: [(String, String, [String], Bool)] = [
            ("missing file", path("missing.h5"), ["missing.h5", "no such file"], false),
            ("directory instead of file", path("folder.h5"), ["folder.h5", "directory"], false),
            ("unreadable file", path("secret.h5"), ["secret.h5", "permission"], true),
            ("empty file", path("empty.h5"), ["empty.h5", "empty"], false),
            ("not HDF5", path("text.h5"), ["text.h5", "not an HDF5 file"], false),
        ] + [0.1, 0.5, 0.9].map { fraction in
            let size = Int(Double(goodBytes.count) * fraction)
            return ("truncated HDF5 at \(size) of \(goodBytes.count) bytes", path("truncated-\(size).h5"), ["truncated-\(size).h5"], false)
        }
        for (what, file, fragments, unprivileged) in fileProblems {
            for arguments in [["inspect", file]] + fileCommands(file) {
                cases.append(Case(what: what, arguments: arguments, fragments: fragments, asUnprivileged: unprivileged))
            }
        }
        // predict and evaluate: each problem as the model file and as the data file.
        let model = path("model.h5")
        try writeTensorArchive(
            try MLP(inputs: 2, hidden: [4], outputs: 3, activation: .relu, seed: 0)
                .archive(provenance: ModelProvenance(priors: [0.5, 0.3, 0.2], schedule: "balanced:1", seed: 0)), to: model)
        for (what, file, fragments, unprivileged) in fileProblems {
            for arguments in [["predict", file, good], ["evaluate", file, good], ["predict", model, file], ["evaluate", model, file]] {
                cases.append(Case(what: what, arguments: arguments, fragments: fragments, asUnprivileged: unprivileged))
            }
        }
        // Datasets that cannot be used.
        forEachFileCommand("wrong features path", good, ["--features", "/nope"], ["/nope", "/features"])
        forEachFileCommand("wrong labels path", good, ["--labels", "/data/y"], ["/data/y"])
        forEachFileCommand("features of rank 0", bad, ["--features", "/scalar"], ["/scalar"])
        forEachFileCommand("features of rank 3", bad, ["--features", "/rank3"], ["/rank3"])
        forEachFileCommand("string features", bad, ["--features", "/strings"], ["/strings", "string"])
        forEachFileCommand("compound features", bad, ["--features", "/compound"], ["/compound", "compound"])
        forEachFileCommand("float labels", bad, ["--labels", "/float_labels"], ["/float_labels", "integers"])
        forEachFileCommand("labels of rank 2", bad, ["--labels", "/labels_2d"], ["/labels_2d"])
        forEachFileCommand("negative labels", bad, ["--labels", "/labels_negative"], ["/labels_negative", "-1"])
        forEachFileCommand("labels beyond Int32", bad, ["--labels", "/labels_huge"], ["/labels_huge", "3000000000"])
        forEachFileCommand("labels ≥ --classes", good, ["--classes", "2"], ["label 2", "0..<2"])
        forEachFileCommand("features/labels length mismatch", bad, ["--labels", "/labels_short"], ["/labels_short", "/features"])
        forEachFileCommand("empty dataset", bad, ["--features", "/empty_features", "--labels", "/empty_labels"], ["empty"])
        forEachFileCommand("a class with no samples", emptyClass, [], ["class 1", "no samples"])
        forEachFileCommand("unknown flag", good, ["--frobnicate"], ["--frobnicate"])
        // NaN and ±Inf: the commands that read features refuse them, naming count and first row.
        for arguments in fileCommands(bad, ["--features", "/features_nonfinite", "--labels", "/labels"]).suffix(2) {
            cases.append(Case(what: "non-finite features", arguments: arguments, fragments: ["/features_nonfinite", "3", "row 1"]))
        }
        // Batch sizes and schedule flags.
        for size in ["0", "-3"] { forEachFileCommand("batch size \(size)", good, ["--batch-size", size], ["--batch-size"]) }
        // Sampling policies, epoch lengths and schedules.
        for command in [["sample", good], ["balance-stats", good]] {
            cases.append(Case(what: "unknown policy", arguments: command + ["--sampler", "fair"], fragments: ["--sampler", "\"fair\""]))
            cases.append(Case(what: "q outside [0, 1]", arguments: command + ["--sampler", "power:2"], fragments: ["--sampler", "q = 2"]))
            cases.append(Case(what: "t ≤ 0", arguments: command + ["--sampler", "repeat:0"], fragments: ["--sampler", "t = 0"]))
            cases.append(Case(what: "samples:0", arguments: command + ["--epoch-length", "samples:0"], fragments: ["--epoch-length", "samples:0"]))
            cases.append(Case(what: "B larger than a fixed epoch", arguments: command + ["--batch-size", "20", "--epoch-length", "samples:10"], fragments: ["batch size 20", "10 draws"]))
        }
        cases.append(Case(what: "malformed schedule", arguments: ["sample", good, "--schedule", "balanced:2,natural"], fragments: ["--schedule", "phase 2", "\"natural\""]))
        cases.append(Case(what: "unknown policy in a schedule", arguments: ["sample", good, "--schedule", "balanced:2,fair:1"], fragments: ["--schedule", "phase 2", "\"fair\""]))
        cases.append(Case(what: "schedule and epochs both", arguments: ["sample", good, "--schedule", "balanced:2", "--finetune-epochs", "1"], fragments: ["--schedule", "--finetune-epochs"]))
        cases.append(Case(what: "batch size larger than the data (drop-last)", arguments: ["sample", good, "--batch-size", "60", "--sampler", "natural", "--drop-last"], fragments: ["batch size 60", "39"]))
        for command in [["sample", good, "--batch-size", "3"], ["train", good, "--batch-size", "3"], ["compare", good, "--batch-size", "3"]] {
            cases.append(Case(what: "negative epochs", arguments: command + ["--epochs", "-1"], fragments: ["--epochs"]))
        }
        cases.append(Case(what: "negative fine-tune epochs", arguments: ["sample", good, "--batch-size", "3", "--finetune-epochs", "-2"], fragments: ["--finetune-epochs"]))
        for command in [["sample", good, "--batch-size", "3"], ["train", good, "--batch-size", "3"]] {
            cases.append(Case(what: "rank ≥ world size", arguments: command + ["--rank", "4", "--world-size", "4"], fragments: ["--rank", "0..<4"]))
            cases.append(Case(what: "world size 0", arguments: command + ["--world-size", "0"], fragments: ["--world-size"]))
        }
        cases.append(Case(what: "unknown order", arguments: ["train", good, "--batch-size", "3", "--stream", "--order", "random"], fragments: ["--order", "random"]))
        cases.append(Case(what: "chunked window 0", arguments: ["sample", good, "--batch-size", "3", "--order", "chunked:0"], fragments: ["--order", "chunked:0"]))
        cases.append(Case(what: "chunked order without --stream", arguments: ["train", good, "--batch-size", "3", "--order", "chunked"], fragments: ["--order chunked", "--stream"]))
        cases.append(Case(what: "negative --pin-mb", arguments: ["train", good, "--batch-size", "3", "--stream", "--pin-mb", "-1"], fragments: ["--pin-mb", "-1"]))
        cases.append(Case(what: "--pin-mb above --cache-mb", arguments: ["train", good, "--batch-size", "3", "--stream", "--cache-mb", "4", "--pin-mb", "8"], fragments: ["--pin-mb", "--cache-mb"]))
        cases.append(Case(what: "--pin-mb without --stream", arguments: ["train", good, "--batch-size", "3", "--pin-mb", "8"], fragments: ["--pin-mb", "--stream"]))
        cases.append(Case(what: "chunked order with several labels a sample", arguments: ["sample", good, "--batch-size", "3", "--multi-label", "--order", "chunked"], fragments: ["--order chunked", "--multi-label"]))
        // Outputs in folders that do not exist or cannot be written; nothing is created.
        cases.append(Case(what: "output in a missing folder", arguments: ["gen-spiral", "--output", missingFolder + "/s.h5"], fragments: ["no/such/folder"]))
        cases.append(Case(what: "plot in a missing folder", arguments: ["gen-spiral", "--output", path("ok.h5"), "--plot", missingFolder + "/s.png"], fragments: ["no/such/folder"]))
        cases.append(Case(what: "output in a read-only folder", arguments: ["gen-spiral", "--output", readOnly + "/s.h5"], fragments: ["read-only"], asUnprivileged: true))
        cases.append(Case(what: "train plot in a missing folder", arguments: ["train", good, "--epochs", "1", "--batch-size", "3", "--plot", missingFolder + "/p.png"], fragments: ["no/such/folder"]))
        cases.append(Case(what: "train plot in a read-only folder", arguments: ["train", good, "--epochs", "1", "--batch-size", "3", "--plot", readOnly + "/p.png"], fragments: ["read-only"], asUnprivileged: true))
        cases.append(Case(what: "unknown command", arguments: ["frobnicate"], fragments: ["frobnicate"]))
        return cases
    }

    @Test func everyCommandRefusesEveryBadInputWithOneClearLine() throws {
        let dir = try Datatool.temporaryDirectory()
        let cases = try Self.cases(in: dir)
        var clean = 0
        for c in cases {
            let run = try Self.run(c)
            let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: true)
            let ok = run.status != 0 && !run.signalled && lines.count == 1 && lines[0].hasPrefix("error: ")
                && c.fragments.allSatisfy { run.stderr.contains($0) }
            #expect(ok, "\(c) → status \(run.status)\(run.signalled ? " (signal)" : ""), stderr: \(run.stderr)")
            if ok { clean += 1 }
        }
        // Nothing was created where it could not be.
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("read-only/s.h5").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("ok.h5").path))
        #expect(cases.count >= 120, "the suite shrank to \(cases.count) cases")
        print("bad-input suite: \(cases.count) bad inputs tried, \(clean) clean errors")
    }
}
