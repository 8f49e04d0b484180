/// An 8-bit RGBA raster canvas with the drawing a plot needs (pixels, rectangles, lines,
/// antialiased discs, text via ``BitmapFont``) and PNG encoding (``pngData()``,
/// ``write(to:)``).
///
/// Pixels are one contiguous buffer, row-major from the top-left, 4 bytes (R, G, B, A) each.
/// Coordinates are `x` to the right and `y` down. Drawing outside the canvas is clipped, never
/// an error.
///
/// ```swift
/// var image = try PNGImage(width: 200, height: 100)
/// image.fillRect(x: 10, y: 10, width: 50, height: 20, color: RGBA(hex: 0x1f77b4))
/// image.drawLine(x0: 0, y0: 99, x1: 199, y1: 0, color: .black)
/// try image.write(to: "/tmp/example.png")
/// ```
struct PNGImage: Sendable, Equatable {
    /// The largest width or height accepted (a 16384 × 16384 canvas is 1 GiB).
    static let maximumSide = 16_384

    /// Width in pixels.
    let width: Int
    /// Height in pixels.
    let height: Int
    /// `width * height * 4` bytes: R, G, B, A per pixel, rows from the top.
    private(set) var pixels: [UInt8]

    /// Creates a canvas filled with one colour.
    ///
    /// - Parameters:
    ///   - width: 1 … ``maximumSide``.
    ///   - height: 1 … ``maximumSide``.
    ///   - background: The initial colour of every pixel.
    /// - Throws: ``PlotError/invalidSize(width:height:reason:)``.
    init(width: Int, height: Int, background: RGBA = .white) throws {
        try PNGImage.validate(width: width, height: height)
        self.width = width
        self.height = height
        let pattern = [background.red, background.green, background.blue, background.alpha]
        pixels = [UInt8](unsafeUninitializedCapacity: width * height * 4) { buffer, count in
            for i in stride(from: 0, to: buffer.count, by: 4) {
                buffer[i] = pattern[0]
                buffer[i + 1] = pattern[1]
                buffer[i + 2] = pattern[2]
                buffer[i + 3] = pattern[3]
            }
            count = buffer.count
        }
    }

    /// Creates a canvas from existing RGBA bytes.
    ///
    /// - Throws: ``PlotError/invalidSize(width:height:reason:)`` when the size is out of range
    ///   or `pixels.count != width * height * 4`.
    init(width: Int, height: Int, pixels: [UInt8]) throws {
        try PNGImage.validate(width: width, height: height)
        guard pixels.count == width * height * 4 else {
            throw PlotError.invalidSize(width: width, height: height,
                                        reason: "\(pixels.count) pixel bytes given, expected \(width * height * 4) (4 per pixel)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    static func validate(width: Int, height: Int) throws {
        guard (1...maximumSide).contains(width), (1...maximumSide).contains(height) else {
            throw PlotError.invalidSize(width: width, height: height,
                                        reason: "expected each side in 1…\(maximumSide) pixels")
        }
    }

    // MARK: - Pixels

    /// The colour at (`x`, `y`), or `nil` outside the canvas.
    func pixel(x: Int, y: Int) -> RGBA? {
        guard x >= 0, x < width, y >= 0, y < height else { return nil }
        let i = (y * width + x) * 4
        return RGBA(red: pixels[i], green: pixels[i + 1], blue: pixels[i + 2], alpha: pixels[i + 3])
    }

    /// Replaces the pixel at (`x`, `y`) with `color`, alpha included (no blending).
    mutating func setPixel(x: Int, y: Int, color: RGBA) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = (y * width + x) * 4
        pixels.withUnsafeMutableBufferPointer { p in
            p[i] = color.red
            p[i + 1] = color.green
            p[i + 2] = color.blue
            p[i + 3] = color.alpha
        }
    }

    /// Draws `color` over the pixel at (`x`, `y`) ("source over"), its alpha scaled by
    /// `coverage / 255`.
    mutating func blendPixel(x: Int, y: Int, color: RGBA, coverage: UInt8 = 255) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = (y * width + x) * 4
        pixels.withUnsafeMutableBufferPointer { p in
            PNGImage.blend(color, coverage: coverage, into: p.baseAddress! + i)
        }
    }

