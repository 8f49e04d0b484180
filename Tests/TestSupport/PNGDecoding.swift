import Datasets

/// What ``DecodedPNG/init(pngData:)`` found wrong with a file.
public enum PNGDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Bytes that are not a PNG this decoder can read.
    case invalidPNG(String)

    public var description: String {
        switch self {
        case .invalidPNG(let message): return "not a readable PNG: \(message)"
        }
    }
}

/// A PNG file decoded to 8-bit RGBA, for tests that read back what the plot writer made.
public struct DecodedPNG: Sendable, Equatable {
    /// The largest width or height accepted, as the plot writer's canvas.
    public static let maximumSide = 16_384

    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height * 4` bytes: R, G, B, A per pixel, rows from the top.
    public let pixels: [UInt8]

    /// Decodes a PNG of the kind the plot writer makes: 8-bit truecolour (colour type 2) or
    /// truecolour with alpha (6), 8-bit greyscale (0) or greyscale with alpha (4), not
    /// interlaced. Every chunk's CRC is checked; ancillary chunks are skipped.
    ///
    /// - Parameter bytes: The whole file.
    /// - Throws: ``PNGDecodingError/invalidPNG(_:)`` naming what was wrong, `ZlibError` when the
    ///   image data does not inflate to exactly the expected size.
    /// - Complexity: O(file size + width × height).
    public init(pngData bytes: [UInt8]) throws {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw PNGDecodingError.invalidPNG("the file does not start with the PNG signature")
        }
        func readUInt32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
        }
        var offset = 8
        var header: (width: Int, height: Int, colourType: UInt8)?
        var idat = [UInt8]()
        var sawEnd = false
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                throw PNGDecodingError.invalidPNG("truncated chunk header at byte \(offset)")
            }
            let length = Int(readUInt32(offset))
            let typeBytes = Array(bytes[(offset + 4)..<(offset + 8)])
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard length <= bytes.count - offset - 12 else {
                throw PNGDecodingError.invalidPNG("chunk \(type) at byte \(offset) claims \(length) bytes but the file ends first")
            }
            let data = bytes[(offset + 8)..<(offset + 8 + length)]
            let stored = readUInt32(offset + 8 + length)
            guard Zlib.crc32(data, continuing: Zlib.crc32(typeBytes)) == stored else {
                throw PNGDecodingError.invalidPNG("chunk \(type) at byte \(offset) has a wrong CRC")
            }
            offset += 12 + length
            switch type {
            case "IHDR":
                guard header == nil, length == 13 else { throw PNGDecodingError.invalidPNG("bad or repeated IHDR chunk") }
                let d = Array(data)
                let w = Int(UInt32(d[0]) << 24 | UInt32(d[1]) << 16 | UInt32(d[2]) << 8 | UInt32(d[3]))
                let h = Int(UInt32(d[4]) << 24 | UInt32(d[5]) << 16 | UInt32(d[6]) << 8 | UInt32(d[7]))
                guard d[8] == 8 else { throw PNGDecodingError.invalidPNG("bit depth \(d[8]) is not supported; expected 8") }
                guard [0, 2, 4, 6].contains(d[9]) else {
                    throw PNGDecodingError.invalidPNG("colour type \(d[9]) is not supported; expected 0, 2, 4 or 6")
                }
                guard d[10] == 0, d[11] == 0 else { throw PNGDecodingError.invalidPNG("unknown compression or filter method") }
                guard d[12] == 0 else { throw PNGDecodingError.invalidPNG("interlaced images are not supported") }
                guard (1...Self.maximumSide).contains(w), (1...Self.maximumSide).contains(h) else {
                    throw PNGDecodingError.invalidPNG("image size \(w)×\(h); expected each side in 1…\(Self.maximumSide) pixels")
                }
                header = (w, h, d[9])
            case "IDAT":
                guard header != nil else { throw PNGDecodingError.invalidPNG("IDAT before IHDR") }
                idat += data
            case "IEND":
                sawEnd = true
            default:
                guard let first = typeBytes.first, first & 0x20 != 0 else {
                    throw PNGDecodingError.invalidPNG("critical chunk \(type) is not supported")
                }
            }
            if sawEnd { break }
        }
        guard let header else { throw PNGDecodingError.invalidPNG("no IHDR chunk") }
        guard sawEnd else { throw PNGDecodingError.invalidPNG("no IEND chunk") }
        let channels = [0: 1, 2: 3, 4: 2, 6: 4][Int(header.colourType)] ?? 4
        let rowBytes = header.width * channels
        var raw = [UInt8](repeating: 0, count: (rowBytes + 1) * header.height)
        let written = try idat.withUnsafeBytes { source in
            try raw.withUnsafeMutableBytes { try Zlib.inflate(source: source, into: $0) }
        }
        guard written == raw.count else {
            throw PNGDecodingError.invalidPNG("image data inflates to \(written) bytes, expected \(raw.count)")
        }
        pixels = try Self.unfilter(raw, width: header.width, height: header.height, channels: channels)
        width = header.width
        height = header.height
    }

    /// Undoes the per-row PNG filters and expands to RGBA.
    private static func unfilter(_ raw: [UInt8], width: Int, height: Int, channels: Int) throws -> [UInt8] {
        let rowBytes = width * channels
        var previous = [UInt8](repeating: 0, count: rowBytes)
        var row = [UInt8](repeating: 0, count: rowBytes)
        var rgba = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            let line = y * (rowBytes + 1)
            let type = raw[line]
            guard type <= 4 else { throw PNGDecodingError.invalidPNG("row \(y) has unknown filter type \(type)") }
            for i in 0..<rowBytes {
                let x = raw[line + 1 + i]
                let a = i >= channels ? row[i - channels] : 0
                let b = previous[i]
                let c = i >= channels ? previous[i - channels] : 0
                switch type {
                case 0: row[i] = x
                case 1: row[i] = x &+ a
                case 2: row[i] = x &+ b
                case 3: row[i] = x &+ UInt8((UInt16(a) + UInt16(b)) / 2)
                default: row[i] = x &+ paeth(a, b, c)
                }
            }
            for x in 0..<width {
                let o = (y * width + x) * 4
                let s = x * channels
                switch channels {
                case 1:
                    rgba[o] = row[s]; rgba[o + 1] = row[s]; rgba[o + 2] = row[s]
                case 2:
                    rgba[o] = row[s]; rgba[o + 1] = row[s]; rgba[o + 2] = row[s]; rgba[o + 3] = row[s + 1]
                case 3:
                    rgba[o] = row[s]; rgba[o + 1] = row[s + 1]; rgba[o + 2] = row[s + 2]
                default:
                    rgba[o] = row[s]; rgba[o + 1] = row[s + 1]; rgba[o + 2] = row[s + 2]; rgba[o + 3] = row[s + 3]
                }
            }
            swap(&previous, &row)
        }
        return rgba
    }

    /// The Paeth predictor (PNG specification, section 9.4): whichever of left, up and
    /// up-left is nearest to left + up − up-left, ties in that order.
    private static func paeth(_ left: UInt8, _ up: UInt8, _ upLeft: UInt8) -> UInt8 {
        let estimate = Int(left) + Int(up) - Int(upLeft)
        let distances = [abs(estimate - Int(left)), abs(estimate - Int(up)), abs(estimate - Int(upLeft))]
        if distances[0] <= distances[1] && distances[0] <= distances[2] { return left }
        return distances[1] <= distances[2] ? up : upLeft
    }
}
