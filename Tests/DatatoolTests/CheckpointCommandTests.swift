#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Datasets
import Foundation
import Testing

/// `datatool train --checkpoint/--resume` as a user runs it: a run killed with SIGKILL at
/// random moments and resumed from its last checkpoint each time ends with the very weights of
/// an uninterrupted run; the checkpoint is never half-written; checkpoints that are not ones,
/// or are of another run, are refused with one line saying what differs.
@Suite struct CheckpointCommandTests {
    /// Many short epochs over a small file, two phases (cRT: the second re-initialises the
    /// head), RReLU's random slopes, Adam and a cosine schedule: every state a resume must put back.
    static let training = [
        "--schedule", "natural:6/lr-schedule=cosine,balanced:34/reinit/lr=0.01", "--batch-size", "32", "--hidden", "16",
        "--activation", "rrelu", "--optimizer", "adam", "--test-split", "0",
    ]

    static func spirals(_ counts: [Int], to path: String) throws {
        try writeLabelledDataset(try SpiralSpecification(counts: counts, noise: 0.2, seed: 1).generate(), to: path)
    }

    /// The model's tensors, as bit patterns, by name.
    static func tensorBits(_ path: String) throws -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: try readTensorArchive(from: path).tensors.map { ($0.name, $0.values.map(\.bitPattern)) })
    }

    /// The inode at `path` (0 when there is nothing there).
    static func inode(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    @Test(.timeLimit(.minutes(3)))
    func killedAndResumedRunsEndBitIdentical() throws {
        let folder = try Datatool.temporaryDirectory()
        let data = folder.appendingPathComponent("s.h5").path
        try Self.spirals([200, 40, 8], to: data)
        let checkpoint = folder.appendingPathComponent("run.ckpt").path
        let reference = folder.appendingPathComponent("reference.h5").path
        let resumed = folder.appendingPathComponent("resumed.h5").path

        let started = Date()
        let uninterrupted = try Datatool.run(["train", data, "--save", reference] + Self.training)
        try #require(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let duration = Date().timeIntervalSince(started)

        let expected = try Self.tensorBits(reference)
        var rng = Xoshiro256StarStar(seed: 20_261_201)
        var kills = 0, attempts = 0, lastEpoch = 0, restarts = 0
        var epochsSeen = [Int]()
        var finished = false
        while !(finished && kills == 5) && attempts < 60 {
            if finished {
                // A run outran its kill and ended: it must already be the uninterrupted run's
                // model. Start a new chain of kills from nothing, so five land in all.
                #expect(try Self.tensorBits(resumed) == expected, "attempt \(attempts): a run that outran its kill ended with other weights")
                try FileManager.default.removeItem(atPath: checkpoint)
                finished = false
                lastEpoch = 0
                restarts += 1
            }
            attempts += 1
            var arguments = ["train", data, "--checkpoint", checkpoint, "--save", resumed, "--force"] + Self.training
            if FileManager.default.fileExists(atPath: checkpoint) { arguments += ["--resume", checkpoint] }
            let process = Process()
            process.executableURL = Datatool.executable
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if kills < 5 {
                // Once this run has replaced the checkpoint 1 to 3 times (a new inode: the atomic
                // rename), kill it a random 0 to 150 ms later: inside an epoch, or inside the
                // next checkpoint's write. Near the end it may finish first.
                let deadline = Date().addingTimeInterval(30)
                for _ in 0...rng.nextBounded(3) {
                    let before = Self.inode(checkpoint)
                    while process.isRunning && Self.inode(checkpoint) == before && Date() < deadline { usleep(500) }
                }
                usleep(useconds_t(rng.nextUnitDouble() * 150_000))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal {
                kills += 1
            } else {
                #expect(process.terminationStatus == 0, "attempt \(attempts): \(arguments.joined(separator: " ")) failed")
                finished = process.terminationStatus == 0
            }
            // The checkpoint is absent (killed before the first) or a whole one, never older.
            guard FileManager.default.fileExists(atPath: checkpoint) else { continue }
            let archive = try readTensorArchive(from: checkpoint)
            #expect(archive.attributes["format"] == .string("imbalanced-training/checkpoint"))
            guard case .int(let epoch)? = archive.attributes["next_epoch"] else {
                Issue.record("attempt \(attempts): the checkpoint has no next_epoch")
                continue
            }
            #expect(epoch >= lastEpoch, "attempt \(attempts): the checkpoint went back from epoch \(lastEpoch) to \(epoch)")
            lastEpoch = epoch
            epochsSeen.append(epoch)
        }
        #expect(finished)
        #expect(kills == 5, "only \(kills) runs were killed in \(attempts) attempts")
        #expect(epochsSeen.contains { $0 > 6 && $0 < 40 }, "no run was resumed inside the second phase: \(epochsSeen)")
        #expect(try Self.tensorBits(resumed) == expected, "the resumed run's weights differ from the uninterrupted run's")
        #expect(expected.count == 4)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".run.ckpt.tmp-") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        print("checkpoint kills: uninterrupted \(String(format: "%.2f", duration)) s; \(kills) kills in \(attempts) runs, \(restarts) restarts after a run outran its kill; checkpoint epochs after each run \(epochsSeen)")
    }

    @Test("--resume F --checkpoint F continues the same file; a finished run resumed gives the same model")
    func resumeIntoTheSameFile() throws {
        let folder = try Datatool.temporaryDirectory()
        let data = folder.appendingPathComponent("s.h5").path
        try Self.spirals([60, 12, 4], to: data)
        let checkpoint = folder.appendingPathComponent("c.h5").path
        let common = ["train", data, "--schedule", "balanced:3", "--batch-size", "8", "--hidden", "8", "--optimizer", "sgd", "--test-split", "0", "--json"]
        let first = try Datatool.run(common + ["--checkpoint", checkpoint, "--checkpoint-every", "2", "--save", folder.appendingPathComponent("a.h5").path])
        try #require(first.status == 0, "\(first.stderr)")
        #expect(try readTensorArchive(from: checkpoint).attributes["next_epoch"] == .int(3))
        let again = try Datatool.run(common + ["--checkpoint", checkpoint, "--resume", checkpoint, "--save", folder.appendingPathComponent("b.h5").path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(((try again.json())["epochs"] as? [Any])?.isEmpty == true)
        #expect(try Self.tensorBits(folder.appendingPathComponent("a.h5").path) == Self.tensorBits(folder.appendingPathComponent("b.h5").path))
    }

    @Test func badCheckpointInputGetsOneClearLine() throws {
        let folder = try Datatool.temporaryDirectory()
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        let data = path("s.h5")
        try Self.spirals([30, 6, 3], to: data)
        try Self.spirals([30, 6, 3, 3], to: path("four.h5"))
        var shuffled = try loadLabelledDataset(path: data)
        let zero = shuffled.labels.firstIndex(of: 0)!, one = shuffled.labels.firstIndex(of: 1)!
        var labels = shuffled.labels
        labels.swapAt(zero, one)
        shuffled = try LabelledDataset(features: shuffled.features, dimension: 2, labels: labels, classCount: 3)
        try writeLabelledDataset(shuffled, to: path("relabelled.h5"))
        let common = ["--schedule", "balanced:5", "--batch-size", "16", "--hidden", "8", "--test-split", "0"]
        let made = try Datatool.run(["train", data, "--checkpoint", path("c.h5"), "--save", path("model.h5")] + common)
        try #require(made.status == 0, "\(made.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path("c.h5")))
        _ = FileManager.default.createFile(atPath: path("truncated.h5"), contents: bytes.prefix(bytes.count / 2))
        _ = FileManager.default.createFile(atPath: path("text.h5"), contents: Data("not a checkpoint\n".utf8))

        let resume = { (file: String) in ["train", data, "--resume", path(file)] + common }
        let cases: [([String], [String])] = [
            (["train", data, "--checkpoint", path("new.h5"), "--checkpoint-every", "0"], ["--checkpoint-every", "at least 1"]),
            (["train", data, "--checkpoint-every", "2"], ["--checkpoint-every", "--checkpoint"]),
            (resume("missing.h5"), ["missing.h5"]),
            (resume("truncated.h5"), ["truncated.h5"]),
            (resume("text.h5"), ["text.h5", "not an HDF5 file"]),
            (resume("model.h5"), ["model.h5", "not a training checkpoint", "a saved model"]),
            (resume("s.h5"), ["s.h5", "not a training checkpoint", "no format attribute"]),
            (["train", data, "--resume", path("c.h5"), "--schedule", "balanced:6"] + common.dropFirst(2),
             ["c.h5", "the checkpoint was made with --schedule balanced:5 but this run has balanced:6"]),
            (["train", data, "--resume", path("c.h5"), "--batch-size", "17"] + common.prefix(2) + common.suffix(4),
             ["--batch-size 16 but this run has 17"]),
            (["train", path("four.h5"), "--resume", path("c.h5")] + common, ["3 classes but the data has 4"]),
            (["train", path("relabelled.h5"), "--resume", path("c.h5")] + common, ["training labels differ"]),
            (["train", data, "--checkpoint", path("c.h5")] + common, ["c.h5", "--force"]),
        ]
        for (arguments, fragments) in cases {
            let run = try Datatool.run(arguments)
            expectCleanFailure(run, mentioning: fragments)
            #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
        }
        // Nothing the user had was changed, and no checkpoint was started where none was asked.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("c.h5"))) == bytes)
        #expect(!FileManager.default.fileExists(atPath: path("new.h5")))
    }
}
