/// A small bitmap font drawn for this package: 5 × 7 pixel glyphs on a 6-pixel advance, with
/// two rows of descender below the baseline for g, j, p, q, y, μ, `,` and `_`.
///
/// It covers digits, A–Z, a–z, space and `. , - + : ; ( ) [ ] = % / _ ! ? ' " * # & < > |`,
/// plus `σ π θ ε μ × − ≈ ·` — enough for tick labels, titles and legends. A character without
/// a glyph is drawn as a hollow box. Text is drawn at an integer scale (each font pixel becomes
/// a `scale × scale` square).
///
/// ```swift
/// var image = try PNGImage(width: 200, height: 40)
/// image.drawText("σ = 0.2", x: 4, y: 4, scale: 2, color: .black)
/// BitmapFont.textWidth("σ = 0.2", scale: 2)   // 82
/// ```
enum BitmapFont {
    /// Glyph width in font pixels.
    static let glyphWidth = 5
    /// Height from the top of a capital to the baseline, in font pixels.
    static let capHeight = 7
    /// Rows below the baseline used by descenders.
    static let descent = 2
    /// Horizontal distance from one glyph to the next, in font pixels.
    static let advance = 6

    /// A glyph: one 5-bit mask per row, from the top; bit 4 is the leftmost pixel.
    struct Glyph: Sendable, Equatable {
        /// `capHeight + descent` rows.
        let rows: [UInt8]

        /// Whether the font pixel at column `x` (0 … 4), row `y` (0 … 8) is set.
        func isSet(x: Int, y: Int) -> Bool {
            guard x >= 0, x < BitmapFont.glyphWidth, y >= 0, y < rows.count else { return false }
            return rows[y] & (1 << (BitmapFont.glyphWidth - 1 - x)) != 0
        }
    }

    /// The glyph for `character`, or `nil` when the font has none.
    static func glyph(for character: Character) -> Glyph? {
        glyphs[character]
    }

    /// The characters the font can draw.
    static var characters: Set<Character> { Set(glyphs.keys) }

    /// The width in image pixels of `text` drawn at `scale` (no trailing spacing).
    static func textWidth(_ text: String, scale: Int = 1) -> Int {
        let count = text.count
        return count == 0 ? 0 : (count * advance - (advance - glyphWidth)) * max(scale, 1)
    }

    /// The glyph drawn for a character the font lacks: a hollow box.
    static let missingGlyph = Glyph(rows: [0b11111, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11111, 0, 0])

    private static let glyphs: [Character: Glyph] = {
        var table: [Character: Glyph] = [" ": Glyph(rows: [UInt8](repeating: 0, count: capHeight + descent))]
        let lines = sheet.split(separator: "\n").map(Array.init)
        for band in stride(from: 0, to: lines.count, by: 1 + capHeight + descent) {
            for (slot, column) in stride(from: 0, to: lines[band].count, by: advance).enumerated() {
                var rows = [UInt8](repeating: 0, count: capHeight + descent)
                for y in rows.indices {
                    let pixels = lines[band + 1 + y][(slot * advance)...].prefix(glyphWidth)
                    for (x, mark) in pixels.enumerated() where mark == "#" { rows[y] |= 1 << (glyphWidth - 1 - x) }
                }
                table[lines[band][column]] = Glyph(rows: rows)
            }
        }
        return table
    }()

