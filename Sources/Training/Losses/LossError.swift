/// What was wrong with the arguments or options of a loss: each case's description names the
/// argument, what was found and what was expected.
public enum LossError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A class-index target that is neither in `0..<classes` nor the ignore index.
    case targetOutOfRange(target: Int32, row: Int, classes: Int, ignoreIndex: Int32?)
    /// A matrix argument whose shape does not fit the others.
    case shapeMismatch(argument: String, rows: Int, columns: Int, expectedRows: Int, expectedColumns: Int, reason: String)
    /// An array argument with the wrong number of entries.
    case countMismatch(argument: String, count: Int, expected: Int, reason: String)
    /// Logits or log-probabilities with no columns: there is no class to predict.
    case noClasses(argument: String)
    /// A weight that is negative, NaN or infinite.
    case invalidWeight(argument: String, index: Int, value: Float)
    /// An option outside the values the loss is defined for.
    case invalidOption(name: String, value: Float, expected: String)
    /// A value of an input or target outside the loss's domain.
    case valueOutOfRange(argument: String, row: Int, column: Int, value: Float, expected: String)
    /// A class-index entry of a multi-label target outside `-1..<classes`.
    case labelOutOfRange(argument: String, row: Int, column: Int, label: Int32, classes: Int)
    /// `valueAndGradient` was asked of a loss whose reduction is `.none`.
    case unreducedLoss(loss: String)

    /// One sentence: the argument, what it held, and what was expected.
    public var description: String {
        switch self {
        case let .targetOutOfRange(target, row, classes, ignoreIndex):
            let expected = ignoreIndex.map { "0..<\(classes) or the ignore index \($0)" } ?? "0..<\(classes)"
            return "target \(target) at row \(row) is out of range; expected \(expected)"
        case let .shapeMismatch(argument, rows, columns, expectedRows, expectedColumns, reason):
            return "\(argument) is \(rows)×\(columns); expected \(expectedRows)×\(expectedColumns) (\(reason))"
        case let .countMismatch(argument, count, expected, reason):
            return "\(argument) has \(count) entr\(count == 1 ? "y" : "ies"); expected \(expected) (\(reason))"
        case let .noClasses(argument):
            return "\(argument) has no columns; expected at least one class"
        case let .invalidWeight(argument, index, value):
            return "\(argument)[\(index)] is \(value); expected a finite, non-negative weight"
        case let .invalidOption(name, value, expected):
            return "\(name) is \(value); expected \(expected)"
        case let .valueOutOfRange(argument, row, column, value, expected):
            return "\(argument) at row \(row), column \(column) is \(value); expected \(expected)"
        case let .labelOutOfRange(argument, row, column, label, classes):
            return "\(argument) at row \(row), column \(column) is \(label); expected a class in 0..<\(classes) or -1 to end the list"
        case let .unreducedLoss(loss):
            return "valueAndGradient needs reduction mean or sum; this \(loss) has reduction none"
        }
    }
}

/// Argument checks shared by the losses. Names and reasons are autoclosures, so that the
/// checks on the hot paths build no strings unless they fail.
enum LossCheck {
    /// Throws unless `matrix` is `rows × columns`.
    static func shape(
        _ matrix: Matrix, _ argument: @autoclosure () -> String, rows: Int, columns: Int,
        reason: @autoclosure () -> String
    ) throws {
        guard matrix.rows == rows, matrix.columns == columns else {
            throw LossError.shapeMismatch(
                argument: argument(), rows: matrix.rows, columns: matrix.columns,
                expectedRows: rows, expectedColumns: columns, reason: reason())
        }
    }

    /// Throws unless `count == expected`.
    static func count(
        _ count: Int, _ argument: @autoclosure () -> String, expected: Int, reason: @autoclosure () -> String
    ) throws {
        guard count == expected else {
            throw LossError.countMismatch(argument: argument(), count: count, expected: expected, reason: reason())
        }
    }

    /// Throws unless every weight is finite and non-negative.
    static func weights(_ weights: [Float], _ argument: @autoclosure () -> String) throws {
        for (index, value) in weights.enumerated() where !(value.isFinite && value >= 0) {
            throw LossError.invalidWeight(argument: argument(), index: index, value: value)
        }
    }

    /// Throws unless every value of `matrix` satisfies `isValid`.
    static func values(
        _ matrix: Matrix, _ argument: @autoclosure () -> String, expected: @autoclosure () -> String,
        _ isValid: (Float) -> Bool
    ) throws {
        try matrix.storage.withUnsafeBufferPointer { buffer in
            for k in buffer.indices where !isValid(buffer[k]) {
                let columns = max(matrix.columns, 1)
                throw LossError.valueOutOfRange(
                    argument: argument(), row: k / columns, column: k % columns, value: buffer[k],
                    expected: expected())
            }
        }
    }

    /// Throws unless every label is −1 or 1.
    static func signLabels(_ matrix: Matrix, _ argument: @autoclosure () -> String) throws {
        try values(matrix, argument(), expected: "1 or -1") { $0 == 1 || $0 == -1 }
    }

    /// Throws unless `value` satisfies `isValid`.
    static func option(
        _ value: Float, _ name: String, expected: @autoclosure () -> String, _ isValid: (Float) -> Bool
    ) throws {
        guard isValid(value) else {
            throw LossError.invalidOption(name: name, value: value, expected: expected())
        }
    }
}
