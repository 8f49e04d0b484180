/// An 8-bit colour with straight (not premultiplied) alpha.
struct RGBA: Hashable, Sendable, CustomStringConvertible {
    var red: UInt8
    var green: UInt8
    var blue: UInt8
    /// 255 is opaque, 0 transparent.
    var alpha: UInt8

    init(red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8 = 255) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// An opaque colour from `0xRRGGBB`.
    init(hex: UInt32) {
        self.init(red: UInt8(truncatingIfNeeded: hex >> 16), green: UInt8(truncatingIfNeeded: hex >> 8),
                  blue: UInt8(truncatingIfNeeded: hex))
    }

    static let white = RGBA(red: 255, green: 255, blue: 255)
    static let black = RGBA(red: 0, green: 0, blue: 0)
    static let clear = RGBA(red: 0, green: 0, blue: 0, alpha: 0)

    /// `#RRGGBB` for opaque colours, `#RRGGBBAA` otherwise.
    var description: String {
        func hex(_ v: UInt8) -> String {
            let digits = Array("0123456789abcdef")
            return String([digits[Int(v >> 4)], digits[Int(v & 15)]])
        }
        return "#" + hex(red) + hex(green) + hex(blue) + (alpha == 255 ? "" : hex(alpha))
    }

    /// The same colour with a different alpha.
    func withAlpha(_ alpha: UInt8) -> RGBA {
        RGBA(red: red, green: green, blue: blue, alpha: alpha)
    }

    /// This colour mixed with `other`: `fraction` 0 gives `self`, 1 gives `other` (all four
    /// channels, rounded to nearest).
    func mixed(with other: RGBA, fraction: Double) -> RGBA {
        let f = min(max(fraction.isNaN ? 0 : fraction, 0), 1)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) * (1 - f) + Double(b) * f).rounded())
        }
        return RGBA(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue),
                    alpha: mix(alpha, other.alpha))
    }

    /// `self` drawn over `background` with Porter–Duff "source over", `self`'s alpha scaled by
    /// `coverage / 255` (the part of a pixel a shape covers).
    ///
    /// - Returns: The composite, rounded to nearest.
    func composited(over background: RGBA, coverage: UInt8 = 255) -> RGBA {
        let a = (UInt32(alpha) * UInt32(coverage) + 127) / 255
        if a == 255 { return withAlpha(255) }
        if a == 0 { return background }
        let inverse = 255 - a
        if background.alpha == 255 {
            func over(_ s: UInt8, _ d: UInt8) -> UInt8 {
                UInt8((UInt32(s) * a + UInt32(d) * inverse + 127) / 255)
            }
            return RGBA(red: over(red, background.red), green: over(green, background.green),
                        blue: over(blue, background.blue), alpha: 255)
        }
        // General case: out_a = a + d_a (1 − a); out_c = (s a + d d_a (1 − a)) / out_a.
        let da = (UInt32(background.alpha) * inverse + 127) / 255
        let outA = a + da
        func over(_ s: UInt8, _ d: UInt8) -> UInt8 {
            UInt8((UInt32(s) * a + UInt32(d) * da + outA / 2) / outA)
        }
        return RGBA(red: over(red, background.red), green: over(green, background.green),
                    blue: over(blue, background.blue), alpha: UInt8(min(outA, 255)))
    }

    /// Relative luminance on 0…255 (Rec. 709 weights, no gamma): a quick "is it dark" test.
    var luminance: Double {
        0.2126 * Double(red) + 0.7152 * Double(green) + 0.0722 * Double(blue)
    }
}