    /// The font sheet: bands of glyphs side by side, each band a line naming its characters
    /// (one every 6 columns) over 9 rows of pixels, `#` set and `.` clear; rows 0 … 6 reach
    /// the baseline, rows 7 and 8 are descenders. The space is the empty glyph.
    private static let sheet = """
        0     1     2     3     4     5     6     7     8     9     A     B     C     D     E     F
        .###. ..#.. .###. ##### ...#. ##### ..##. ##### .###. .###. .###. ####. .###. ####. ##### #####
        #...# .##.. #...# ...#. ..##. #.... .#... ....# #...# #...# #...# #...# #...# #...# #.... #....
        #..## ..#.. ....# ..#.. .#.#. ####. #.... ...#. #...# #...# #...# #...# #.... #...# #.... #....
        #.#.# ..#.. ...#. ...#. #..#. ....# ####. ..#.. .###. .#### ##### ####. #.... #...# ####. ####.
        ##..# ..#.. ..#.. ....# ##### ....# #...# .#... #...# ....# #...# #...# #.... #...# #.... #....
        #...# ..#.. .#... #...# ...#. #...# #...# .#... #...# ...#. #...# #...# #...# #...# #.... #....
        .###. .###. ##### .###. ...#. .###. .###. .#... .###. .##.. #...# ####. .###. ####. ##### #....
        ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
        ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
        G     H     I     J     K     L     M     N     O     P     Q     R     S     T     U     V
        .###. #...# .###. ..### #...# #.... #...# #...# .###. ####. .###. ####. .#### ##### #...# #...#
        #...# #...# ..#.. ...#. #..#. #.... ##.## #...# #...# #...# #...# #...# #.... ..#.. #...# #...#
        #.... #...# ..#.. ...#. #.#.. #.... #.#.# ##..# #...# #...# #...# #...# #.... ..#.. #...# #...#
        #.### ##### ..#.. ...#. ##... #.... #.#.# #.#.# #...# ####. #...# ####. .###. ..#.. #...# #...#
        #...# #...# ..#.. ...#. #.#.. #.... #...# #..## #...# #.... #.#.# #.#.. ....# ..#.. #...# #...#
        #...# #...# ..#.. #..#. #..#. #.... #...# #...# #...# #.... #..#. #..#. ....# ..#.. #...# .#.#.
        .#### #...# .###. .##.. #...# ##### #...# #...# .###. #.... .##.# #...# ####. ..#.. .###. ..#..
        ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
        ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
        W     X     Y     Z     a     b     c     d     e     f     g     h     i     j     k     l
        #...# #...# #...# ##### ..... #.... ..... ....# ..... ..##. ..... #.... ..#.. ...#. #.... .##..
        #...# #...# #...# ....# ..... #.... ..... ....# ..... .#..# ..... #.... ..... ..... #.... ..#..
        #...# .#.#. .#.#. ...#. .###. #.##. .###. .##.# .###. .#... .#### #.##. .##.. ..##. #..#. ..#..
        #.#.# ..#.. ..#.. ..#.. ....# ##..# #.... #..## #...# ###.. #...# ##..# ..#.. ...#. #.#.. ..#..
        #.#.# .#.#. ..#.. .#... .#### #...# #.... #...# ##### .#... #...# #...# ..#.. ...#. ##... ..#..
        #.#.# #...# ..#.. #.... #...# #...# #...# #...# #.... .#... #...# #...# ..#.. ...#. #.#.. ..#..
        .#.#. #...# ..#.. ##### .#### ####. .###. .#### .###. .#... .#### #...# .###. ...#. #..#. .###.
        ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ....# ..... ..... #..#. ..... .....
        ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .###. ..... ..... .##.. ..... .....
        m     n     o     p     q     r     s     t     u     v     w     x     y     z     .     ,
        ..... ..... ..... ..... ..... ..... ..... .#... ..... ..... ..... ..... ..... ..... ..... .....
        ..... ..... ..... ..... ..... ..... ..... .#... ..... ..... ..... ..... ..... ..... ..... .....
        ##.#. #.##. .###. ####. .#### #.##. .#### ###.. #...# #...# #...# #...# #...# ##### ..... .....
        #.#.# ##..# #...# #...# #...# ##..# #.... .#... #...# #...# #...# .#.#. #...# ...#. ..... .....
        #.#.# #...# #...# #...# #...# #.... .###. .#... #...# #...# #.#.# ..#.. #...# ..#.. ..... .....
        #.#.# #...# #...# #...# #...# #.... ....# .#..# #..## .#.#. #.#.# .#.#. #...# .#... .##.. .##..
        #.#.# #...# .###. ####. .#### #.... ####. ..##. .##.# ..#.. .#.#. #...# .#### ##### .##.. .##..
        ..... ..... ..... #.... ....# ..... ..... ..... ..... ..... ..... ..... ....# ..... ..... ..#..
        ..... ..... ..... #.... ....# ..... ..... ..... ..... ..... ..... ..... .###. ..... ..... .#...
        -     −     +     :     ;     (     )     [     ]     =     %     /     _     !     ?     '
        ..... ..... ..... ..... ..... ...#. .#... .###. .###. ..... ##... ..... ..... ..#.. .###. ..#..
        ..... ..... ..#.. .##.. .##.. ..#.. ..#.. .#... ...#. ..... ##..# ....# ..... ..#.. #...# ..#..
        ..... ..... ..#.. .##.. .##.. .#... ...#. .#... ...#. ##### ...#. ...#. ..... ..#.. ....# .#...
        .###. ##### ##### ..... ..... .#... ...#. .#... ...#. ..... ..#.. ..#.. ..... ..#.. ...#. .....
        ..... ..... ..#.. .##.. .##.. .#... ...#. .#... ...#. ##### .#... .#... ..... ..#.. ..#.. .....
        ..... ..... ..#.. .##.. ..#.. ..#.. ..#.. .#... ...#. ..... #..## #.... ..... ..... ..... .....
        ..... ..... ..... ..... .#... ...#. .#... .###. .###. ..... ...## ..... ..... ..#.. ..#.. .....
        ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ##### ..... ..... .....
        ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
        "     *     #     &     <     >     |     σ     π     θ     ε     μ     ×     ≈     ·
        .#.#. ..... .#.#. .##.. ...#. .#... ..#.. ..... ..... .###. ..... ..... ..... ..... .....
        .#.#. ..#.. .#.#. #..#. ..#.. ..#.. ..#.. ..... ..... #...# ..... ..... #...# .##.# .....
        .#.#. #.#.# ##### #.#.. .#... ...#. ..#.. .#### ##### #...# .#### #...# .#.#. #..#. .....
        ..... .###. .#.#. .#... #.... ....# ..#.. #..#. .#.#. ##### #.... #...# ..#.. ..... ..#..
        ..... #.#.# ##### #.#.# .#... ...#. ..#.. #...# .#.#. #...# .###. #...# .#.#. .##.# .....
        ..... ..#.. .#.#. #..#. ..#.. ..#.. ..#.. #...# .#.#. #...# #.... #..## #...# #..#. .....
        ..... ..... .#.#. .##.# ...#. .#... ..#.. .###. .#..# .###. .#### ###.# ..... ..... .....
        ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... #.... ..... ..... .....
        ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... #.... ..... ..... .....
        """
}

