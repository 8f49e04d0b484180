import Foundation
import Testing
import TestSupport

/// Runs the built `datatool` as a user would and captures what it printed.
struct DatatoolRun: Sendable {
    var status: Int32
    /// True when the process ended by a signal (a crash or trap), not by exit.
    var signalled: Bool
    var stdout: String
    var stderr: String

    /// Standard output as one JSON object (`--json`).
    ///
    /// - Throws: ``FixtureError/notAJSONObject(_:)`` quoting the output when it is not one.
    func json() throws -> [String: Any] {
        try JSONObject.parse(stdout, what: "datatool's standard output")
    }
}

enum Datatool {
    /// The `datatool` built next to the test bundle (`.build/<config>/datatool`).
    static var executable: URL {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDir.appendingPathComponent("datatool"),
            Bundle.main.bundleURL.appendingPathComponent("datatool"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("datatool"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs `datatool` with `arguments` in `directory` (a fresh temporary folder by default).
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
                    timeout: TimeInterval = 600) throws -> DatatoolRun {
        try runProgram(executable, arguments, in: directory, environment: environment, timeout: timeout)
    }

    /// Runs any program the same way.
    static func runProgram(_ program: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
                           timeout: TimeInterval = 600) throws -> DatatoolRun {
        let run = try ChildProcess.run(program, arguments, in: directory, environment: environment, timeout: timeout)
        return DatatoolRun(status: run.status, signalled: run.signalled, stdout: String(decoding: run.stdout, as: UTF8.self),
                           stderr: String(decoding: run.stderr, as: UTF8.self))
    }

    /// A new empty temporary folder.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("datatool-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The repository root (for committed scripts and fixtures).
    static var repositoryRoot: URL { Repository.root }
}

/// Asserts a run failed cleanly: non-zero exit, no signal, and an error line on stderr that
/// contains every one of `fragments`.
func expectCleanFailure(_ run: DatatoolRun, mentioning fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status != 0, "expected a non-zero exit; stderr: \(run.stderr)", sourceLocation: sourceLocation)
    #expect(!run.signalled, "datatool died by a signal; stderr: \(run.stderr)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(run.stderr.contains(fragment), "stderr should mention \"\(fragment)\", got: \(run.stderr)", sourceLocation: sourceLocation)
    }
}
