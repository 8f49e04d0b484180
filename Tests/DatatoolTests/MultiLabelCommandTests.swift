import Foundation
import Testing
import TestSupport

/// `datatool sample` and `balance-stats` with `--multi-label`, on the h5py fixture
/// `multilabel.h5` (`scripts/fixtures/make_multilabel_fixtures.py`): a seeded co-occurring,
/// long-tailed [600, 8] label matrix.
@Suite struct MultiLabelCommandTests {
    static let file = SamplingCommandTests.fixtures.appendingPathComponent("multilabel.h5").path

    /// Each sample's labels, as h5py read them.
    static func expectedRows() throws -> [[Int]] {
        let url = SamplingCommandTests.fixtures.appendingPathComponent("multilabel.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return object["labels"] as! [[Int]]
    }

    @Test func sampleLinesCarryLabelListsAndCoverEveryLabelledSample() throws {
        let rows = try Self.expectedRows()
        let run = try Datatool.run(["sample", Self.file, "--multi-label", "--batch-size", "32", "--schedule", "balanced:1,natural:1", "--seed", "5"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try SamplingCommandTests.lines(run.stdout)
        var seen = [Int: Set<Int>]()
        for line in lines {
            let indices = try #require(line["indices"] as? [Int])
            let labels = try #require(line["labels"] as? [[Int]])
            #expect(labels == indices.map { rows[$0] }, "labels are each sample's label list")
            seen[try #require(line["epoch"] as? Int), default: []].formUnion(indices)
        }
        let labelled = Set(rows.indices.filter { !rows[$0].isEmpty })
        #expect(seen[0] == labelled, "a balanced cover epoch draws every labelled sample and no unlabelled one")
        #expect(seen[1] == Set(rows.indices), "a natural epoch draws every sample")
        // Resume from (epoch 0, batch 40) gives the rest of the same stream.
        let resumed = try Datatool.run(["sample", Self.file, "--multi-label", "--batch-size", "32", "--schedule", "balanced:1,natural:1", "--seed", "5", "--start-batch", "40"])
        let rest = try SamplingCommandTests.lines(resumed.stdout)
        #expect(NSArray(array: rest).isEqual(to: Array(lines[40...])))
    }

    @Test("--multi-label --output schedule.h5 replays as the JSON lines, labels read from the data file")
    func multiLabelScheduleFileReplays() throws {
        let dir = try Datatool.temporaryDirectory()
        let schedule = dir.appendingPathComponent("schedule.h5").path
        let common = ["sample", Self.file, "--multi-label", "--batch-size", "16", "--schedule", "repeat:0.3:2,balanced:1", "--seed", "3"]
        let written = try Datatool.run(common + ["--output", schedule])
        #expect(written.status == 0 && written.stdout.isEmpty, "\(written.stderr)")
        let expected = try SamplingCommandTests.lines(try Datatool.run(common).stdout)
        let replay = try PythonScript.run("scripts/schedule_replay.py", [schedule, Self.file])
        try #require(replay.status == 0, "schedule_replay.py failed: \(replay.stderr)")
        let actual = try SamplingCommandTests.lines(String(decoding: replay.stdout, as: UTF8.self))
        #expect(expected.count > 0 && NSArray(array: expected).isEqual(to: actual), "the file's batches differ from the JSON lines")
    }

    @Test func balanceStatsReportsPerLabelDrawsAndTheAppearanceSpread() throws {
        let rows = try Self.expectedRows()
        let run = try Datatool.run(["balance-stats", Self.file, "--multi-label", "--batch-size", "32", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try SamplingCommandTests.jsonObject(run.stdout)
        #expect(object["samples"] as? Int == rows.count)
        #expect(object["unlabelled"] as? Int == rows.filter(\.isEmpty).count)
        let counts = (0..<8).map { l in rows.filter { $0.contains(l) }.count }
        #expect(object["natural_label_appearances"] as? [Int] == counts)
        let perLabel = try #require(object["per_class"] as? [[String: Any]])
        let quotas = perLabel.compactMap { $0["draws_per_epoch"] as? Int }
        #expect(quotas.count == 8 && quotas.max()! - quotas.min()! <= 1 && quotas.min()! >= counts.max()!, "\(quotas)")
        let spread = try #require(object["appearance_spread"] as? Double)
        let natural = try #require(object["natural_appearance_spread"] as? Double)
        #expect(spread * 5 <= natural, "balanced \(spread) vs natural \(natural)")
        #expect(object["finetune_batches_per_epoch"] as? Int == (rows.count + 31) / 32)
        let table = try Datatool.run(["balance-stats", Self.file, "--multi-label", "--batch-size", "32"])
        #expect(table.status == 0 && table.stdout.contains("spread max/min"), "\(table.stdout)")
    }

    @Test func badMultiLabelInputGetsOneClearLine() throws {
        let cases: [([String], [String])] = [
            (["sample", Self.file, "--multi-label", "--labels", "/rank1"], ["multilabel.h5", "/rank1", "[N, K]"]),
            (["balance-stats", Self.file, "--multi-label", "--labels", "/rank1"], ["/rank1", "[N, K]"]),
            (["sample", Self.file, "--multi-label", "--labels", "/value2"], ["multilabel.h5", "/value2", "value 2", "row 4", "0 or 1"]),
            (["balance-stats", Self.file, "--multi-label", "--labels", "/value2"], ["/value2", "value 2", "row 4"]),
            (["sample", Self.file, "--multi-label", "--labels", "/float"], ["/float", "integers or bool"]),
            (["sample", Self.file, "--multi-label", "--classes", "5"], ["--classes 5", "8 columns"]),
            (["sample", Self.file, "--labels", "/small/uint8"], ["/small/uint8", "one-dimensional"]),
        ]
        for (arguments, fragments) in cases {
            let run = try Datatool.run(arguments)
            expectCleanFailure(run, mentioning: fragments)
            #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): expected one line, got \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(arguments) printed \(run.stdout)")
        }
    }
}
