import Datasets
import Foundation
import Testing
import Training

@Suite struct CompareCommandTests {
    @Test("--json: the budget, the product threads, one object per recipe with means, sds, steps and selected; --save writes the selected model")
    func jsonAndSave() throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, test) = try TrainCommandTests.files(in: dir)
        let model = dir.appendingPathComponent("best.h5").path
        let arguments = ["compare", train, "--test", test, "--recipes", "natural,balanced,crt", "--repeats", "2",
                         "--epochs", "3", "--batch-size", "30", "--hidden", "8", "--save", model, "--threads", "2", "--json"]
        let run = try Datatool.run(arguments)
        #expect(run.status == 0, "\(run.stderr)")
        let object = try run.json()
        // 336 rows; the validation split takes 60 + 6 + 1, so 269 fit rows, L = ⌈269/30⌉ = 9.
        #expect(object["fit_rows"] as? Int == 269 && object["validation_rows"] as? Int == 67)
        let budget = try #require(object["budget"] as? [String: Any])
        #expect(budget["steps"] as? Int == 27 && budget["epochs"] as? Int == 3 && budget["batches_per_epoch"] as? Int == 9)
        #expect(budget["batch_size"] as? Int == 30)
        #if os(Linux)
        #expect(object["product_threads"] as? Int == 2)  // Accelerate chooses its own (null)
        #endif
        let recipes = try #require(object["recipes"] as? [[String: Any]])
        #expect(recipes.map { $0["recipe"] as? String } == ["natural", "balanced", "crt"])
        #expect(recipes.map { $0["schedule"] as? String } == ["natural:3", "balanced:3", "natural:2,balanced:1/reinit"])
        for recipe in recipes {
            #expect(recipe["steps"] as? [Int] == [27, 27], "\(recipe)")
            let mean = try #require(recipe["mean"] as? [String: Double])
            let sd = try #require(recipe["sd"] as? [String: Double])
            #expect(Set(mean.keys) == Set(LongTailFigures.names) && Set(sd.keys) == Set(LongTailFigures.names))
            #expect(mean.values.allSatisfy { $0 >= 0 && $0 <= 1 } && sd.values.allSatisfy { $0 >= 0 })
            #expect((recipe["validation_balanced_accuracy"] as? [String: Double])?["mean"] != nil)
        }
        let selected = recipes.indices.filter { recipes[$0]["selected"] as? Bool == true }
        #expect(selected.count == 1)
        let validation = recipes.map { ($0["validation_balanced_accuracy"] as? [String: Double])?["mean"] ?? -1 }
        #expect(selected.first == validation.firstIndex(of: validation.max()!))
        let saved = try #require(object["saved"] as? [String: Any])
        let name = try #require(recipes[selected[0]]["recipe"] as? String)
        #expect(saved["recipe"] as? String == name)
        let seed = try #require(saved["seed"] as? Int)
        #expect([0, 1].contains(seed))
        // The saved model is a train --save model of that recipe and seed, and loads back.
        let archive = try readTensorArchive(from: model)
        let loaded = try MLP.load(from: archive, inputs: 2, classes: 3)
        #expect(loaded.model.inputs == 2 && loaded.provenance.seed == UInt64(seed))
        #expect(archive.tensor(named: "0.weight")?.shape == [8, 2])
        #expect(archive.attributes["seed"] == .int(seed))
        guard case .string(let schedule) = archive.attributes["schedule"] else {
            Issue.record("no schedule attribute")
            return
        }
        #expect(schedule.hasPrefix("recipe \(name): lr=0.01 "), "\(schedule)")
        // An existing file is refused without --force, untouched.
        let before = try Data(contentsOf: URL(fileURLWithPath: model))
        expectCleanFailure(try Datatool.run(arguments), mentioning: ["best.h5", "--force"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: model)) == before)
    }

    @Test("the table names the budget, every recipe and the selected one; train's defaults may be given")
    func table() throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, test) = try TrainCommandTests.files(in: dir)
        // The loss and schedule flags at their defaults change nothing the recipes set, so they pass.
        let run = try Datatool.run(["compare", train, "--test", test, "--recipes", "posthoc,balanced+finetune", "--repeats", "1",
                                    "--steps", "30", "--epochs", "15", "--batch-size", "30", "--hidden", "8",
                                    "--lr-schedule", "constant", "--loss", "cross-entropy", "--class-weights", "none"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("budget: 30 optimizer steps per run = 15 epochs × 2 batches of B = 30"), "\(run.stdout)")
        #expect(run.stdout.contains("balanced:14,natural:1/head/lr=×0.1"), "\(run.stdout)")
        #expect(run.stdout.contains("τ = -1"))
        #expect(run.stdout.contains("(selected)") && run.stdout.contains("selected: "))
    }

    @Test("bad recipes, budgets and flags the recipes set get one clear line")
    func badInput() throws {
        let dir = try Datatool.temporaryDirectory()
        let (train, test) = try TrainCommandTests.files(in: dir)
        let cases: [([String], [String])] = [
            (["--recipes", "natural,focal"], ["--recipes", "'focal'", "natural, weighted-loss, balanced, balanced+finetune, deferred, crt, logit-adjusted, posthoc"]),
            (["--steps", "100"], ["--steps", "multiple of --epochs (30)"]),
            (["--validation-split", "1"], ["--validation-split"]),
            (["--repeats", "0"], ["--repeats"]),
            (["--loss", "logit-adjusted"], ["--loss", "recipe"]),
            (["--class-weights", "inverse"], ["--class-weights", "recipe"]),
            (["--beta", "0.9"], ["--beta", "recipe"]),
            (["--lr-schedule", "cosine"], ["--lr-schedule", "recipe"]),
            (["--finetune-lr", "0.001"], ["--finetune-lr", "recipe"]),
            (["--lr-schedule", "linear"], ["--lr-schedule", "linear", "step:EPOCHS:GAMMA"]),
        ]
        for (extra, fragments) in cases {
            let run = try Datatool.run(["compare", train, "--test", test] + extra)
            expectCleanFailure(run, mentioning: fragments)
            #expect(run.stderr.split(separator: "\n").count == 1, "\(extra): \(run.stderr)")
        }
    }

    @Test("--help lists train's model and data flags, not the loss and schedule flags the recipes set")
    func helpLeavesOutFlagsTheRecipesSet() throws {
        let compare = try Datatool.run(["compare", "--help"])
        let train = try Datatool.run(["train", "--help"])
        #expect(compare.status == 0 && train.status == 0)
        func listed(_ flag: String, in help: String) -> Bool {
            help.split(separator: "\n").contains { $0.trimmingPrefix(while: { $0 == " " }).hasPrefix("\(flag) <") }
        }
        for flag in ["--loss", "--tau", "--class-weights", "--beta", "--lr-schedule", "--finetune-lr"] {
            #expect(!listed(flag, in: compare.stdout), "compare --help lists \(flag)")
            #expect(listed(flag, in: train.stdout), "train --help does not list \(flag)")
        }
        for flag in ["--hidden", "--optimizer", "--lr", "--epochs", "--batch-size", "--seed"] {
            #expect(listed(flag, in: compare.stdout), "compare --help does not list \(flag)")
        }
    }
}
