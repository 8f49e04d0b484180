import CHDF5

/// The one door to libhdf5: every call into the C library runs inside ``run(_:)``.
///
/// - When libhdf5 was built thread-safe (`H5is_library_threadsafe`, true for Debian's build),
///   the library serialises its own API calls and keeps one error stack per thread, so `run`
///   adds no lock of its own.
/// - Otherwise `run` takes one process-wide recursive lock for the whole body, so no two threads
///   are ever inside libhdf5 at once and the (then global) error stack read after a failed call
///   belongs to that call.
///
/// HDF5's habit of printing its error stack to stderr is switched off on entry to every `run`:
/// in a thread-safe build that setting is per thread, so doing it once would leave other threads
/// printing. The messages are collected instead (``errorStackSummary()``) and end up in an
/// ``HDF5Error``.
enum HDF5Library {
    /// Whether libhdf5 serialises its own API calls. Evaluated once, at first use.
    static let isThreadSafe: Bool = {
        _ = H5open()
        var flag: hbool_t = false
        guard H5is_library_threadsafe(&flag) >= 0 else { return false }
        return flag
    }()

    private static let lock = RecursiveLock()

    /// Runs `body`, which may call libhdf5, serialised as described on ``HDF5Library``.
    static func run<T>(_ body: () throws -> T) rethrows -> T {
        if isThreadSafe {
            _ = H5Eset_auto2(chdf5_e_default(), nil, nil)
            return try body()
        }
        return try runLocked(body)
    }

    /// Runs `body` holding the process-wide lock: the path ``run(_:)`` takes when libhdf5 is
    /// not thread-safe (exposed so tests can exercise it on a thread-safe build too).
    static func runLocked<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock {
            _ = H5Eset_auto2(chdf5_e_default(), nil, nil)
            return try body()
        }
    }

    /// The current thread's HDF5 error stack as one line, outermost call first, and clears it.
    /// Call it inside ``run(_:)`` right after a failed libhdf5 call.
    static func errorStackSummary() -> String {
        var messages: [String] = []
        withUnsafeMutablePointer(to: &messages) { pointer in
            _ = H5Ewalk2(chdf5_e_default(), H5E_WALK_DOWNWARD, { _, entry, context in
                guard let entry, let context else { return 0 }
                let list = context.assumingMemoryBound(to: [String].self)
                var text = entry.pointee.desc.map { String(cString: $0) } ?? ""
                if text.isEmpty {
                    var buffer = [CChar](repeating: 0, count: 256)
                    if H5Eget_msg(entry.pointee.min_num, nil, &buffer, buffer.count) > 0 {
                        text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    }
                }
                // Descriptions may hold line breaks (HDF5 embeds `ctime` output); keep one line.
                text = text.split(whereSeparator: { $0.isNewline }).map { $0.trimmingSpaces() }
                    .joined(separator: " ")
                if !text.isEmpty && list.pointee.last != text { list.pointee.append(text) }
                return 0
            }, pointer)
        }
        _ = H5Eclear2(chdf5_e_default())
        return messages.isEmpty ? "unknown HDF5 error" : messages.joined(separator: ": ")
    }

    /// The current error stack as an error: a ``FileSystemError/system(path:code:writing:existingKept:)``
    /// when libhdf5 failed because the system did (no space, permission denied, …; see
    /// ``FileSystemError/reportedCodes``), else an ``HDF5Error/library(file:operation:reason:)``
    /// carrying the stack.
    static func failure(file: String, operation: String) -> any Error {
        let stack = errorStackSummary()
        return FileSystemError.reported(inErrorStack: stack, path: file)
            ?? HDF5Error.library(file: file, operation: operation, reason: stack)
    }

    /// Throws the current error stack when `status` reports failure (negative).
    static func check(_ status: herr_t, file: String, operation: @autoclosure () -> String) throws {
        if status < 0 { throw failure(file: file, operation: operation()) }
    }

    /// Returns `id`, or throws the current error stack when it is invalid (negative).
    static func check(_ id: hid_t, file: String, operation: @autoclosure () -> String) throws -> hid_t {
        if id < 0 { throw failure(file: file, operation: operation()) }
        return id
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