/// Which way text runs.
enum TextDirection: Sendable {
    /// Left to right.
    case horizontal
    /// Bottom to top (turned 90° anticlockwise), as for a y-axis label.
    case upward
}

extension PNGImage {
    /// Draws `text` with ``BitmapFont`` on one line.
    ///
    /// - Parameters:
    ///   - text: The text; characters without a glyph become a hollow box.
    ///   - x: Left edge of the text's box (for `.upward`, of the turned box).
    ///   - y: Top edge of the box: the top of the capitals.
    ///   - scale: Image pixels per font pixel (at least 1).
    ///   - color: The ink (its alpha is respected).
    ///   - direction: `.horizontal`, or `.upward` for text read bottom to top; the turned box
    ///     is `capHeight × scale` wide (plus descenders) and ``BitmapFont/textWidth(_:scale:)``
    ///     high.
    /// - Complexity: O(characters × 45 × scale²).
    mutating func drawText(_ text: String, x: Int, y: Int, scale: Int = 1, color: RGBA, direction: TextDirection = .horizontal) {
        let s = max(1, min(scale, 64))
        let length = BitmapFont.textWidth(text, scale: s)
        var cursor = 0
        for character in text {
            let glyph = BitmapFont.glyph(for: character) ?? BitmapFont.missingGlyph
            for row in 0..<glyph.rows.count where glyph.rows[row] != 0 {
                for column in 0..<BitmapFont.glyphWidth where glyph.isSet(x: column, y: row) {
                    let u = cursor + column * s   // along the text
                    let v = row * s               // down from the top of the capitals
                    switch direction {
                    case .horizontal:
                        fillRect(x: x + u, y: y + v, width: s, height: s, color: color)
                    case .upward:
                        fillRect(x: x + v, y: y + length - u - s, width: s, height: s, color: color)
                    }
                }
            }
            cursor += BitmapFont.advance * s
        }
    }
}
