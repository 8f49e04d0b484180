#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads a file's structure in a child process before `datatool` reads it itself.
///
/// libhdf5 1.10 can crash (segfault) or loop forever on some damaged files: a symbol table
/// whose heap address is past the end of the file, a global heap collection whose object sizes
/// do not add up. No check made from outside the library catches every such case, so each
/// command that reads an HDF5 file first runs `datatool probe-file` on it (a hidden
/// subcommand, see ``ProbeFile``), which opens the file and does what the command will do
/// short of the bulk reads: listing every object (for `inspect`), or opening the features and
/// labels datasets, checking them and reading their first and last rows. When the child dies by
/// a signal or runs out of time, the command stops with a ``FileProbeError`` instead of
/// crashing or hanging; otherwise (success or an ordinary error, which the command will then
/// report itself) it goes on.
///
/// Settings (environment):
/// - `DATATOOL_PROBE=off` skips the probe.
/// - `DATATOOL_PROBE_TIMEOUT=<seconds>` sets the time limit; the default is 10 s plus 1 s per
///   GB of file.
enum FileProbe {
    /// The hidden subcommand the child runs.
    static let commandName = "probe-file"
    static let switchVariable = "DATATOOL_PROBE"
    static let timeoutVariable = "DATATOOL_PROBE_TIMEOUT"

    /// What the probe reads.
    enum Scope: Equatable {
        /// Every object with its attributes (what `inspect` prints).
        case listing
        /// The features and labels datasets (what the data commands read); features alone
        /// when `labels` is `nil` (what `predict` reads).
        case data(features: String, labels: String?)
    }

    /// Probes `file`; returns when the probe finished (whatever it found) or could not be run.
    ///
    /// - Throws: ``FileProbeError/crashed(file:signal:)`` or ``FileProbeError/timedOut(file:seconds:)``.
    static func check(_ file: String, scope: Scope, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let setting = environment[switchVariable]?.lowercased(), ["off", "0", "no", "false"].contains(setting) {
            return
        }
        var info = stat()
        // Missing files and the like get their own errors from the command itself.
        guard stat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, let executable = executablePath() else { return }
        let seconds = timeout(fileSize: Int(info.st_size), environment: environment)
        var arguments = [executable, commandName, file]
        switch scope {
        case .listing:
            arguments.append("--list")
        case .data(let features, let labels):
            arguments += ["--features", features] + (labels.map { ["--labels", $0] } ?? [])
        }
        var childEnvironment = environment
        childEnvironment["SWIFT_BACKTRACE"] = "enable=no"   // a crash report would only cost time
        guard let pid = spawn(arguments, environment: childEnvironment) else { return }
        switch wait(for: pid, seconds: seconds) {
        case .exited:
            return
        case .signalled(let signal):
            throw FileProbeError.crashed(file: file, signal: signal)
        case .timedOut:
            throw FileProbeError.timedOut(file: file, seconds: seconds)
        }
    }

    /// The time limit: `DATATOOL_PROBE_TIMEOUT` when it is a positive number, else 10 s + 1 s
    /// per GB.
    static func timeout(fileSize: Int, environment: [String: String]) -> Double {
        if let text = environment[timeoutVariable], let value = Double(text.trimmingCharacters(in: .whitespaces)),
           value > 0, value.isFinite {
            return value
        }
        return 10 + Double(fileSize / 1_000_000_000)
    }

    /// This program's own executable.
    static func executablePath() -> String? {
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        #endif
        return Bundle.main.executablePath
    }

    /// Starts `arguments[0]` with `arguments`, stdin, stdout and stderr on /dev/null; `nil`
    /// when it cannot be started.
    static func spawn(_ arguments: [String], environment: [String: String]) -> pid_t? {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        #endif
        guard posix_spawn_file_actions_init(&actions) == 0 else { return nil }
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        return status == 0 ? pid : nil
    }

    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
    }

    /// Waits for `pid` at most `seconds`, then kills it (SIGKILL) and reaps it.
    static func wait(for pid: pid_t, seconds: Double) -> Ending {
        let deadline = Date().addingTimeInterval(seconds)
        var pause: useconds_t = 500
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return ending(status) }
            if result < 0 && errno != EINTR { return .exited(-1) }
            if Date() >= deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .timedOut
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Decodes a `waitpid` status (the `WIFSIGNALED` / `WTERMSIG` / `WEXITSTATUS` macros, which
    /// Swift cannot import).
    static func ending(_ status: Int32) -> Ending {
        let signal = status & 0x7f
        if signal != 0 && signal != 0x7f { return .signalled(signal) }
        return .exited((status >> 8) & 0xff)
    }
}
