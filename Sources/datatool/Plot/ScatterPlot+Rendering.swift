extension ScatterPlot {
    /// Draws the plot.
    ///
    /// - Parameters:
    ///   - width: Image width in pixels (default 800).
    ///   - height: Image height in pixels (default 800).
    /// - Returns: The image: white background, region tints if ``regions`` is set (else light
    ///   grid lines), the points, a dark frame with ticks and tick labels, axis labels, title
    ///   and legend.
    /// - Throws: ``PlotError/invalidSize(width:height:reason:)`` for an unusable size,
    ///   ``PlotError/invalidData(_:)`` when a region cell names a class ≥ ``classCount``.
    /// - Complexity: O(N + width × height); 1 M points take a fraction of a second in release.
    func render(width: Int = 800, height: Int = 800) throws -> PNGImage {
        let layout = try self.layout(width: width, height: height)
        if let regions, let bad = regions.grid.firstIndex(where: { Int($0) >= classCount }) {
            throw PlotError.invalidData(
                "region cell \(bad) has class \(regions.grid[bad]); expected classes in 0..<\(classCount) (or negative for none)")
        }
        var image = try PNGImage(width: width, height: height, background: .white)
        let frame = layout.plotFrame
        let ink = RGBA(hex: 0x262626)
        if let regions {
            drawRegions(regions, layout: layout, on: &image)
        } else {
            let gridColor = RGBA(hex: 0xE8E8E8)
            for value in layout.xTicks.values {
                let px = layout.pixelIndex(x: value, y: layout.yRange.lowerBound).x
                image.fillRect(x: px, y: frame.y, width: 1, height: frame.height, color: gridColor)
            }
            for value in layout.yTicks.values {
                let py = layout.pixelIndex(x: layout.xRange.lowerBound, y: value).y
                image.fillRect(x: frame.x, y: py, width: frame.width, height: 1, color: gridColor)
            }
        }
        drawPoints(layout: layout, on: &image)

        // Frame, ticks and tick labels.
        let s = layout.textScale
        let line = layout.lineWidth
        let tick = 3 * s
        let pad = 6 * s
        image.strokeRect(x: frame.x - line, y: frame.y - line, width: frame.width + 2 * line,
                         height: frame.height + 2 * line, lineWidth: line, color: ink)
        let labelTop = frame.y + frame.height + line + tick + pad / 2
        for (value, text) in zip(layout.xTicks.values, layout.xTicks.labels) {
            let px = layout.pixelIndex(x: value, y: layout.yRange.lowerBound).x
            image.fillRect(x: px - (line - 1) / 2, y: frame.y + frame.height + line, width: line, height: tick, color: ink)
            image.drawText(text, x: px - BitmapFont.textWidth(text, scale: s) / 2, y: labelTop, scale: s, color: ink)
        }
        var yLabelsLeft = frame.x
        for (value, text) in zip(layout.yTicks.values, layout.yTicks.labels) {
            let py = layout.pixelIndex(x: layout.xRange.lowerBound, y: value).y
            image.fillRect(x: frame.x - line - tick, y: py - (line - 1) / 2, width: tick, height: line, color: ink)
            let w = BitmapFont.textWidth(text, scale: s)
            let x = frame.x - line - tick - pad / 2 - w
            yLabelsLeft = min(yLabelsLeft, x)
            image.drawText(text, x: x, y: py - BitmapFont.capHeight * s / 2, scale: s, color: ink)
        }
        if !xLabel.isEmpty {
            let w = BitmapFont.textWidth(xLabel, scale: s)
            image.drawText(xLabel, x: frame.x + (frame.width - w) / 2, y: labelTop + BitmapFont.capHeight * s + pad,
                           scale: s, color: ink)
        }
        if !yLabel.isEmpty {
            let h = BitmapFont.textWidth(yLabel, scale: s)
            image.drawText(yLabel, x: yLabelsLeft - pad - (BitmapFont.capHeight + BitmapFont.descent) * s,
                           y: frame.y + (frame.height - h) / 2, scale: s, color: ink, direction: .upward)
        }
        if !title.isEmpty {
            let ts = layout.titleScale
            let w = BitmapFont.textWidth(title, scale: ts)
            let x = min(max(frame.x + (frame.width - w) / 2, pad), max(width - w - pad, 0))
            image.drawText(title, x: x, y: pad, scale: ts, color: ink)
        }
        if let box = layout.legendFrame {
            drawLegend(in: box, layout: layout, on: &image)
        }
        return image
    }

    /// Tints every plot pixel with the region class at its centre.
    private func drawRegions(_ regions: DecisionRegions, layout: Layout, on image: inout PNGImage) {
        let frame = layout.plotFrame
        let tints = (0..<classCount).map { ScatterPlot.regionTint(forClass: $0) }
        let columnOf = (0..<frame.width).map { i -> Int in
            let x = layout.dataPoint(pixelX: frame.x + i, pixelY: frame.y).x
            return DecisionRegions.cell(x, regions.xRange, regions.columns) ?? -1
        }
        let rowOf = (0..<frame.height).map { j -> Int in
            let y = layout.dataPoint(pixelX: frame.x, pixelY: frame.y + j).y
            return DecisionRegions.cell(y, regions.yRange, regions.rows) ?? -1
        }
        let width = image.width
        regions.grid.withUnsafeBufferPointer { grid in
            image.withUnsafeMutablePixels { pixels in
                for j in 0..<frame.height where rowOf[j] >= 0 {
                    let gridRow = rowOf[j] * regions.columns
                    var p = pixels.baseAddress! + ((frame.y + j) * width + frame.x) * 4
                    for i in 0..<frame.width {
                        let column = columnOf[i]
                        if column >= 0 {
                            let cls = Int(grid[gridRow + column])
                            if cls >= 0 {
                                let tint = tints[cls]
                                p[0] = tint.red; p[1] = tint.green; p[2] = tint.blue; p[3] = 255
                            }
                        }
                        p += 4
                    }
                }
            }
        }
    }

    /// Stamps one antialiased disc per finite point, clipped to the plot frame, largest class
    /// first.
    private func drawPoints(layout: Layout, on image: inout PNGImage) {
        let n = labels.count
        guard n > 0 else { return }
        let frame = layout.plotFrame
        // Counting sort of the rows by drawing rank.
        let order = drawingOrder
        var rank = [Int](repeating: 0, count: classCount)
        for (r, c) in order.enumerated() { rank[c] = r }
        var start = [Int](repeating: 0, count: classCount + 1)
        for c in order { start[rank[c] + 1] = classCounts[c] }
        for r in 0..<classCount { start[r + 1] += start[r] }
        var rows = [Int32](repeating: 0, count: n)
        labels.withUnsafeBufferPointer { labels in
            for i in 0..<n {
                let r = rank[Int(labels[i])]
                rows[start[r]] = Int32(truncatingIfNeeded: i)
                start[r] += 1
            }
        }
        // The marker: coverage offsets around a pixel centre.
        let radius = layout.markerRadius
        guard radius > 0 else { return }
        let reach = Int((radius + 0.5).rounded(.up))
        var offsets = [(dx: Int, dy: Int, coverage: UInt8)]()
        for dy in -reach...reach {
            for dx in -reach...reach {
                let cover = radius + 0.5 - Double(dx * dx + dy * dy).squareRoot()
                if cover > 0 {
                    let c = cover >= 1 ? 255 : UInt8((cover * 255).rounded())
                    offsets.append((dx, dy, c))
                }
            }
        }
        let colors = (0..<classCount).map { ScatterPlot.color(forClass: $0) }
        let x0 = layout.xRange.lowerBound, y1 = layout.yRange.upperBound
        let sx = Double(frame.width) / (layout.xRange.upperBound - x0)
        let sy = Double(frame.height) / (y1 - layout.yRange.lowerBound)
        let fx = Double(frame.x), fy = Double(frame.y)
        let xMin = frame.x, xMax = frame.x + frame.width, yMin = frame.y, yMax = frame.y + frame.height
        let width = image.width
        points.withUnsafeBufferPointer { points in
            labels.withUnsafeBufferPointer { labels in
                image.withUnsafeMutablePixels { pixels in
                    let base = pixels.baseAddress!
                    for row in rows {
                        let i = Int(row)
                        let x = Double(points[2 * i]), y = Double(points[2 * i + 1])
                        guard x.isFinite, y.isFinite else { continue }
                        let px = fx + (x - x0) * sx, py = fy + (y1 - y) * sy
                        guard px > Double(xMin - reach - 1), px < Double(xMax + reach + 1),
                              py > Double(yMin - reach - 1), py < Double(yMax + reach + 1) else { continue }
                        let cx = Int(px.rounded(.down)), cy = Int(py.rounded(.down))
                        let color = colors[Int(labels[i])]
                        let inside = cx - reach >= xMin && cx + reach < xMax && cy - reach >= yMin && cy + reach < yMax
                        for o in offsets {
                            let qx = cx + o.dx, qy = cy + o.dy
                            if !inside && (qx < xMin || qx >= xMax || qy < yMin || qy >= yMax) { continue }
                            PNGImage.blend(color, coverage: o.coverage, into: base + (qy * width + qx) * 4)
                        }
                    }
                }
            }
        }
    }

    private func drawLegend(in box: PixelRect, layout: Layout, on image: inout PNGImage) {
        let s = layout.textScale
        let pad = 6 * s
        let maxRows = (layout.plotFrame.height - 4 * pad) / layout.legendRowHeight
        let lines = legendLines(maxRows: maxRows)
        image.fillRect(x: box.x, y: box.y, width: box.width, height: box.height, color: RGBA.white.withAlpha(235))
        image.strokeRect(x: box.x, y: box.y, width: box.width, height: box.height, lineWidth: 1, color: RGBA(hex: 0xA0A0A0))
        let ink = RGBA(hex: 0x262626)
        for (k, line) in lines.enumerated() {
            let top = box.y + pad + k * layout.legendRowHeight
            let textX = box.x + pad + 7 * s + pad
            if let cls = line.cls {
                let centreX = Double(box.x + pad) + 3.5 * Double(s)
                let centreY = Double(top) + 3.5 * Double(s)
                image.fillCircle(centerX: centreX, centerY: centreY, radius: 3.5 * Double(s), color: ScatterPlot.color(forClass: cls))
            }
            image.drawText(line.text, x: textX, y: top, scale: s, color: ink)
        }
    }
}
