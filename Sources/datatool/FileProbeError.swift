/// Why the probe of a file (see ``FileProbe``) refused it.
enum FileProbeError: Error, Equatable, CustomStringConvertible {
    /// Reading the file's structure killed the probe process with `signal`.
    case crashed(file: String, signal: Int32)
    /// Reading the file's structure did not finish within `seconds`.
    case timedOut(file: String, seconds: Double)

    var description: String {
        switch self {
        case .crashed(let file, let signal):
            return "\(file) is damaged: libhdf5 crashed with \(Self.signalName(signal)) reading its structure in a separate check process, so it was not read; expected an intact HDF5 file"
        case .timedOut(let file, let seconds):
            return "\(file) is damaged or too slow to read: reading its structure did not finish within \(Self.secondsText(seconds)) s (libhdf5 loops on some damaged files); expected an intact HDF5 file (set \(FileProbe.timeoutVariable) to allow longer)"
        }
    }

    /// `SIGSEGV (signal 11)`.
    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV"]
        return (names[signal].map { $0 + " " } ?? "") + "(signal \(signal))"
    }

    static func secondsText(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
