import Foundation
import Testing
import TestSupport

/// What `scripts/png_check.py` (Python standard library only) reports about a PNG file.
struct PNGCheckReport: Decodable {
    struct Pixel: Decodable {
        let x: Int
        let y: Int
        let rgba: [UInt8]
    }
    let width: Int
    let height: Int
    let bit_depth: Int
    let colour_type: Int
    let interlace: Int
    let chunks: [String]
    let filters: [String: Int]
    let pixels: [Pixel]
    let histogram: [String: Int]
    let colour_count: Int
    let pixel_crc32: UInt32
}

/// Runs the independent Python PNG checker.
enum PNGCheck {
    /// Runs the checker on `path`, asking for the colours of `pixels`; returns how it ended.
    static func runRaw(path: String, pixels: [(x: Int, y: Int)] = []) throws -> ScriptRun {
        let request = "[" + pixels.map { "[\($0.x),\($0.y)]" }.joined(separator: ",") + "]"
        return try PythonScript.run("scripts/png_check.py", [path, "-"], input: Data(request.utf8))
    }

    /// Runs the checker and decodes its report; records an issue when it rejects the file.
    static func run(path: String, pixels: [(x: Int, y: Int)] = []) throws -> PNGCheckReport {
        let result = try runRaw(path: path, pixels: pixels)
        try #require(result.status == 0, "png_check.py rejected \(path): \(result.stderr)")
        return try JSONDecoder().decode(PNGCheckReport.self, from: result.stdout)
    }

    /// `#rrggbbaa`, the checker's colour key.
    static func key(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8) -> String {
        "#" + [r, g, b, a].map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

/// A fresh folder under the system temporary folder, removed by `remove()`.
struct PlotTestFolder {
    let path: String

    init() throws {
        path = try TemporaryFolder("plot-tests").url.path
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
