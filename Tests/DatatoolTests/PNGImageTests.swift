import Foundation
import TestSupport
import Testing
@testable import datatool

@Suite struct PNGImageTests {
    @Test("a checker that rejects its file before reading its input ends cleanly, and so does the test process")
    func checkerExitingBeforeItsInputIsAFailureNotASignal() throws {
        let file = try Datatool.temporaryDirectory().appendingPathComponent("not-a-png.png")
        try Data("not a PNG".utf8).write(to: file)
        // 1 MB of coordinates, far more than a pipe holds: written into a pipe, the write would
        // outlast the checker and raise SIGPIPE in this process.
        let request = "[" + Array(repeating: "[0,0]", count: 200_000).joined(separator: ",") + "]"
        let run = try PythonScript.run("scripts/png_check.py", [file.path, "-"], input: Data(request.utf8))
        #expect(run.status == 1)
        #expect(run.stderr.contains("png_check"), "\(run.stderr)")
    }

    @Test func invalidSizesThrow() {
        for (w, h) in [(0, 10), (10, 0), (-3, 5), (PNGImage.maximumSide + 1, 1)] {
            #expect(throws: PlotError.self, "\(w)×\(h)") { try PNGImage(width: w, height: h) }
        }
        #expect(throws: PlotError.self) { try PNGImage(width: 2, height: 2, pixels: [1, 2, 3]) }
        let error = PlotError.invalidSize(width: 0, height: 5, reason: "expected each side in 1…16384 pixels")
        #expect(error.description.contains("0×5"))
    }

