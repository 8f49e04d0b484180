#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON value for the CLI's machine-readable output, printed with keys in the order given.
enum JSON {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// Compact JSON text. Non-finite doubles become `null` (JSON has no NaN).
    var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += ", " }
                JSON.writeString(key, to: &out)
                out += ": "
                value.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// Buffered writes of bytes to standard output, for streams of many lines (`datatool sample`
/// prints hundreds of millions of integers): a fixed buffer, digits written in place, one
/// `write` per megabyte.
struct StandardOutputBuffer: ~Copyable {
    private let capacity = 1 << 20
    private let buffer: UnsafeMutablePointer<UInt8>
    private var count = 0

    init() {
        buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    deinit {
        if count > 0 { writeAll(UnsafeRawBufferPointer(start: buffer, count: count), to: 1) }
        buffer.deallocate()
    }

    /// Makes room for `bytes` more bytes, flushing if needed.
    private mutating func reserve(_ bytes: Int) {
        if count + bytes > capacity { flush() }
    }

    mutating func append(_ text: String) {
        let utf8 = text.utf8
        if utf8.count > capacity {
            flush()
            writeAll(Array(utf8), to: 1)
            return
        }
        reserve(utf8.count)
        for byte in utf8 {
            buffer[count] = byte
            count += 1
        }
    }

    mutating func append(byte: UInt8) {
        reserve(1)
        buffer[count] = byte
        count += 1
    }

    /// Appends the decimal digits of `value` (two digits at a time from a table).
    mutating func append(integer value: Int) {
        reserve(21)
        var v = UInt64(value.magnitude)
        if value < 0 {
            buffer[count] = UInt8(ascii: "-")
            count += 1
        }
        if v < 10 {
            buffer[count] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v)
            count += 1
            return
        }
        var digits = 2
        var limit: UInt64 = 100
        while digits < 20 && v >= limit {
            digits += 1
            limit = limit &* 10
        }
        var position = count + digits
        count = position
        Self.pairs.withUnsafeBufferPointer { pairs in
            while v >= 100 {
                let pair = Int(v % 100) * 2
                v /= 100
                position -= 2
                buffer[position] = pairs[pair]
                buffer[position + 1] = pairs[pair + 1]
            }
            if v >= 10 {
                let pair = Int(v) * 2
                buffer[position - 2] = pairs[pair]
                buffer[position - 1] = pairs[pair + 1]
            } else {
                buffer[position - 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v)
            }
        }
    }

    /// "00", "01", …, "99" back to back.
    private static let pairs: [UInt8] = (0..<100).flatMap { n in
        [UInt8(ascii: "0") + UInt8(n / 10), UInt8(ascii: "0") + UInt8(n % 10)]
    }

    mutating func endLine() {
        append(byte: UInt8(ascii: "\n"))
    }

    mutating func flush() {
        guard count > 0 else { return }
        writeAll(UnsafeRawBufferPointer(start: buffer, count: count), to: 1)
        count = 0
    }
}

/// Writes all of `bytes` to file descriptor `fd`, retrying short writes and interruptions.
func writeAll(_ bytes: [UInt8], to fd: Int32) {
    bytes.withUnsafeBytes { writeAll($0, to: fd) }
}

/// Writes all of `raw` to file descriptor `fd`, retrying short writes and interruptions.
func writeAll(_ raw: UnsafeRawBufferPointer, to fd: Int32) {
    guard var pointer = raw.baseAddress else { return }
    var remaining = raw.count
    while remaining > 0 {
        let written = write(fd, pointer, remaining)
        if written < 0 {
            if errno == EINTR { continue }
            return
        }
        pointer += written
        remaining -= written
    }
}
