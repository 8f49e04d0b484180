import Foundation

/// Plain-text tables for terminal output: the first row is the header, columns right-aligned
/// but the first.
enum TextTable {
    static func render(_ rows: [[String]]) -> [String] {
        guard let first = rows.first else { return [] }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        var lines = [String]()
        for (r, row) in rows.enumerated() {
            let cells = row.enumerated().map { i, cell -> String in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return i == 0 ? cell + pad : pad + cell
            }
            lines.append(cells.joined(separator: "  "))
            if r == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines
    }
}

/// `value` with `digits` decimals.
func format(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    return String(format: "%.\(digits)f", value)
}
