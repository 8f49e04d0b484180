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
    /// Standard input is written, and standard error read, on threads of their own while
    /// standard output is read here, so no pipe can fill up and block the child; a watchdog
    /// terminates a run that is still going after `timeout` seconds.
    ///
    /// - Parameters:
    ///   - program: The executable.
    ///   - arguments: Its arguments.
    ///   - input: Bytes for its standard input (closed afterwards); `nil` leaves the test's own.
    ///   - directory: Its working directory; `nil` for the test's.
    ///   - environment: Its environment; `nil` for the test's.
    ///   - timeout: Seconds after which it is terminated.
    /// - Returns: Its status and output.
    /// - Throws: Foundation's error when the program cannot be started.
    public static func run(_ program: URL, _ arguments: [String], input: Data? = nil, in directory: URL? = nil,
                           environment: [String: String]? = nil, timeout: TimeInterval = 600) throws -> ChildProcessRun {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        if input != nil { process.standardInput = stdin }
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let errors = Collected()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            errors.data = stderr.fileHandleForReading.readDataToEndOfFile()
        }
        if let input {
            DispatchQueue.global().async(group: group) {
                stdin.fileHandleForWriting.write(input)
                try? stdin.fileHandleForWriting.close()
            }
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

    /// What a reader thread collected (written once by it, read after `group.wait()`).
    private final class Collected: @unchecked Sendable {
        var data = Data()
    }
}
