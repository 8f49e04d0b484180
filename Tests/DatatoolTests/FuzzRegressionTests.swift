import Foundation
import Testing
import TestSupport

/// Damaged HDF5 files found by the fuzzing harness (`scripts/fuzz/run`) that once crashed or
/// hung `datatool`, and a short fuzzing run: every command must now fail cleanly.
@Suite struct FuzzRegressionTests {
    /// One committed file of `scripts/fuzz/regressions/manifest.json`.
    struct RegressionCase: Sendable, CustomTestStringConvertible {
        let file: String
        let was: String
        let features: String
        let labels: String
        let probeTimeout: Double?
        /// Command → text its error line must contain, in name order.
        let commands: [(command: String, text: String)]

        var testDescription: String { file }
    }

    static let folder = Datatool.repositoryRoot.appendingPathComponent("scripts/fuzz/regressions")

    /// The cases of the manifest (an empty list fails the test that checks the manifest).
    static func cases() -> [RegressionCase] {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("manifest.json")),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = root["files"] as? [[String: Any]]
        else { return [] }
        return files.compactMap { entry in
            guard let file = entry["file"] as? String, let commands = entry["commands"] as? [String: String] else { return nil }
            return RegressionCase(
                file: file, was: entry["was"] as? String ?? "", features: entry["features"] as? String ?? "/features",
                labels: entry["labels"] as? String ?? "/labels", probeTimeout: entry["probe_timeout"] as? Double,
                commands: commands.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }

    /// The arguments `scripts/fuzz/hdf5_fuzz.py` runs for `command`.
    static func arguments(_ command: String, file: String, features: String, labels: String) -> [String] {
        let data = [file, "--features", features, "--labels", labels]
        switch command {
        case "inspect": return ["inspect", file]
        case "sample": return ["sample"] + data + ["--batch-size", "3"]
        case "train": return ["train"] + data + ["--epochs", "1", "--hidden", "4"]
        default: return [command] + data
        }
    }

    @Test func manifestListsCommittedFiles() throws {
        let cases = Self.cases()
        #expect(cases.count >= 10, "scripts/fuzz/regressions/manifest.json should list the regression files")
        for item in cases {
            let path = Self.folder.appendingPathComponent(item.file).path
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            #expect(size != nil, "\(item.file) is listed but missing")
            #expect((size ?? 0) < 64 << 10, "\(item.file): regression files should stay small")
            #expect(!item.commands.isEmpty, "\(item.file) lists no command")
        }
    }

    @Test(arguments: cases())
    func damagedFileFailsCleanly(_ item: RegressionCase) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        if let timeout = item.probeTimeout { environment["DATATOOL_PROBE_TIMEOUT"] = String(timeout) }
        let path = Self.folder.appendingPathComponent(item.file).path
        for (command, text) in item.commands {
            let run = try Datatool.run(
                Self.arguments(command, file: path, features: item.features, labels: item.labels), environment: environment)
            expectCleanFailure(run, mentioning: [text])
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true,
                    "\(item.file) \(command): expected one line starting with 'error:' (was: \(item.was)), got: \(run.stderr)")
        }
    }

    /// 60 mutants of the fixed seed 1 through inspect, balance-stats and sample: no crash, no
    /// hang (the full run is `scripts/fuzz/run`, 1,000 mutants).
    @Test(.timeLimit(.minutes(3)))
    func shortFuzzRunHasNoCrashOrHang() throws {
        let folder = try Datatool.temporaryDirectory()
        let summary = folder.appendingPathComponent("summary.json")
        var arguments = [
            "--datatool", Datatool.executable.path, "--seed", "1", "--count", "60", "--jobs", "2",
            "--timeout", "30", "--probe-timeout", "2", "--quiet",
            "--failures", folder.appendingPathComponent("failures").path, "--json", summary.path,
        ]
        // Under AddressSanitizer (scripts/sanitize) datatool reserves terabytes of shadow
        // address space, so the harness's address-space limit has to go.
        if ProcessInfo.processInfo.environment["DATATOOL_SANITIZER"] != nil {
            arguments.append(contentsOf: ["--memory-limit", "0"])
        }
        let run = try PythonScript.run("scripts/fuzz/hdf5_fuzz.py", arguments)
        let printed = String(decoding: run.stdout, as: UTF8.self)
        let errors = run.stderr
        let data = try #require(
            try? Data(contentsOf: summary),
            "hdf5_fuzz.py wrote no summary (status \(run.status)); it needs Python 3 with h5py and NumPy (pip install h5py numpy): \(errors)")
        let root = try JSONObject.parse(data, what: "hdf5_fuzz.py's summary")
        let totals = try #require(root["totals"] as? [String: Int])
        #expect(totals["crash"] == 0, "crashing mutants:\n\(printed)")
        #expect(totals["hang"] == 0, "hanging mutants:\n\(printed)")
        #expect((totals["ok"] ?? 0) + (totals["clean"] ?? 0) == 60, "\(printed)")
        // The mutants do reach both outcomes: some still read fine, some are refused.
        #expect((totals["ok"] ?? 0) > 0 && (totals["clean"] ?? 0) > 0, "\(printed)")
        #expect(run.status == 0, "\(printed)\n\(errors)")
    }
}
