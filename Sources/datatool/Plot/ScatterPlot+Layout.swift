/// A rectangle of whole pixels: columns `x ..< x + width`, rows `y ..< y + height`.
struct PixelRect: Sendable, Equatable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Whether pixel (`px`, `py`) lies inside.
    func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < x + width && py >= y && py < y + height
    }
}

extension ScatterPlot {
    /// Where everything goes in an image of a given size.
    struct Layout: Sendable, Equatable {
        /// Image width.
        let width: Int
        /// Image height.
        let height: Int
        /// The data rectangle; the frame is drawn just outside it.
        let plotFrame: PixelRect
        /// Data x at the left edge … right edge of ``plotFrame``.
        let xRange: ClosedRange<Double>
        /// Data y at the bottom edge … top edge of ``plotFrame``.
        let yRange: ClosedRange<Double>
        /// x-axis ticks.
        let xTicks: AxisTicks
        /// y-axis ticks.
        let yTicks: AxisTicks
        /// Font scale of tick labels, legend and axis labels.
        let textScale: Int
        /// Font scale of the title (0 without a title).
        let titleScale: Int
        /// Width of the frame line and tick marks in pixels.
        let lineWidth: Int
        /// Marker radius in pixels.
        let markerRadius: Double
        /// The legend box, or `nil` when there is none (hidden, or no room).
        let legendFrame: PixelRect?
        /// Height of one legend row.
        let legendRowHeight: Int

        /// Continuous pixel coordinates of a data point (pixel `i` spans `i ..< i + 1`).
        func pixel(x: Double, y: Double) -> (x: Double, y: Double) {
            let fx = (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound)
            let fy = (yRange.upperBound - y) / (yRange.upperBound - yRange.lowerBound)
            return (Double(plotFrame.x) + fx * Double(plotFrame.width), Double(plotFrame.y) + fy * Double(plotFrame.height))
        }

        /// The pixel whose square contains a data point (possibly outside the image).
        func pixelIndex(x: Double, y: Double) -> (x: Int, y: Int) {
            let p = pixel(x: x, y: y)
            let limit = Double(Int32.max)
            return (Int(min(max(p.x.rounded(.down), -limit), limit)), Int(min(max(p.y.rounded(.down), -limit), limit)))
        }

        /// The data coordinates of the centre of pixel (`px`, `py`).
        func dataPoint(pixelX px: Int, pixelY py: Int) -> (x: Double, y: Double) {
            let fx = (Double(px - plotFrame.x) + 0.5) / Double(plotFrame.width)
            let fy = (Double(py - plotFrame.y) + 0.5) / Double(plotFrame.height)
            return (xRange.lowerBound + fx * (xRange.upperBound - xRange.lowerBound),
                    yRange.upperBound - fy * (yRange.upperBound - yRange.lowerBound))
        }
    }

    /// Lays the plot out in a `width × height` image without drawing it.
    ///
    /// - Throws: ``PlotError/invalidSize(width:height:reason:)`` when the image is out of
    ///   ``PNGImage``'s range or too small for axes, labels and title.
    /// - Complexity: O(N) (the bounds and the legend's placement look at every point).
    func layout(width: Int, height: Int) throws -> Layout {
        try PNGImage.validate(width: width, height: height)
        let s = max(1, min(width, height) / 400)
        let line = max(1, s / 2)
        let tick = 3 * s
        let pad = 6 * s
        let bounds = dataBounds()

        var titleScale = 0
        if !title.isEmpty {
            titleScale = s + 1
            while titleScale > 1 && BitmapFont.textWidth(title, scale: titleScale) > width - 2 * pad { titleScale -= 1 }
        }
        let top = title.isEmpty ? 3 * pad : 2 * pad + (BitmapFont.capHeight + BitmapFont.descent) * titleScale
        let labelHeight = BitmapFont.capHeight * s
        let bottom = line + tick + pad / 2 + labelHeight + (xLabel.isEmpty ? 0 : pad + (BitmapFont.capHeight + BitmapFont.descent) * s) + 2 * pad
        let spacing = 45 * s
        // y tick labels decide the left margin; estimate their ticks from the height left.
        let estimatedHeight = max(height - top - bottom, 1)
        let estimatedYTicks = AxisTicks(range: bounds.y, targetCount: max(2, estimatedHeight / spacing))
        let yLabelWidth = estimatedYTicks.labels.map { BitmapFont.textWidth($0, scale: s) }.max() ?? 0
        let left = 2 * pad + (yLabel.isEmpty ? 0 : (BitmapFont.capHeight + BitmapFont.descent) * s + pad) + yLabelWidth + pad / 2 + tick + line
        let right = 4 * pad
        let availableWidth = width - left - right
        let availableHeight = height - top - bottom
        guard availableWidth >= 16, availableHeight >= 16 else {
            throw PlotError.invalidSize(width: width, height: height,
                                        reason: "too small for axes, tick labels and title; expected at least \(left + right + 16)×\(top + bottom + 16)")
        }
        var plotWidth = availableWidth, plotHeight = availableHeight
        if equalAspect {
            let aspect = (bounds.x.upperBound - bounds.x.lowerBound) / (bounds.y.upperBound - bounds.y.lowerBound)
            if Double(availableWidth) / Double(availableHeight) > aspect {
                plotWidth = max(1, Int((Double(availableHeight) * aspect).rounded()))
            } else {
                plotHeight = max(1, Int((Double(availableWidth) / aspect).rounded()))
            }
        }
        let frame = PixelRect(x: left + (availableWidth - plotWidth) / 2, y: top + (availableHeight - plotHeight) / 2,
                              width: plotWidth, height: plotHeight)
        let xTicks = AxisTicks(range: bounds.x, targetCount: max(2, plotWidth / spacing))
        let yTicks = AxisTicks(range: bounds.y, targetCount: max(2, plotHeight / spacing))

        let radius = markerRadius.map { min(max($0, 0), 64) } ?? ScatterPlot.automaticRadius(count: labels.count, scale: s)
        let rowHeight = 11 * s
        let legend = showsLegend ? legendFrame(in: frame, bounds: bounds, scale: s, rowHeight: rowHeight, radius: radius) : nil
        return Layout(width: width, height: height, plotFrame: frame, xRange: bounds.x, yRange: bounds.y,
                      xTicks: xTicks, yTicks: yTicks, textScale: s, titleScale: titleScale, lineWidth: line,
                      markerRadius: radius, legendFrame: legend, legendRowHeight: rowHeight)
    }

