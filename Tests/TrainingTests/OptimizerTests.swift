import Testing
@testable import Training

/// Behaviour every optimizer shares: state per parameter identity, subsets, reset, zeroing.
@Suite struct OptimizerTests {
    static func makeAll() throws -> [any Optimizer] {
        [try SGD(learningRate: 0.1, momentum: 0.9), try Adam(learningRate: 0.1), try Adam.adamW(learningRate: 0.1)]
    }

    static func parameter(_ name: String) -> Parameter {
        let p = Parameter(name: name, value: Matrix(rows: 2, columns: 2, storage: [1, -2, 3, -4]))
        p.gradient.storage = [0.5, -1, 2, 0.25]
        return p
    }

    @Test func stateIsKeptPerParameter() throws {
        for (index, optimizer) in try Self.makeAll().enumerated() {
            // Stepping a and b together equals stepping each alone with its own optimizer.
            let a = Self.parameter("a"), b = Self.parameter("b")
            let aAlone = Self.parameter("a"), bAlone = Self.parameter("b")
            let forA = try Self.makeAll()[index], forB = try Self.makeAll()[index]
            for step in 0..<5 {
                if step == 2 {
                    optimizer.step([a])          // a subset: b's state must not advance
                    forA.step([aAlone])
                } else {
                    optimizer.step([a, b])
                    forA.step([aAlone])
                    forB.step([bAlone])
                }
            }
            #expect(a.value == aAlone.value, "optimizer \(index)")
            #expect(b.value == bAlone.value, "optimizer \(index)")
        }
    }

    @Test func resetStateStartsOver() throws {
        for (index, optimizer) in try Self.makeAll().enumerated() {
            let p = Self.parameter("p")
            optimizer.step([p])
            optimizer.step([p])
            let afterTwo = p.value
            optimizer.resetState()
            let q = Self.parameter("q")
            q.value = afterTwo
            optimizer.step([q])
            let fresh = try Self.makeAll()[index]
            let r = Self.parameter("r")
            r.value = afterTwo
            fresh.step([r])
            #expect(q.value == r.value, "optimizer \(index)")
        }
    }

    @Test func zeroGradientsClearsEveryGradient() throws {
        let parameters = [Self.parameter("a"), Self.parameter("b")]
        try SGD().zeroGradients(parameters)
        #expect(parameters.allSatisfy { $0.gradient.storage.allSatisfy { $0 == 0 } })
        #expect(parameters.allSatisfy { $0.value.storage == [1, -2, 3, -4] })
    }

    @Test func errorDescriptionsNameTheValue() {
        let error = OptimizerError.invalidHyperparameter(name: "beta2", value: 1.5, expected: "a number in [0, 1)")
        #expect(error.description == "beta2 is 1.5; expected a number in [0, 1)")
        let nesterov = OptimizerError.nesterovNeedsMomentumWithoutDampening(momentum: 0, dampening: 0.1)
        #expect(nesterov.description.contains("momentum 0.0") && nesterov.description.contains("dampening 0.1"))
    }
}
