import Foundation

/// What a child process printed and how it ended.
public struct ChildProcessRun: Sendable {
    /// The exit status (the signal's number when ``signalled``).
    public var status: Int32
    /// True when the process ended by a signal (a crash, a trap or a kill), not by exit.
    public var signalled: Bool
    /// Everything it wrote to standard output.
    public var stdout: Data
    /// Everything it wrote to standard error.
    public var stderr: Data
}

/// Runs programs for the tests: their output is read whole, without the deadlocks of reading
/// one pipe after the other.
public enum ChildProcess {
    /// Runs `program` with `arguments` and waits for it.
    ///
    /// Standard input comes from a temporary file holding `input`, not a pipe: a child that
    /// exits before reading it (a checker rejecting its file) would otherwise make our write
    /// raise SIGPIPE and end the whole test process. Standard error is read on a thread of its
    /// own while standard output is read here, so neither pipe can fill up and block the child;
    /// a watchdog terminates a run that is still going after `timeout` seconds.
    ///
    /// - Parameters:
    ///   - program: The executable.
    ///   - arguments: Its arguments.
    ///   - input: Bytes for its standard input (closed afterwards); `nil` leaves the test's own.
    ///   - directory: Its working directory; `nil` for the test's.
    ///   - environment: Its environment; `nil` for the test's.
    ///   - timeout: Seconds after which it is terminated.
    /// - Returns: Its status and output.
    /// - Throws: Foundation's error when the program cannot be started or the input not
    ///   written.
    public static func run(_ program: URL, _ arguments: [String], input: Data? = nil, in directory: URL? = nil,
                           environment: [String: String]? = nil, timeout: TimeInterval = 600) throws -> ChildProcessRun {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let stdout = Pipe(), stderr = Pipe()
        if let input { process.standardInput = try inputFile(holding: input) }
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let errors = Collected()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            errors.data = stderr.fileHandleForReading.readDataToEndOfFile()
        }
        let watchdog = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let printed = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        watchdog.cancel()
        return ChildProcessRun(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                               stdout: printed, stderr: errors.data)
    }

    /// A handle reading `input` from its start, from a temporary file already unlinked (the
    /// open handle keeps its bytes until the child and we close it).
    private static func inputFile(holding input: Data) throws -> FileHandle {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("child-input-\(UUID().uuidString)")
        try input.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try FileHandle(forReadingFrom: url)
    }

    /// What a reader thread collected (written once by it, read after `group.wait()`).
    private final class Collected: @unchecked Sendable {
        var data = Data()
    }
}