    @Test func backgroundFillsEveryPixel() throws {
        let colour = RGBA(hex: 0x123456)
        let image = try PNGImage(width: 7, height: 3, background: colour)
        #expect(image.pixels.count == 7 * 3 * 4)
        for y in 0..<3 { for x in 0..<7 { #expect(image.pixel(x: x, y: y) == colour) } }
        #expect(image.pixel(x: 7, y: 0) == nil && image.pixel(x: 0, y: -1) == nil)
    }

    @Test func setAndBlendPixelsClipSilently() throws {
        var image = try PNGImage(width: 4, height: 4)
        image.setPixel(x: 1, y: 2, color: RGBA(red: 9, green: 8, blue: 7, alpha: 6))
        #expect(image.pixel(x: 1, y: 2) == RGBA(red: 9, green: 8, blue: 7, alpha: 6))
        let before = image.pixels
        image.setPixel(x: -1, y: 0, color: .black)
        image.setPixel(x: 4, y: 4, color: .black)
        image.blendPixel(x: 100, y: 1, color: .black)
        #expect(image.pixels == before)
        let half = RGBA(red: 0, green: 0, blue: 255, alpha: 128)
        image.blendPixel(x: 0, y: 0, color: half)
        #expect(image.pixel(x: 0, y: 0) == half.composited(over: .white))
    }

    @Test func fillRectClipsToTheCanvas() throws {
        var image = try PNGImage(width: 10, height: 8)
        let red = RGBA(hex: 0xFF0000)
        image.fillRect(x: -3, y: 5, width: 6, height: 10, color: red)
        var count = 0
        for y in 0..<8 {
            for x in 0..<10 where image.pixel(x: x, y: y) == red {
                count += 1
                #expect(x < 3 && y >= 5, "pixel \(x),\(y) should not be filled")
            }
        }
        #expect(count == 3 * 3)
        image.fillRect(x: 2, y: 2, width: -5, height: 3, color: red)   // negative width: nothing
        image.fillRect(x: Int.max - 1, y: 0, width: Int.max, height: 1, color: red)  // no overflow trap
        #expect(image.pixel(x: 2, y: 2) == .white)
    }

    @Test func translucentFillBlends() throws {
        var image = try PNGImage(width: 3, height: 3, background: RGBA(hex: 0x000000))
        let tint = RGBA(red: 255, green: 255, blue: 255, alpha: 64)
        image.fillRect(x: 0, y: 0, width: 3, height: 3, color: tint)
        #expect(image.pixel(x: 1, y: 1) == tint.composited(over: .black))
    }

    @Test func strokeRectDrawsOnlyTheBorder() throws {
        var image = try PNGImage(width: 12, height: 12)
        image.strokeRect(x: 2, y: 3, width: 6, height: 5, lineWidth: 1, color: .black)
        for y in 0..<12 {
            for x in 0..<12 {
                let onBorder = (x == 2 || x == 7) && (3...7).contains(y) || (y == 3 || y == 7) && (2...7).contains(x)
                #expect((image.pixel(x: x, y: y) == .black) == onBorder, "pixel \(x),\(y)")
            }
        }
    }

    /// Bresenham: both ends drawn, one pixel per step along the major axis, 8-connected.
    @Test(arguments: [(0, 0, 19, 7), (19, 7, 0, 0), (3, 18, 3, 2), (0, 10, 19, 10), (2, 2, 17, 17), (15, 1, 4, 19)])
    func linesAreConnectedAndComplete(x0: Int, y0: Int, x1: Int, y1: Int) throws {
        var image = try PNGImage(width: 20, height: 20)
        image.drawLine(x0: x0, y0: y0, x1: x1, y1: y1, color: .black)
        var set = [(Int, Int)]()
        for y in 0..<20 { for x in 0..<20 where image.pixel(x: x, y: y) == .black { set.append((x, y)) } }
        #expect(image.pixel(x: x0, y: y0) == .black && image.pixel(x: x1, y: y1) == .black)
        #expect(set.count == max(abs(x1 - x0), abs(y1 - y0)) + 1)
        // Every drawn pixel lies within half a pixel of the ideal line (measured across it).
        let dx = Double(x1 - x0), dy = Double(y1 - y0)
        let length = (dx * dx + dy * dy).squareRoot()
        for (x, y) in set {
            let distance = abs(dy * Double(x - x0) - dx * Double(y - y0)) / length
            #expect(distance <= 0.75, "pixel \(x),\(y) is \(distance) from the line")
        }
    }

    @Test func linesFarOffCanvasDoNotTrap() throws {
        var image = try PNGImage(width: 10, height: 10)
        image.drawLine(x0: -1_000_000_000, y0: 5, x1: 1_000_000_000, y1: 5, color: .black)
        image.drawLine(x0: 0, y0: 0, x1: 9, y1: 9, lineWidth: 3, color: .black)
        #expect(image.pixel(x: 5, y: 5) == .black)
        #expect(image.pixel(x: 6, y: 5) == .black)   // the 3-pixel brush
    }

    @Test func filledCircleHasExactCentreAndAntialiasedArea() throws {
        var image = try PNGImage(width: 40, height: 40)
        let colour = RGBA(hex: 0x2CA02C)
        let radius = 8.0
        image.fillCircle(centerX: 20.5, centerY: 20.5, radius: radius, color: colour)
        #expect(image.pixel(x: 20, y: 20) == colour)
        var coveredArea = 0.0
        for y in 0..<40 {
            for x in 0..<40 {
                guard let p = image.pixel(x: x, y: y) else { continue }
                let d = ((Double(x) + 0.5 - 20.5) * (Double(x) + 0.5 - 20.5) + (Double(y) + 0.5 - 20.5) * (Double(y) + 0.5 - 20.5)).squareRoot()
                if d > radius + 1 { #expect(p == .white, "pixel \(x),\(y) outside the disc was drawn") }
                if d < radius - 1 { #expect(p == colour, "pixel \(x),\(y) inside the disc is not filled") }
                // Coverage from the red channel (white 255 → green's 0x2C).
                coveredArea += (255 - Double(p.red)) / (255 - Double(colour.red))
            }
        }
        let ideal = Double.pi * radius * radius
        #expect(abs(coveredArea - ideal) / ideal < 0.02, "area \(coveredArea), expected \(ideal)")
        image.fillCircle(centerX: .nan, centerY: 3, radius: 2, color: .black)
        image.fillCircle(centerX: 3, centerY: 3, radius: .infinity, color: .black)
        image.fillCircle(centerX: 3, centerY: 3, radius: -1, color: .black)
        #expect(image.pixel(x: 3, y: 3) == .white)
    }

    @Test func directPixelAccess() throws {
        var image = try PNGImage(width: 2, height: 2)
        image.withUnsafeMutablePixels { p in
            #expect(p.count == 16)
            p[4] = 0; p[5] = 1; p[6] = 2
        }
        #expect(image.pixel(x: 1, y: 0) == RGBA(red: 0, green: 1, blue: 2))
    }
}
