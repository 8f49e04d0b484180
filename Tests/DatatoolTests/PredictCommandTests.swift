import Datasets
import Foundation
import Testing
import TestSupport
import Training

/// `datatool predict` and `datatool evaluate` on a model that `train --save` wrote, used on
/// other files than the one it was trained on.
@Suite struct PredictCommandTests {
    /// Whether `python3` has NumPy and h5py (the cross-check script needs both).
    static let hasNumpyAndH5py: Bool = {
        guard let run = try? PythonScript.run("scripts/predictions_check.py", []) else { return false }
        return run.status != 2      // 2: a module is missing; 1: usage (the modules loaded)
    }()

    /// train.h5 (300/30/6), test.h5 (100/100/100), big.h5 (10 000 rows: three prediction
    /// blocks, two storage chunks) and a model trained on train.h5 with `extra` flags.
    static func setUp(_ extra: [String] = []) throws -> (dir: URL, train: String, test: String, big: String, model: String) {
        let dir = try Datatool.temporaryDirectory()
        let (train, test) = try TrainCommandTests.files(in: dir)
        let big = dir.appendingPathComponent("big.h5").path
        try writeLabelledDataset(try SpiralSpecification(counts: [4000, 3000, 3000], noise: 0.2, seed: 3).generate(), to: big)
        let model = dir.appendingPathComponent("model.h5").path
        let run = try Datatool.run(["train", train, "--test-split", "0", "--epochs", "3", "--batch-size", "30", "--hidden", "16",
                                    "--save", model, "--json"] + extra)
        #expect(run.status == 0, "\(run.stderr)")
        return (dir, train, test, big, model)
    }

    /// What a prediction file holds.
    struct Predictions: Equatable {
        var classes: [Int64]
        var logits: [Float]
        var probabilities: [Float]
        var attributes: [String: HDF5AttributeValue]

        init(_ path: String) throws {
            let file = try HDF5File(path: path)
            classes = try file.readLabels(at: "/classes")
            logits = try HDF5FeatureDataset(file: file, datasetPath: "/logits").readAll()
            probabilities = try HDF5FeatureDataset(file: file, datasetPath: "/probabilities").readAll()
            attributes = Dictionary(uniqueKeysWithValues: try file.rootAttributes().compactMap { a in a.value.map { (a.name, $0) } })
        }
    }

    static func predict(_ arguments: [String]) throws -> [String: Any] {
        let run = try Datatool.run(["predict"] + arguments + ["--json"])
        #expect(run.status == 0, "\(run.stderr)")
        return try run.json()
    }

    @Test("predict writes classes = argmax of the logits and probabilities = their softmax; --stream gives the same bytes")
    func predictWritesTheThreeDatasets() throws {
        let (dir, _, _, big, model) = try Self.setUp()
        let memory = dir.appendingPathComponent("memory.h5").path
        let streamed = dir.appendingPathComponent("streamed.h5").path
        let summary = try Self.predict([model, big, "--output", memory])
        _ = try Self.predict([model, big, "--output", streamed, "--stream", "--cache-mb", "0"])
        let p = try Predictions(memory)
        let k = 3, n = 10_000
        #expect(p.classes.count == n && p.logits.count == n * k && p.probabilities.count == n * k)
        var counts = [Int](repeating: 0, count: k)
        var firstWrong: String?
        for row in 0..<n {
            let logits = p.logits[(row * k)..<((row + 1) * k)].map(Double.init)
            // argmax with ties to the lowest class, as torch.argmax
            let best = logits.indices.reduce(0) { logits[$1] > logits[$0] ? $1 : $0 }
            let top = logits.max()!
            let exps = logits.map { exp($0 - top) }
            let total = exps.reduce(0, +)
            let probabilities = p.probabilities[(row * k)..<((row + 1) * k)].map(Double.init)
            counts[best] += 1
            if p.classes[row] != Int64(best) || abs(probabilities.reduce(0, +) - 1) > 1e-5
                || (0..<k).contains(where: { abs(probabilities[$0] - exps[$0] / total) > 1e-6 }) {
                firstWrong = firstWrong ?? "row \(row): class \(p.classes[row]), logits \(logits), probabilities \(probabilities)"
            }
        }
        #expect(firstWrong == nil, "\(firstWrong ?? "")")
        #expect(summary["predicted_counts"] as? [Int] == counts)
        #expect(summary["rows"] as? Int == n)
        #expect(p.attributes["prior_correction"] == .double(0))
        #expect(p.attributes["K"] == .int(k))
        #expect(try Predictions(streamed) == p, "--stream must predict exactly what the in-memory read predicts")
    }

