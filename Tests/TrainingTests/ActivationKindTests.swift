import Testing
@testable import Training

@Suite struct ActivationKindTests {
    @Test func commandLineNames() {
        #expect(ActivationKind.allCases.map(\.rawValue) == [
            "relu", "rrelu", "leaky-relu", "prelu", "softplus", "elu", "celu", "selu", "gelu", "gelu-tanh",
            "relu6", "sigmoid", "tanh", "softsign", "hardtanh", "threshold", "tanhshrink", "softshrink",
            "hardshrink", "logsigmoid", "softmin", "softmax", "logsoftmax",
        ])
        #expect(ActivationKind(rawValue: "leaky-relu") == .leakyReLU)
        #expect(ActivationKind(rawValue: "LeakyReLU") == nil)
        #expect(ActivationKind.geluTanh.description == "gelu-tanh")
    }

    @Test func kindRoundTripsThroughActivation() {
        for kind in ActivationKind.allCases {
            #expect(Activation(kind).kind == kind)
        }
    }

    @Test func defaultsArePyTorchs() {
        #expect(Activation(.rrelu) == .rrelu(lower: 1.0 / 8, upper: 1.0 / 3))
        #expect(Activation(.leakyReLU) == .leakyReLU(negativeSlope: 0.01))
        #expect(Activation(.prelu) == .prelu(initialWeight: 0.25))
        #expect(Activation(.softplus) == .softplus(beta: 1, threshold: 20))
        #expect(Activation(.elu) == .elu(alpha: 1))
        #expect(Activation(.celu) == .celu(alpha: 1))
        #expect(Activation(.hardtanh) == .hardtanh(minValue: -1, maxValue: 1))
        #expect(Activation(.softshrink) == .softshrink(lambda: 0.5))
        #expect(Activation(.hardshrink) == .hardshrink(lambda: 0.5))
    }

    @Test func helpTextListsEveryNameOnce() {
        let lines = ActivationKind.helpText.split(separator: "\n")
        #expect(lines.count == ActivationKind.allCases.count)
        for (line, kind) in zip(lines, ActivationKind.allCases) {
            #expect(line.hasPrefix("\(kind.rawValue): "))
            #expect(line.count > kind.rawValue.count + 4)
        }
    }
}
