import Foundation

/// What a script printed and how it ended.
public struct ScriptRun: Sendable {
    /// The exit status.
    public var status: Int32
    /// Everything it wrote to standard output.
    public var stdout: Data
    /// Everything it wrote to standard error, as text.
    public var stderr: String
}

/// The repository's Python scripts (reference readers and checkers), run with `python3` from
/// the `PATH`.
public enum PythonScript {
    /// Runs `python3 <repository>/<script> <arguments…>` and waits for it.
    ///
    /// - Parameters:
    ///   - script: The script's path below the repository root, e.g. `scripts/h5py_readback.py`.
    ///   - arguments: Its arguments.
    ///   - input: Bytes for its standard input (closed afterwards); `nil` for none.
    /// - Returns: Its status and output.
    /// - Throws: Foundation's error when `python3` cannot be started.
    public static func run(_ script: String, _ arguments: [String], input: Data? = nil) throws -> ScriptRun {
        let run = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Repository.path(script)] + arguments,
                                       input: input)
        return ScriptRun(status: run.status, stdout: run.stdout, stderr: String(decoding: run.stderr, as: UTF8.self))
    }
}
