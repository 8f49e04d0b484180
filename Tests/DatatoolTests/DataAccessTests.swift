import Datasets
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `DATATOOL_DATA_ACCESS=1` makes `datatool` print how often it opened an HDF5 file and
/// checked labels (the probe's child process is not counted): each command that reads a
/// labelled file does each once per file.
@Suite struct DataAccessTests {
    static func counts(_ run: DatatoolRun) -> String? {
        run.stderr.split(separator: "\n").last { $0.hasPrefix("data access: ") }.map(String.init)
    }

    static func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DATATOOL_DATA_ACCESS"] = "1"
        return environment
    }

    @Test("each command opens the file once and checks its labels once", arguments: [
        ["train", "--epochs", "1", "--batch-size", "30"],
        ["train", "--epochs", "1", "--batch-size", "30", "--stream"],
        ["train", "--epochs", "1", "--batch-size", "30", "--test-split", "0", "--plot", "p.png"],
        ["compare", "--epochs", "1", "--batch-size", "30", "--repeats", "2"],
        ["sample", "--batch-size", "30"],
        ["balance-stats", "--batch-size", "30"],
    ])
    func oneOpenAndOneLabelCheckPerFile(arguments: [String]) throws {
        let dir = try Datatool.temporaryDirectory()
        let file = dir.appendingPathComponent("train.h5").path
        try writeLabelledDataset(try SpiralSpecification(counts: [300, 30, 6], noise: 0.2, seed: 1).generate(), to: file)
        let run = try Datatool.run([arguments[0], file] + arguments.dropFirst(), in: dir, environment: Self.environment())
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.counts(run) == "data access: 1 file opens, 1 label validations", "\(run.stderr)")
    }

    @Test func aSecondFileIsOpenedAndCheckedOnceMore() throws {
        let dir = try Datatool.temporaryDirectory()
        let train = dir.appendingPathComponent("train.h5").path
        let test = dir.appendingPathComponent("test.h5").path
        try writeLabelledDataset(try SpiralSpecification(counts: [300, 30, 6], noise: 0.2, seed: 1).generate(), to: train)
        try writeLabelledDataset(try SpiralSpecification(counts: [50, 50, 50], noise: 0.2, seed: 2).generate(), to: test)
        let run = try Datatool.run(["train", train, "--test", test, "--epochs", "1", "--batch-size", "30"],
                                   environment: Self.environment())
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.counts(run) == "data access: 2 file opens, 2 label validations", "\(run.stderr)")
    }

    @Test func withoutTheVariableNothingIsPrinted() throws {
        let dir = try Datatool.temporaryDirectory()
        let file = dir.appendingPathComponent("s.h5").path
        try writeLabelledDataset(try SpiralSpecification(counts: [30, 30], noise: 0, seed: 1).generate(), to: file)
        var environment = ProcessInfo.processInfo.environment
        environment["DATATOOL_DATA_ACCESS"] = nil
        let run = try Datatool.run(["balance-stats", file, "--batch-size", "4"], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.counts(run) == nil)
    }
}
