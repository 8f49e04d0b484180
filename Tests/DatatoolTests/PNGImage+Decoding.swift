@testable import datatool
import TestSupport

extension PNGImage {
    /// Decodes `bytes` with the test-support decoder (``DecodedPNG``) into a canvas, so tests
    /// can compare what the writer made with what it was given.
    ///
    /// - Throws: ``PNGDecodingError`` or `ZlibError` for a file that does not decode;
    ///   ``PlotError/invalidSize(width:height:reason:)`` as ``init(width:height:pixels:)``.
    init(pngData bytes: [UInt8]) throws {
        let decoded = try DecodedPNG(pngData: bytes)
        try self.init(width: decoded.width, height: decoded.height, pixels: decoded.pixels)
    }
}
