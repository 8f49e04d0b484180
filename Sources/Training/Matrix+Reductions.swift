// Row and column reductions into caller-owned buffers (no allocation once they have grown).

extension Matrix {
    /// Sums each column: `result[0, j] = Σᵢ self[i, j]` (the bias gradient `Σ_batch dY`).
    ///
    /// - Parameters:
    ///   - result: The destination, reshaped to `[1, columns]` (must already have `columns`
    ///     elements with `accumulate`).
    ///   - accumulate: Add the sums to `result` instead of overwriting it.
    /// - Complexity: O(rows·columns), no allocation once `result` has the capacity.
    public func columnSums(into result: inout Matrix, accumulate: Bool = false) {
        if accumulate {
            precondition(result.count == columns,
                         "accumulating \(columns) column sums into \(result.count) elements")
        } else {
            result.reshape(rows: 1, columns: columns)
        }
        let m = rows, n = columns
        guard n > 0 else { return }
        storage.withUnsafeBufferPointer { source in
            result.storage.withUnsafeMutableBufferPointer { destination in
                guard let d = destination.baseAddress else { return }
                guard let s = source.baseAddress else {
                    if !accumulate { d.update(repeating: 0, count: n) }
                    return
                }
                ProductKernels.columnSums(m: m, n: n, x: s, out: d, accumulate: accumulate)
            }
        }
    }

    /// The largest value of each row (NaN if the row holds a NaN, like `torch.max`).
    ///
    /// - Parameter result: Replaced by `rows` values; its capacity is reused.
    /// - Precondition: `columns > 0`.
    /// - Complexity: O(rows·columns).
    public func rowMaxima(into result: inout [Float]) {
        mapRows(into: &result, "row maxima") { row, n in
            var best = row[0]
            for j in 1..<max(n, 1) where row[j] > best || (row[j].isNaN && !best.isNaN) {
                best = row[j]
            }
            return best
        }
    }

    /// The column of each row's largest value; ties go to the first such column and a NaN
    /// counts as largest (as `torch.argmax` does).
    ///
    /// - Parameter result: Replaced by `rows` indices in `0..<columns`; its capacity is reused.
    /// - Precondition: `columns > 0`.
    /// - Complexity: O(rows·columns).
    public func rowArgmax(into result: inout [Int]) {
        mapRows(into: &result, "row argmax") { row, n in
            var best = row[0]
            var bestIndex = 0
            guard !best.isNaN else { return 0 }
            for j in 1..<max(n, 1) {
                let value = row[j]
                if value.isNaN { return j }
                if value > best {
                    best = value
                    bestIndex = j
                }
            }
            return bestIndex
        }
    }

    /// Replaces `result` by `reduce(row, columns)` for each row in order, reusing its capacity.
    private func mapRows<T>(into result: inout [T], _ what: String, _ reduce: (UnsafePointer<Float>, Int) -> T) {
        precondition(columns > 0 || rows == 0, "\(what) of a matrix without columns")
        result.removeAll(keepingCapacity: true)
        let n = columns
        storage.withUnsafeBufferPointer { source in
            guard let s = source.baseAddress else { return }
            for i in 0..<rows {
                result.append(reduce(s + i * n, n))
            }
        }
    }

    /// The index of each row's largest value, as a new array (see ``rowArgmax(into:)``).
    public func rowArgmax() -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(rows)
        rowArgmax(into: &result)
        return result
    }
}