    static func automaticRadius(count: Int, scale: Int) -> Double {
        let s = Double(scale)
        switch count {
        case ..<3_000: return 2.0 * s
        case ..<30_000: return 1.4 * s
        case ..<300_000: return 1.0 * s
        default: return 0.7 * s
        }
    }

    /// The legend lines: one per class, or as many as fit followed by "… K more".
    func legendLines(maxRows: Int) -> [(text: String, cls: Int?)] {
        let rows = max(maxRows, 0)
        if classCount <= rows { return (0..<classCount).map { (legendLabel(forClass: $0), $0) } }
        guard rows >= 2 else { return [] }
        let shown = rows - 1
        return (0..<shown).map { (legendLabel(forClass: $0), $0) } + [("… \(classCount - shown) more", nil)]
    }

    /// The legend box at the plot corner or edge middle covering the fewest points (preferring
    /// top-right, top-left, bottom-right, bottom-left, top, bottom, right, left on ties), or
    /// `nil` when it does not fit.
    private func legendFrame(in frame: PixelRect, bounds: (x: ClosedRange<Double>, y: ClosedRange<Double>),
                             scale s: Int, rowHeight: Int, radius: Double) -> PixelRect? {
        let pad = 6 * s
        let maxRows = (frame.height - 4 * pad) / rowHeight
        let lines = legendLines(maxRows: maxRows)
        guard !lines.isEmpty else { return nil }
        let textWidth = lines.map { BitmapFont.textWidth($0.text, scale: s) }.max() ?? 0
        let boxWidth = pad + 7 * s + pad + textWidth + pad
        let boxHeight = 2 * pad + lines.count * rowHeight - (rowHeight - BitmapFont.capHeight * s)
        guard boxWidth <= frame.width - 2 * pad, boxHeight <= frame.height - 2 * pad else { return nil }
        let left = frame.x + pad, right = frame.x + frame.width - pad - boxWidth, centreX = frame.x + (frame.width - boxWidth) / 2
        let top = frame.y + pad, bottom = frame.y + frame.height - pad - boxHeight, centreY = frame.y + (frame.height - boxHeight) / 2
        let candidates = [(right, top), (left, top), (right, bottom), (left, bottom),
                          (centreX, top), (centreX, bottom), (right, centreY), (left, centreY)]
            .map { PixelRect(x: $0.0, y: $0.1, width: boxWidth, height: boxHeight) }
        // Count points under each candidate (with the marker radius as margin), in pixels.
        var hits = [Int](repeating: 0, count: candidates.count)
        let sx = Double(frame.width) / (bounds.x.upperBound - bounds.x.lowerBound)
        let sy = Double(frame.height) / (bounds.y.upperBound - bounds.y.lowerBound)
        let margin = radius + 1
        points.withUnsafeBufferPointer { p in
            var i = 0
            while i + 1 < p.count {
                let px = Double(frame.x) + (Double(p[i]) - bounds.x.lowerBound) * sx
                let py = Double(frame.y) + (bounds.y.upperBound - Double(p[i + 1])) * sy
                i += 2
                for (k, box) in candidates.enumerated()
                where px >= Double(box.x) - margin && px <= Double(box.x + box.width) + margin
                    && py >= Double(box.y) - margin && py <= Double(box.y + box.height) + margin {
                    hits[k] += 1
                }
            }
        }
        var best = 0
        for k in 1..<candidates.count where hits[k] < hits[best] { best = k }
        return candidates[best]
    }
}
