import Foundation
import Testing
import TestSupport
@testable import Training

/// This target's committed fixtures (`Tests/TrainingTests/Fixtures`).
let fixtures = FixtureFolder(bundle: .module)

/// Loads the PyTorch reference values written by `scripts/fixtures/make_layer_fixtures.py`
/// into `Fixtures/layers/`, and compares floats with a relative and an absolute tolerance.
enum LayerFixtures {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try fixtures.decode(T.self, from: "layers/\(name)")
    }

    // MARK: Activations

    struct Activations: Decodable {
        var torchVersion: String
        var elementwise: [ActivationCase]
        var rowwise: [ActivationCase]
        var rreluTraining: [RReLUTrainingCase]
    }

    struct ActivationCase: Decodable {
        var kind: String
        var parameters: [String: Double]
        var rows: Int?
        var columns: Int?
        var x: [Double]
        var gradOutput: [Double]
        var y: [Double]
        var gradInput: [Double]
        var gradWeight: Double?
    }

    struct RReLUTrainingCase: Decodable {
        var lower: Double
        var upper: Double
        var x: [Double]
        var slopes: [Double]
        var gradOutput: [Double]
        var y: [Double]
        var gradInput: [Double]
    }

    /// The ``Activation`` a fixture case describes (its kind with the case's hyperparameters).
    static func activation(kind name: String, parameters p: [String: Double]) throws -> Activation {
        guard let kind = ActivationKind(rawValue: name) else {
            throw Failure(description: "unknown activation \(name) in a fixture")
        }
        func value(_ key: String) throws -> Double {
            guard let v = p[key] else { throw Failure(description: "\(name) fixture lacks \(key)") }
            return v
        }
        switch kind {
        case .rrelu: return .rrelu(lower: try value("lower"), upper: try value("upper"))
        case .leakyReLU: return .leakyReLU(negativeSlope: try value("negativeSlope"))
        case .prelu: return .prelu(initialWeight: try value("initialWeight"))
        case .softplus: return .softplus(beta: try value("beta"), threshold: try value("threshold"))
        case .elu: return .elu(alpha: try value("alpha"))
        case .celu: return .celu(alpha: try value("alpha"))
        case .hardtanh: return .hardtanh(minValue: try value("minValue"), maxValue: try value("maxValue"))
        case .threshold: return .threshold(threshold: try value("threshold"), value: try value("value"))
        case .softshrink: return .softshrink(lambda: try value("lambda"))
        case .hardshrink: return .hardshrink(lambda: try value("lambda"))
        default: return Activation(kind)
        }
    }

    // MARK: Linear and MLP

    struct Linears: Decodable {
        var torchVersion: String
        var cases: [LinearCase]
    }

    struct LinearCase: Decodable {
        var inFeatures: Int
        var outFeatures: Int
        var batch: Int
        var weight: [Double]
        var bias: [Double]
        var x: [Double]
        var gradOutput: [Double]
        var y: [Double]
        var gradInput: [Double]
        var gradWeight: [Double]
        var gradBias: [Double]
    }

    struct MLPs: Decodable {
        var torchVersion: String
        var cases: [MLPCase]
    }

    struct MLPCase: Decodable {
        var inputs: Int
        var hidden: [Int]
        var outputs: Int
        var activation: String
        var parameters: [String: Double]
        var mode: String
        var batch: Int
        var parameterNames: [String]
        var parameterShapes: [[Int]]
        var parameterValues: [[Double]]
        var x: [Double]
        var gradLogits: [Double]
        var logits: [Double]
        var parameterGradients: [[Double]]

        var label: String { "\(inputs)-\(hidden)-\(outputs) \(activation) (\(mode), batch \(batch))" }
    }

    // MARK: Optimizers

    struct Optimizers: Decodable {
        var torchVersion: String
        var steps: Int
        var problems: [Problem]
        var noise: [[[Double]]]
        var cases: [OptimizerCase]
    }

    struct Problem: Decodable {
        var shape: [Int]
        var initial: [Double]
        var a: [Double]
        var c: [Double]
    }

    struct OptimizerOptions: Decodable, CustomStringConvertible {
        var learningRate: Double?
        var momentum: Double?
        var dampening: Double?
        var weightDecay: Double?
        var nesterov: Bool?
        var maximize: Bool?
        var amsgrad: Bool?
        var beta1: Double?
        var beta2: Double?
        var epsilon: Double?

        var description: String {
            var parts: [String] = []
            if let learningRate { parts.append("lr \(learningRate)") }
            if let momentum { parts.append("momentum \(momentum)") }
            if let dampening { parts.append("dampening \(dampening)") }
            if let weightDecay { parts.append("weightDecay \(weightDecay)") }
            if nesterov == true { parts.append("nesterov") }
            if maximize == true { parts.append("maximize") }
            if amsgrad == true { parts.append("amsgrad") }
            if let beta1, let beta2 { parts.append("betas (\(beta1), \(beta2))") }
            if let epsilon { parts.append("eps \(epsilon)") }
            return parts.isEmpty ? "defaults" : parts.joined(separator: ", ")
        }
    }

    struct OptimizerCase: Decodable {
        var optimizer: String
        var options: OptimizerOptions
        /// `trajectory[step][parameter]`: the flat values after each step.
        var trajectory: [[[Double]]]
    }
}

/// Float comparison with a relative and an absolute tolerance.
enum LayerTolerance {
    /// `|actual − expected| ≤ relative·|expected| + absolute`.
    static func isClose(_ actual: Float, _ expected: Float, relative: Float = 1e-5, absolute: Float = 1e-6) -> Bool {
        if actual.isNaN || expected.isNaN { return actual.isNaN && expected.isNaN }
        return abs(actual - expected) <= relative * abs(expected) + absolute
    }

    /// Expects `actual` and `expected` to have the same length and to be close elementwise;
    /// records one issue naming `label` and the first differing index.
    static func expectClose(_ actual: [Float], _ expected: [Double], relative: Float = 1e-5, absolute: Float = 1e-6,
                            _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard actual.count == expected.count else {
            Issue.record("\(label): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
            return
        }
        for i in actual.indices where !isClose(actual[i], Float(expected[i]), relative: relative, absolute: absolute) {
            Issue.record("\(label): index \(i) is \(actual[i]), expected \(Float(expected[i]))",
                         sourceLocation: sourceLocation)
            return
        }
    }

    static func floats(_ values: [Double]) -> [Float] {
        values.map { Float($0) }
    }
}
