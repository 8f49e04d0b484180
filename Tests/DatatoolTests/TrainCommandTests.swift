import Datasets
@testable import datatool
import Foundation
import Testing

@Suite struct TrainCommandTests {
    static func files(in dir: URL) throws -> (train: String, test: String) {
        let train = dir.appendingPathComponent("train.h5").path
        let test = dir.appendingPathComponent("test.h5").path
        try writeLabelledDataset(try SpiralSpecification(counts: [300, 30, 6], noise: 0.2, seed: 1).generate(), to: train)
        try writeLabelledDataset(try SpiralSpecification(counts: [100, 100, 100], noise: 0.2, seed: 2).generate(), to: test)
        return (train, test)
    }

    /// Runs `datatool <command> TRAIN --test TEST <arguments> --json` on fresh spiral files and
    /// returns the report and the run, expecting success.
    static func report(_ command: String, _ arguments: [String]) throws -> (json: [String: Any], run: DatatoolRun) {
        let (train, test) = try files(in: try Datatool.temporaryDirectory())
        let run = try Datatool.run([command, train, "--test", test] + arguments + ["--json"])
        #expect(run.status == 0, "\(run.stderr)")
        return (try run.json(), run)
    }

    @Test func jsonReportHasTheDocumentedFields() throws {
        let (object, run) = try Self.report("train", ["--epochs", "3", "--finetune-epochs", "1", "--batch-size", "30"])
        let testReport = try #require(object["test"] as? [String: Any])
        for key in ["accuracy", "balanced_accuracy", "macro_f1"] { #expect(testReport[key] is Double, "\(key)") }
        let perClass = try #require(testReport["per_class"] as? [[String: Any]])
        #expect(perClass.count == 3)
        #expect(perClass.map { $0["support"] as? Int } == [100, 100, 100])
        #expect(perClass.allSatisfy { $0["recall"] is Double && $0["precision"] is Double && $0["label"] is Int })
        let confusion = try #require(testReport["confusion"] as? [[Int]])
        #expect(confusion.map { $0.reduce(0, +) } == [100, 100, 100])
        let epochs = try #require(object["epochs"] as? [[String: Any]])
        #expect(epochs.map { $0["phase"] as? String } == ["balanced", "balanced", "balanced", "natural"])
        // Progress went to stderr as plain lines (not a terminal), one per epoch.
        #expect(run.stderr.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.count == 4)
    }

    @Test("--loss logit-adjusted --tau and --lr-schedule reach the trainer and the JSON report")
    func longTailLossAndScheduleOptions() throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, test) = try Self.files(in: dir)
        let run = try Datatool.run(["train", train, "--test", test, "--epochs", "3", "--batch-size", "30", "--json",
                                    "--sampler", "natural", "--loss", "logit-adjusted", "--tau", "0.5", "--lr", "0.02",
                                    "--lr-schedule", "step:1:0.5", "--finetune-epochs", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let configuration = try #require(object["configuration"] as? [String: Any])
        #expect(configuration["loss"] as? String == "logit-adjusted")
        #expect(configuration["tau"] as? Double == 0.5)
        #expect(configuration["lr_schedule"] as? String == "step:1:0.5")
        let epochs = try #require(object["epochs"] as? [[String: Any]])
        #expect(epochs.map { $0["lr"] as? Double } == [0.02, 0.01, 0.005, 0.002])
        #expect(epochs.map { $0["phase_index"] as? Int } == [0, 0, 0, 1])
    }

    @Test("--threads 2 splits the large products and trains the very same model as one thread")
    func productThreadsGiveTheSameModel() throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, test) = try Self.files(in: dir)
        // 256·1024·1024 multiply-adds in the middle layer: above the 2²² at which products split.
        var models: [[NamedTensor]] = []
        for threads in [1, 2] {
            let model = dir.appendingPathComponent("model\(threads).h5").path
            let run = try Datatool.run(["train", train, "--test", test, "--epochs", "2", "--batch-size", "256",
                                        "--hidden", "1024", "--hidden", "1024", "--threads", "\(threads)",
                                        "--save", model, "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            let configuration = try #require(try run.json()["configuration"] as? [String: Any])
            #if os(Linux)
            #expect(configuration["product_threads"] as? Int == threads)  // Accelerate chooses its own (null)
            #endif
            models.append(try readTensorArchive(from: model).tensors)
        }
        #expect(models[0].map(\.name) == models[1].map(\.name))
        for (one, two) in zip(models[0], models[1]) {
            #expect(one.values == two.values, "\(one.name) differs between 1 and 2 product threads")
        }
        expectCleanFailure(try Datatool.run(["train", train, "--threads", "0"]), mentioning: ["--threads", "between 1 and 256"])
    }

    @Test("--save writes the model as HDF5 that loads back; an existing file needs --force")
    func saveWritesTheModel() throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, _) = try Self.files(in: dir)
        let model = dir.appendingPathComponent("model.h5").path
        let arguments = ["train", train, "--epochs", "1", "--batch-size", "30", "--hidden", "7", "--save", model, "--json"]
        let run = try Datatool.run(arguments)
        #expect(run.status == 0, "\(run.stderr)")
        let archive = try readTensorArchive(from: model)
        #expect(archive.tensors.map(\.name) == ["0.bias", "0.weight", "2.bias", "2.weight"])
        #expect(archive.tensor(named: "0.weight")?.shape == [7, 2])
        #expect(archive.attributes["K"] == .int(3))
        #expect(archive.attributes["schedule"] == .string("lr=0.01 balanced:1"))
        let before = try Data(contentsOf: URL(fileURLWithPath: model))
        expectCleanFailure(try Datatool.run(arguments), mentioning: ["model.h5", "--force"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: model)) == before)
        #expect(try Datatool.run(arguments + ["--force"]).status == 0)
    }

    @Test("--schedule gives the phases: a re-initialised head at its own rate after the main phase")
    func scheduleGivesThePhases() throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, test) = try Self.files(in: dir)
        let run = try Datatool.run(["train", train, "--test", test, "--batch-size", "30", "--json",
                                    "--schedule", "balanced:2/lr-schedule=step:1:0.5,natural:1/reinit/lr=0.003"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let configuration = try #require(object["configuration"] as? [String: Any])
        #expect(configuration["phases"] as? String == "balanced:2/lr-schedule=step:1:0.5,natural:1/reinit/lr=0.003")
        let epochs = try #require(object["epochs"] as? [[String: Any]])
        #expect(epochs.map { $0["lr"] as? Double } == [0.01, 0.005, 0.003])
        #expect(epochs.map { $0["phase"] as? String } == ["balanced", "balanced", "natural"])
        #expect(run.stderr.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.count == 3)
        // The tables' title names the schedule, not the unused --sampler and --epochs defaults.
        let text = try Datatool.run(["train", train, "--test", test, "--batch-size", "30", "--schedule", "balanced:2,natural:1/head"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("schedule balanced:2,natural:1/head"), "\(text.stdout)")
        #expect(!text.stdout.contains("30 epochs"), "\(text.stdout)")
    }

    @Test func tablesAndPlot() throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, _) = try Self.files(in: dir)
        let plot = dir.appendingPathComponent("regions.png").path
        let run = try Datatool.run(["train", train, "--epochs", "2", "--batch-size", "30", "--plot", plot])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("balanced acc"))
        #expect(run.stdout.contains("confusion matrix"))
        let png = try PNGImage(pngData: Array(try Data(contentsOf: URL(fileURLWithPath: plot))))
        #expect(png.width == 800)
        // The regions are tinted with the class tints.
        var tints = Set<RGBA>()
        for y in stride(from: 0, to: png.height, by: 4) {
            for x in stride(from: 0, to: png.width, by: 4) { if let p = png.pixel(x: x, y: y) { tints.insert(p) } }
        }
        #expect((0..<3).filter { tints.contains(ScatterPlot.regionTint(forClass: $0)) }.count >= 2)
        // An existing plot is kept without --force.
        let again = try Datatool.run(["train", train, "--epochs", "1", "--batch-size", "30", "--plot", plot])
        expectCleanFailure(again, mentioning: ["regions.png", "--force"])
    }

    @Test("--stream reads the rows from the file and trains the very same model", arguments: [false, true])
    func streamingTrainsTheSameModel(split: Bool) throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, test) = try Self.files(in: dir)
        let held = split ? ["--test-split", "0.25"] : ["--test", test]
        let common = ["train", train, "--epochs", "3", "--finetune-epochs", "1", "--batch-size", "30", "--json"] + held
        let inMemory = try Datatool.run(common)
        let streamed = try Datatool.run(common + ["--stream", "--lookahead", "5", "--cache-mb", "1"])
        #expect(inMemory.status == 0 && streamed.status == 0, "\(inMemory.stderr) \(streamed.stderr)")
        let a = try inMemory.json()
        let b = try streamed.json()
        #expect(NSDictionary(dictionary: try #require(a["test"] as? [String: Any])).isEqual(to: try #require(b["test"] as? [String: Any])))
        let lossesA = (a["epochs"] as? [[String: Any]])?.map { $0["train_loss"] as? Double }
        let lossesB = (b["epochs"] as? [[String: Any]])?.map { $0["train_loss"] as? Double }
        #expect(lossesA == lossesB)
        let streamedPlot = try Datatool.run(common + ["--stream", "--plot", dir.appendingPathComponent("p.png").path])
        expectCleanFailure(streamedPlot, mentioning: ["--plot", "--stream"])
    }

    @Test("--stream --order chunked trains on another permutation, the same for the same seed; pinning changes no batch")
    func chunkedOrderTrains() throws {
        let dir = try Datatool.temporaryDirectory()
        // 1,500 rows × 64 features: chunks of 256 rows, so 6 blocks to order.
        let train = dir.appendingPathComponent("wide.h5").path
        var rng = Xoshiro256StarStar(seed: 9)
        let labels = (0..<1_500).map { _ in Int32(rng.nextBounded(10) == 0 ? 1 : 0) }
        let features = labels.flatMap { label in (0..<64).map { _ in Float(label) + Float(rng.nextUniform(-1, 1)) } }
        try writeLabelledDataset(try LabelledDataset(features: features, dimension: 64, labels: labels), to: train)
        let common = ["train", train, "--test-split", "0.2", "--epochs", "2", "--batch-size", "30", "--json", "--stream", "--lookahead", "4"]
        let exact = try Datatool.run(common)
        let chunked = try Datatool.run(common + ["--order", "chunked:2", "--cache-mb", "2", "--pin-mb", "0"])
        let pinned = try Datatool.run(common + ["--order", "chunked:2", "--cache-mb", "2", "--pin-mb", "2"])
        #expect(exact.status == 0 && chunked.status == 0 && pinned.status == 0, "\(exact.stderr) \(chunked.stderr) \(pinned.stderr)")
        func losses(_ run: DatatoolRun) throws -> [Double?]? {
            (try run.json()["epochs"] as? [[String: Any]])?.map { $0["train_loss"] as? Double }
        }
        #expect(try losses(chunked) == losses(pinned), "pinning changed the batches")
        #expect(try losses(chunked) != losses(exact), "the chunked order gave the exact order's batches")
    }

    @Test func badInputGetsOneClearLine() throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, test) = try Self.files(in: dir)
        let wide = dir.appendingPathComponent("wide.h5").path
        try writeLabelledDataset(try LabelledDataset(features: [Float](repeating: 1, count: 30), dimension: 3, labels: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]), to: wide)
        let fixtures = Datatool.repositoryRoot.appendingPathComponent("Tests/DatasetsTests/Fixtures/hdf5")
        let cases: [([String], [String])] = [
            (["train", train, "--hidden", "-5"], ["--hidden"]),
            (["train", train, "--lr", "0"], ["--lr"]),
            (["train", train, "--lr", "-1"], ["--lr"]),
            (["train", train, "--sampler", "fair"], ["--sampler", "fair"]),
            (["train", train, "--batch-size", "0"], ["--batch-size"]),
            (["train", train, "--test-split", "1"], ["--test-split"]),
            (["train", train, "--epochs", "-2"], ["--epochs"]),
            (["train", train, "--activation", "swish"], ["swish"]),
            (["train", train, "--optimizer", "lbfgs"], ["lbfgs"]),
            (["train", train, "--test", wide], ["wide.h5", "3 features"]),
            (["train", wide, "--plot", dir.appendingPathComponent("p.png").path, "--batch-size", "3"], ["--plot", "3 features"]),
            (["train", fixtures.appendingPathComponent("bad.h5").path, "--features", "/features_nonfinite", "--labels", "/labels"], ["/features_nonfinite", "NaN"]),
            (["train", train, "--prior-correction", "nan"], ["--prior-correction"]),
            (["train", train, "--loss", "logit-adjusted", "--tau", "inf"], ["--tau", "finite"]),
            (["train", train, "--schedule", "balanced:3/frozen"], ["--schedule", "/frozen", "/reinit"]),
            (["train", train, "--schedule", "zipf:3"], ["--schedule", "zipf", "sqrt, power:Q"]),
            (["train", train, "--schedule", "power:2:3"], ["--schedule", "outside [0, 1]"]),
            (["train", train, "--schedule", "balanced:3", "--finetune-epochs", "2"], ["--schedule", "--finetune-epochs"]),
            (["train", train, "--schedule", "balanced:3", "--lr-schedule", "cosine"], ["--schedule", "--lr-schedule", "/lr-schedule="]),
            (["train", train, "--schedule", "balanced:3", "--finetune-lr", "0.001"], ["--schedule", "--finetune-lr"]),
            (["train", train, "--lr-schedule", "linear"], ["--lr-schedule", "linear", "step:EPOCHS:GAMMA"]),
            (["train", train, "--lr-schedule", "step:0:0.5"], ["--lr-schedule", "step:0:0.5", "step size"]),
            (["train", train, "--lr-schedule", "cosine:x"], ["--lr-schedule", "cosine:x", "ETA_MIN"]),
            (["compare", train, "--test-split", "0"], ["--test"]),
            (["train", test, "--test", dir.appendingPathComponent("absent.h5").path], ["absent.h5"]),
        ]
        for (arguments, fragments) in cases {
            let run = try Datatool.run(arguments)
            expectCleanFailure(run, mentioning: fragments)
            #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
        }
    }
}
