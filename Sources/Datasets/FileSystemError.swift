#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// What the file system refused: an output that is already there or cannot be written, or an
/// operating-system failure while reading or writing (no space left, permission denied, a
/// read-only file system, an I/O error), whether it came from this package's own calls or from
/// inside libhdf5. Each description is one short line naming the file and what happened to
/// the user's data:
///
///     no space left on device writing /data/s.h5; the existing file is unchanged
///     cannot write /data/out/s.h5: folder /data/out does not exist
public enum FileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An output file that exists, and replacing it was not asked for; it is unchanged.
    case exists(path: String)
    /// An output that cannot be written at `path` (found before anything was written):
    /// `reason` names the folder and the problem.
    case cannotWrite(path: String, reason: String)
    /// The system failed a read or a write of `path` with `errno` `code` (see
    /// ``reportedCodes``). Writes go to a temporary file that is then removed, so a file that
    /// was already at `path` (`existingKept`) is unchanged.
    case system(path: String, code: Int32, writing: Bool, existingKept: Bool = false)

    public var description: String {
        switch self {
        case .exists(let path):
            return "\(path) already exists"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .system(let path, let code, let writing, let existingKept):
            let what = "\(Self.phrase(code)) \(writing ? "writing" : "reading") \(path)"
            guard writing else { return what }
            return what + (existingKept ? "; the existing file is unchanged" : "; no file was created")
        }
    }

    /// The `errno` values reported as ``system(path:code:writing:existingKept:)`` rather than
    /// as a library failure: the ones a user can act on.
    public static let reportedCodes: Set<Int32> = [ENOSPC, EDQUOT, EACCES, EPERM, EROFS, EIO]

    /// A short lower-case phrase for `code`: "no space left on device", "permission denied", …
    public static func phrase(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "no space left on device"
        case EDQUOT: return "disk quota exceeded"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "read-only file system"
        case EIO: return "input/output error"
        default:
            guard let text = strerror(code) else { return "system error \(code)" }
            return String(cString: text).lowercased()
        }
    }

    /// A ``system(path:code:writing:existingKept:)`` for `code` when it is one of
    /// ``reportedCodes``, else `nil`.
    static func reported(code: Int32, path: String, writing: Bool) -> FileSystemError? {
        reportedCodes.contains(code) ? .system(path: path, code: code, writing: writing) : nil
    }

    /// The system error libhdf5 names in an error stack (its file drivers write
    /// `errno = 28, error message = 'No space left on device'`), as a
    /// ``system(path:code:writing:existingKept:)`` when it is one of ``reportedCodes``.
    ///
    /// - Parameters:
    ///   - stack: The error stack as one line (see `HDF5Library.errorStackSummary()`).
    ///   - path: The file the failed call was about.
    /// - Returns: `nil` when the stack names no system error, or one not in ``reportedCodes``.
    static func reported(inErrorStack stack: String, path: String) -> FileSystemError? {
        guard let range = stack.firstRange(of: "errno = ") else { return nil }
        let digits = stack[range.upperBound...].prefix { $0.isNumber }
        guard let code = Int32(digits) else { return nil }
        // libhdf5 cannot tell a write from a read in its message: the writers say which.
        return reported(code: code, path: path, writing: false)
    }

    /// `error` as the failure of writing `path`: a system failure says it was a write and
    /// whether a file already at `path` (`existed`) is unchanged; other errors are as they were.
    static func asWriteFailure(_ error: any Error, path: String, existed: Bool) -> any Error {
        guard case .system(_, let code, _, _)? = error as? FileSystemError else { return error }
        return FileSystemError.system(path: path, code: code, writing: true, existingKept: existed)
    }
}
