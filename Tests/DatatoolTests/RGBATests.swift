import Testing
@testable import datatool

@Suite struct RGBATests {
    @Test func hexAndDescription() {
        let c = RGBA(hex: 0x1F77B4)
        #expect(c == RGBA(red: 0x1F, green: 0x77, blue: 0xB4, alpha: 255))
        #expect(c.description == "#1f77b4")
        #expect(c.withAlpha(0x80).description == "#1f77b480")
    }

    /// "Source over" against the floating-point formula, for many colours and alphas.
    @Test func compositingMatchesPorterDuffFormula() {
        var worst = 0.0
        for alpha in stride(from: 0, through: 255, by: 15) {
            for coverage in [255, 128, 7] {
                for background in [RGBA.white, RGBA(hex: 0x336699), RGBA(red: 10, green: 200, blue: 30, alpha: 100), .clear] {
                    let source = RGBA(red: 200, green: 40, blue: 90, alpha: UInt8(alpha))
                    let out = source.composited(over: background, coverage: UInt8(coverage))
                    let a = Double(alpha) / 255 * Double(coverage) / 255
                    let d = Double(background.alpha) / 255
                    let outA = a + d * (1 - a)
                    func channel(_ s: UInt8, _ b: UInt8) -> Double {
                        outA == 0 ? Double(b) : (Double(s) * a + Double(b) * d * (1 - a)) / outA
                    }
                    let expected = [channel(source.red, background.red), channel(source.green, background.green),
                                    channel(source.blue, background.blue), outA * 255]
                    let got = [out.red, out.green, out.blue, out.alpha].map(Double.init)
                    if outA > 0.02 {
                        for k in 0..<4 { worst = max(worst, abs(got[k] - expected[k])) }
                    }
                }
            }
        }
        // Integer rounding of alpha first, then of each channel.
        #expect(worst <= 2.0, "largest channel error \(worst)")
    }

    @Test func opaqueAndTransparentExtremes() {
        let red = RGBA(red: 255, green: 0, blue: 0)
        #expect(red.composited(over: .white) == red)
        #expect(red.withAlpha(0).composited(over: .white) == .white)
        #expect(red.composited(over: .white, coverage: 0) == .white)
    }

    @Test func mixing() {
        let a = RGBA(red: 0, green: 100, blue: 200), b = RGBA(red: 100, green: 200, blue: 0)
        #expect(a.mixed(with: b, fraction: 0) == a)
        #expect(a.mixed(with: b, fraction: 1) == b)
        #expect(a.mixed(with: b, fraction: 0.5) == RGBA(red: 50, green: 150, blue: 100))
        #expect(a.mixed(with: b, fraction: .nan) == a)
        #expect(RGBA.black.luminance < 1 && RGBA.white.luminance > 254)
    }
}