    /// Gives direct access to the RGBA bytes, for drawing loops that must not pay per-pixel
    /// bounds checks. The buffer has `width * height * 4` bytes; keep its size.
    mutating func withUnsafeMutablePixels<R>(_ body: (UnsafeMutableBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try pixels.withUnsafeMutableBufferPointer { try body($0) }
    }

    @inline(__always)
    static func blend(_ color: RGBA, coverage: UInt8, into p: UnsafeMutablePointer<UInt8>) {
        let a = (UInt32(color.alpha) * UInt32(coverage) + 127) / 255
        if a == 0 { return }
        if a == 255 || p[3] != 255 {
            if a == 255 {
                p[0] = color.red; p[1] = color.green; p[2] = color.blue; p[3] = 255
            } else {
                let out = color.composited(over: RGBA(red: p[0], green: p[1], blue: p[2], alpha: p[3]), coverage: coverage)
                p[0] = out.red; p[1] = out.green; p[2] = out.blue; p[3] = out.alpha
            }
            return
        }
        let inverse = 255 - a
        p[0] = UInt8((UInt32(color.red) * a + UInt32(p[0]) * inverse + 127) / 255)
        p[1] = UInt8((UInt32(color.green) * a + UInt32(p[1]) * inverse + 127) / 255)
        p[2] = UInt8((UInt32(color.blue) * a + UInt32(p[2]) * inverse + 127) / 255)
    }

    // MARK: - Shapes

    /// Fills the rectangle with top-left (`x`, `y`), clipped to the canvas; an opaque colour
    /// replaces the pixels, a translucent one is blended over them.
    ///
    /// - Complexity: O(covered pixels).
    mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, color: RGBA) {
        let x0 = max(x, 0), y0 = max(y, 0)
        let x1 = min(x.addingReportingOverflow(max(w, 0)).partialValue, width)
        let y1 = min(y.addingReportingOverflow(max(h, 0)).partialValue, height)
        guard x0 < x1, y0 < y1, color.alpha > 0 else { return }
        let stride = width * 4
        pixels.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for row in y0..<y1 {
                var p = base + row * stride + x0 * 4
                if color.alpha == 255 {
                    for _ in x0..<x1 {
                        p[0] = color.red; p[1] = color.green; p[2] = color.blue; p[3] = 255
                        p += 4
                    }
                } else {
                    for _ in x0..<x1 {
                        PNGImage.blend(color, coverage: 255, into: p)
                        p += 4
                    }
                }
            }
        }
    }

    /// Draws the outline of a rectangle, `lineWidth` pixels thick, inside its bounds.
    mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, lineWidth: Int = 1, color: RGBA) {
        let t = max(1, min(lineWidth, min(w, h)))
        guard w > 0, h > 0 else { return }
        fillRect(x: x, y: y, width: w, height: t, color: color)
        fillRect(x: x, y: y + h - t, width: w, height: t, color: color)
        fillRect(x: x, y: y + t, width: t, height: h - 2 * t, color: color)
        fillRect(x: x + w - t, y: y + t, width: t, height: h - 2 * t, color: color)
    }

    /// Draws a straight line from (`x0`, `y0`) to (`x1`, `y1`), both ends included, with
    /// Bresenham's algorithm; `lineWidth > 1` stamps a square brush centred on each step.
    ///
    /// - Complexity: O(length × lineWidth²).
    mutating func drawLine(x0: Int, y0: Int, x1: Int, y1: Int, lineWidth: Int = 1, color: RGBA) {
        // Clamp far-away coordinates so the step count stays bounded; the clipped part of
        // such a line is off-canvas anyway only if both ends are, which the loop handles.
        let limit = 4 * PNGImage.maximumSide
        let (ax, ay) = (min(max(x0, -limit), limit), min(max(y0, -limit), limit))
        let (bx, by) = (min(max(x1, -limit), limit), min(max(y1, -limit), limit))
        let dx = abs(bx - ax), dy = -abs(by - ay)
        let sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1
        var error = dx + dy
        var (x, y) = (ax, ay)
        let t = max(1, lineWidth)
        let half = (t - 1) / 2
        while true {
            if t == 1 {
                blendPixel(x: x, y: y, color: color)
            } else {
                fillRect(x: x - half, y: y - half, width: t, height: t, color: color)
            }
            if x == bx && y == by { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    /// Fills a disc with antialiased edges: a pixel whose centre lies at distance `d` from
    /// the centre is covered by `clamp(radius + 0.5 − d, 0, 1)`.
    ///
    /// - Parameters:
    ///   - centerX: Centre, in pixels (pixel `i` spans `i ..< i + 1`, its centre is `i + 0.5`).
    ///   - centerY: Centre, in pixels.
    ///   - radius: Radius in pixels; nothing is drawn for a radius ≤ 0 or non-finite values.
    ///   - color: The fill colour (its alpha is respected).
    /// - Complexity: O(radius²).
    mutating func fillCircle(centerX: Double, centerY: Double, radius: Double, color: RGBA) {
        guard radius > 0, radius.isFinite, centerX.isFinite, centerY.isFinite else { return }
        let r = min(radius, Double(2 * PNGImage.maximumSide))
        let xMin = max(Int((centerX - r - 1).rounded(.down)), 0)
        let xMax = min(Int((centerX + r + 1).rounded(.up)), width - 1)
        let yMin = max(Int((centerY - r - 1).rounded(.down)), 0)
        let yMax = min(Int((centerY + r + 1).rounded(.up)), height - 1)
        guard xMin <= xMax, yMin <= yMax else { return }
        let stride = width * 4
        pixels.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for py in yMin...yMax {
                let dy = Double(py) + 0.5 - centerY
                for px in xMin...xMax {
                    let dx = Double(px) + 0.5 - centerX
                    let cover = r + 0.5 - (dx * dx + dy * dy).squareRoot()
                    if cover <= 0 { continue }
                    let coverage = cover >= 1 ? 255 : UInt8((cover * 255).rounded())
                    PNGImage.blend(color, coverage: coverage, into: base + py * stride + px * 4)
                }
            }
        }
    }
}