    @Test("predict and evaluate --threads 2 split a wide model's products, say so in --json and give one thread's results")
    func productThreadsGiveTheSamePredictions() throws {
        // A 16-1024-1024 network (setUp's --hidden 16 first): blocks of rows × 1024 × 1024 multiply-adds in the last hidden layer: above the 2²² at which products split.
        let (dir, _, test, big, model) = try Self.setUp(["--hidden", "1024", "--hidden", "1024", "--epochs", "1"])
        var predictions: [Predictions] = []
        var evaluations: [String] = []
        for threads in ["1", "2"] {
            let output = dir.appendingPathComponent("threads\(threads).h5").path
            let summary = try Self.predict([model, big, "--output", output, "--threads", threads])
            predictions.append(try Predictions(output))
            let run = try Datatool.run(["evaluate", model, test, "--threads", threads, "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            var evaluation = try run.json()
            #if os(Linux)
            #expect(summary["product_threads"] as? Int == Int(threads))
            #expect(evaluation["product_threads"] as? Int == Int(threads))
            #endif
            evaluation["product_threads"] = nil
            evaluations.append(String(decoding: try JSONSerialization.data(withJSONObject: evaluation, options: .sortedKeys), as: UTF8.self))
        }
        #expect(predictions[0] == predictions[1])
        #expect(evaluations[0] == evaluations[1])
        expectCleanFailure(try Datatool.run(["predict", model, big, "--threads", "0"]), mentioning: ["--threads", "between 1 and 256"])
    }

    @Test("--prior-correction τ adds τ·log π_c to class c's logits (τ < 0 takes the priors out), and the model's τ is the default")
    func priorCorrectionShiftsTheLogits() throws {
        let (dir, _, test, _, model) = try Self.setUp(["--prior-correction", "1"])
        let priors = try #require(readTensorArchive(from: model).attributes["priors"])
        guard case .doubleArray(let pi) = priors else { Issue.record("priors: \(priors)"); return }
        #expect(try readTensorArchive(from: model).attributes["prior_correction"] == .double(1))
        var files = [Double: Predictions]()
        for tau in [0.0, -1.0] {
            let path = dir.appendingPathComponent("tau\(tau).h5").path
            let summary = try Self.predict([model, test, "--prior-correction", String(tau), "--output", path])
            #expect(summary["prior_correction"] as? Double == tau)
            files[tau] = try Predictions(path)
        }
        let byDefault = dir.appendingPathComponent("default.h5").path
        #expect(try Self.predict([model, test, "--output", byDefault])["prior_correction"] as? Double == 1)
        let one = try Predictions(byDefault)
        let plain = try #require(files[0]), minus = try #require(files[-1])
        let wrongMinus = plain.logits.indices.first { abs(Double(minus.logits[$0] - plain.logits[$0]) + log(pi[$0 % 3])) > 1e-4 }
        let wrongOne = plain.logits.indices.first { abs(Double(one.logits[$0] - plain.logits[$0]) - log(pi[$0 % 3])) > 1e-4 }
        #expect(wrongMinus == nil, "τ = −1 at value \(wrongMinus ?? -1)")
        #expect(wrongOne == nil, "τ = 1 at value \(wrongOne ?? -1)")
        // The rare class (π = 6/336) gains under τ = −1 and loses under τ = 1.
        #expect(minus.classes.filter { $0 == 2 }.count >= plain.classes.filter { $0 == 2 }.count)
        #expect(one.classes.filter { $0 == 2 }.count <= plain.classes.filter { $0 == 2 }.count)
    }

    @Test("NumPy and h5py recompute /logits from model.h5's arrays and the data", .enabled(if: hasNumpyAndH5py, "needs python3 with numpy and h5py"))
    func numpyRecomputesTheLogits() throws {
        let (dir, _, _, big, model) = try Self.setUp()
        for tau in ["0", "0.7"] {
            let output = dir.appendingPathComponent("p\(tau).h5").path
            _ = try Self.predict([model, big, "--output", output, "--prior-correction", tau, "--stream"])
            let run = try PythonScript.run("scripts/predictions_check.py", [model, big, output])
            #expect(run.status == 0, "\(run.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
            #expect(report["rows"] as? Int == 10_000)
            #expect((report["max_logit_error"] as? Double ?? .infinity) < 1e-4, "τ = \(tau): \(report)")
            #expect((report["max_probability_error"] as? Double ?? .infinity) < 1e-6, "τ = \(tau): \(report)")
            #expect((report["max_row_sum_error"] as? Double ?? .infinity) < 1e-5, "τ = \(tau): \(report)")
            #expect(report["argmax_mismatches"] as? Int == 0, "τ = \(tau): \(report)")
            // Rows whose top two logits are within float rounding could differ; none should here.
            #expect((report["numpy_class_mismatches"] as? Int ?? .max) <= 2, "τ = \(tau): \(report)")
        }
    }

    @Test("evaluate prints train's held-out tables and, with --json, train --json's test object", arguments: ["0", "0.5"])
    func evaluateMatchesTrain(tau: String) throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, test) = try TrainCommandTests.files(in: dir)
        let model = dir.appendingPathComponent("model.h5").path
        let arguments = ["train", train, "--test", test, "--epochs", "3", "--batch-size", "30", "--hidden", "16", "--prior-correction", tau]
        let trained = try Datatool.run(arguments + ["--save", model, "--json"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let expected = try #require(try trained.json()["test"] as? NSDictionary)
        for extra in [[], ["--stream"]] {
            let run = try Datatool.run(["evaluate", model, test, "--json"] + extra)
            #expect(run.status == 0, "\(run.stderr)")
            let object = try run.json()
            #expect((object["test"] as? NSDictionary) == expected, "evaluate \(extra): \(object["test"] ?? "none") vs train's \(expected)")
            #expect(object["prior_correction"] as? Double == Double(tau))
        }
        // The text: the same held-out lines, per-class table and confusion matrix as train's.
        let trainText = try Datatool.run(arguments)
        let evaluateText = try Datatool.run(["evaluate", model, test])
        #expect(trainText.status == 0 && evaluateText.status == 0, "\(trainText.stderr) \(evaluateText.stderr)")
        func heldOut(_ text: String) -> [Substring] {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            return Array(lines.drop { !$0.hasPrefix("held-out:") })
        }
        #expect(!heldOut(evaluateText.stdout).isEmpty && heldOut(evaluateText.stdout).contains("confusion matrix (rows: true class, columns: predicted)"))
        #expect(heldOut(evaluateText.stdout) == heldOut(trainText.stdout), "evaluate:\n\(evaluateText.stdout)\ntrain:\n\(trainText.stdout)")
    }

    @Test("an existing --output is kept without --force and replaced with it; predict reads data without labels")
    func outputNeedsForce() throws {
        let (dir, _, test, _, model) = try Self.setUp()
        let output = dir.appendingPathComponent("p.h5").path
        _ = try Self.predict([model, test, "--output", output])
        let before = try Data(contentsOf: URL(fileURLWithPath: output))
        expectOneLine(try Datatool.run(["predict", model, test, "--output", output]), ["p.h5", "--force"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == before)
        _ = try Self.predict([model, test, "--output", output, "--force", "--prior-correction", "2"])
        #expect(try Predictions(output).attributes["prior_correction"] == .double(2))
        // Features only, in a nested group, no labels anywhere.
        let unlabelled = dir.appendingPathComponent("unlabelled.h5").path
        let features = try HDF5FeatureDataset(path: test).readAll()
        try writeTensorArchive(TensorArchive(tensors: [NamedTensor(name: "x", shape: [300, 2], values: features)], attributes: [:]), to: unlabelled)
        let viaFeatures = dir.appendingPathComponent("x.h5").path
        _ = try Self.predict([model, unlabelled, "--features", "/x", "--output", viaFeatures])
        let reference = dir.appendingPathComponent("ref.h5").path
        _ = try Self.predict([model, test, "--output", reference])
        #expect(try Predictions(viaFeatures).logits == Predictions(reference).logits)
    }

    @Test("a model file saved before prior_correction existed loads, with τ = 0")
    func oldModelFilesLoad() throws {
        let (dir, _, test, _, model) = try Self.setUp(["--prior-correction", "1"])
        var archive = try readTensorArchive(from: model)
        archive.attributes["prior_correction"] = nil
        let old = dir.appendingPathComponent("old.h5").path
        try writeTensorArchive(archive, to: old)
        #expect(try Self.predict([old, test])["prior_correction"] as? Double == 0)
    }

    @Test("bad models, data and flags get one clear line, and no output file")
    func badInputGetsOneClearLine() throws {
        let (dir, _, test, _, model) = try Self.setUp()
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        let archive = try readTensorArchive(from: model)
        var missing = archive
        missing.tensors.removeAll { $0.name == "2.bias" }
        try writeTensorArchive(missing, to: path("missing-tensor.h5"))
        var reshaped = archive
        reshaped.tensors = reshaped.tensors.map { $0.name == "0.weight" ? NamedTensor(name: $0.name, shape: [16, 3], values: [Float](repeating: 0, count: 48)) : $0 }
        try writeTensorArchive(reshaped, to: path("wrong-shape.h5"))
        var versioned = archive
        versioned.attributes["version"] = .int(99)
        try writeTensorArchive(versioned, to: path("version.h5"))
        try writeLabelledDataset(try LabelledDataset(features: [Float](repeating: 0.5, count: 12), dimension: 3, labels: [0, 1, 2, 0]), to: path("d3.h5"))
        try writeLabelledDataset(try SpiralSpecification(counts: [5, 5, 5, 5], noise: 0.1, seed: 1).generate(), to: path("k4.h5"))
        _ = FileManager.default.createFile(atPath: path("text.h5"), contents: Data("not hdf5\n".utf8))
        var nonfinite = [Float](repeating: 0.25, count: 6000 * 2)
        nonfinite[5000 * 2 + 1] = .nan                  // in the second block of rows
        try writeTensorArchive(TensorArchive(tensors: [NamedTensor(name: "features", shape: [6000, 2], values: nonfinite)], attributes: [:]),
                               to: path("nan.h5"))
        let out = path("out.h5")
        let cases: [([String], [String])] = [
            (["predict", model, path("nan.h5"), "--stream", "--output", out], ["nan.h5", "row 5000"]),
            (["predict", model, path("nan.h5"), "--output", out], ["nan.h5", "row 5000"]),
            (["predict", path("nothere.h5"), test], ["nothere.h5", "no such file"]),
            (["evaluate", model, path("nothere.h5")], ["nothere.h5", "no such file"]),
            (["predict", path("text.h5"), test], ["text.h5", "not an HDF5 file"]),
            (["predict", test, test, "--output", out], ["test.h5", "not a model saved by datatool", "format"]),
            (["evaluate", test, test], ["test.h5", "not a model saved by datatool"]),
            (["predict", path("missing-tensor.h5"), test], ["missing-tensor.h5", "no tensor '2.bias'"]),
            (["evaluate", path("wrong-shape.h5"), test], ["wrong-shape.h5", "'0.weight'", "[16, 3]", "[16, 2]"]),
            (["predict", path("version.h5"), test], ["version.h5", "version 99"]),
            (["predict", model, path("d3.h5"), "--output", out], ["d3.h5", "takes 2 features", "has 3"]),
            (["predict", model, path("d3.h5"), "--stream"], ["d3.h5", "takes 2 features", "has 3"]),
            (["evaluate", model, path("d3.h5")], ["d3.h5", "takes 2 features", "has 3"]),
            (["evaluate", model, path("k4.h5")], ["k4.h5", "label 3", "0..<3", "model.h5"]),
            (["evaluate", model, path("k4.h5"), "--stream"], ["k4.h5", "label 3", "0..<3"]),
            (["predict", model, test, "--prior-correction", "nan"], ["--prior-correction", "finite", "nan"]),
            (["evaluate", model, test, "--prior-correction", "inf"], ["--prior-correction", "finite"]),
            (["predict", model, test, "--features", "/nope"], ["/nope"]),
            (["evaluate", model, test, "--labels", "/nope"], ["/nope"]),
            (["predict", model, test, "--output", model, "--force"], ["--output", "model.h5", "input file"]),
            (["predict", model, test, "--output", path("no/such/folder/p.h5")], ["no/such/folder"]),
            (["predict", model], ["<data>"]),
        ]
        for (arguments, fragments) in cases {
            expectOneLine(try Datatool.run(arguments), fragments)
        }
        #expect(!FileManager.default.fileExists(atPath: out), "a refused predict must not write its output")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporaries left behind: \(leftovers)")
        #expect(try readTensorArchive(from: model) == archive, "the model file must be untouched")
    }
}

extension PredictCommandTests {
    @Test("--help of predict and evaluate shows examples and says what the logits are", arguments: ["predict", "evaluate"])
    func help(command: String) throws {
        let run = try Datatool.run([command, "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("EXAMPLES:") && run.stdout.contains("datatool \(command) model.h5 test.h5"))
        #expect(run.stdout.contains("τ < 0 takes them out"))
        if command == "predict" { #expect(run.stdout.contains("after the prior correction")) }
        #expect(try Datatool.run(["--help"]).stdout.contains(command))
    }
}

/// Expects a clean failure with exactly one line on stderr, `error: …`, holding every fragment.
func expectOneLine(_ run: DatatoolRun, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    expectCleanFailure(run, mentioning: fragments, sourceLocation: sourceLocation)
    let lines = run.stderr.split(separator: "\n")
    #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "expected one error line, got: \(run.stderr)", sourceLocation: sourceLocation)
}
