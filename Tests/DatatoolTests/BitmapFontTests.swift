import Testing
@testable import datatool

@Suite struct BitmapFontTests {
    static let required = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,-+:()=%σ/ _")

    @Test func requiredCharactersHaveGlyphs() {
        for character in Self.required {
            #expect(BitmapFont.glyph(for: character) != nil, "no glyph for \(character)")
        }
        #expect(BitmapFont.glyph(for: "€") == nil)
    }

    /// Legibility: no two characters share a picture, every glyph stays in its 5 columns, and
    /// only characters with descenders use the two rows below the baseline.
    @Test func glyphsAreDistinctAndWellFormed() throws {
        var seen = [[UInt8]: Character]()
        let descenders = Set("gjpqy,_μ")
        for character in BitmapFont.characters.sorted() {
            let glyph = try #require(BitmapFont.glyph(for: character))
            #expect(glyph.rows.count == BitmapFont.capHeight + BitmapFont.descent)
            #expect(glyph.rows.allSatisfy { $0 < 32 }, "\(character) is wider than 5 pixels")
            if !descenders.contains(character) {
                #expect(glyph.rows[7] == 0 && glyph.rows[8] == 0, "\(character) uses the descender rows")
            }
            if character == " " {
                #expect(glyph.rows.allSatisfy { $0 == 0 })
                continue
            }
            #expect(glyph.rows.contains { $0 != 0 }, "\(character) is blank")
            if let other = seen[glyph.rows] { Issue.record("\(character) and \(other) look the same") }
            seen[glyph.rows] = character
        }
    }

    @Test func textWidth() {
        #expect(BitmapFont.textWidth("", scale: 3) == 0)
        #expect(BitmapFont.textWidth("A", scale: 1) == 5)
        #expect(BitmapFont.textWidth("AB", scale: 1) == 11)
        #expect(BitmapFont.textWidth("class 0", scale: 2) == (7 * 6 - 1) * 2)
    }

    @Test(arguments: [1, 2, 3])
    func drawnPixelsMatchTheGlyph(scale: Int) throws {
        let glyph = try #require(BitmapFont.glyph(for: "8"))
        var image = try PNGImage(width: 40, height: 40)
        image.drawText("8", x: 4, y: 5, scale: scale, color: .black)
        for y in 0..<40 {
            for x in 0..<40 {
                let fx = (x - 4), fy = (y - 5)
                let expected = fx >= 0 && fy >= 0 && glyph.isSet(x: fx / scale, y: fy / scale)
                #expect((image.pixel(x: x, y: y) == .black) == expected, "pixel \(x),\(y) at scale \(scale)")
            }
        }
    }

    @Test func upwardTextIsTheHorizontalTextTurnedAnticlockwise() throws {
        let text = "x2 (σ)"
        let s = 2
        let length = BitmapFont.textWidth(text, scale: s)
        let depth = (BitmapFont.capHeight + BitmapFont.descent) * s
        var flat = try PNGImage(width: length, height: depth)
        flat.drawText(text, x: 0, y: 0, scale: s, color: .black)
        var turned = try PNGImage(width: depth, height: length)
        turned.drawText(text, x: 0, y: 0, scale: s, color: .black, direction: .upward)
        var inked = 0
        for v in 0..<depth {
            for u in 0..<length {
                let a = flat.pixel(x: u, y: v), b = turned.pixel(x: v, y: length - 1 - u)
                #expect(a == b, "text pixel \(u),\(v)")
                if a == .black { inked += 1 }
            }
        }
        #expect(inked > 50)
    }

    @Test func missingCharactersDrawABox() throws {
        var image = try PNGImage(width: 10, height: 10)
        image.drawText("€", x: 0, y: 0, scale: 1, color: .black)
        for y in 0..<7 {
            for x in 0..<5 {
                #expect((image.pixel(x: x, y: y) == .black) == BitmapFont.missingGlyph.isSet(x: x, y: y))
            }
        }
    }
}
