import Datasets

extension Classifier {
    /// Every parameter's name and shape: `layers.0.weight [100, 2], layers.0.bias [1, 100], …`.
    public var architectureDescription: String {
        parameters.map { "\($0.name) [\($0.value.rows), \($0.value.columns)]" }.joined(separator: ", ")
    }

    /// None: the model draws no random numbers.
    public var generatorStates: [Xoshiro256StarStar] { [] }

    /// Accepts only an empty list (the model draws no random numbers).
    ///
    /// - Throws: ``CheckpointError/doesNotFit(_:)`` for a non-empty list.
    public func restoreGeneratorStates(_ states: [Xoshiro256StarStar]) throws {
        guard states.isEmpty else {
            throw CheckpointError.doesNotFit("the checkpoint holds \(states.count) random generator states but the model draws no random numbers")
        }
    }
}

extension MLP {
    /// The layers as `nn.Sequential` would print them: `Linear(2, 100), relu, Linear(100, 3)`.
    public var architectureDescription: String { sequentialDescription }

    /// The generator of each activation layer (only RReLU draws from its own), in layer order.
    public var generatorStates: [Xoshiro256StarStar] { activationLayers.map(\.generator) }

    /// Puts back each activation layer's generator.
    ///
    /// - Throws: ``CheckpointError/doesNotFit(_:)`` unless there is one state per activation
    ///   layer.
    public func restoreGeneratorStates(_ states: [Xoshiro256StarStar]) throws {
        guard states.count == activationLayers.count else {
            throw CheckpointError.doesNotFit("the checkpoint holds \(states.count) random generator states but the model has \(activationLayers.count) activation layers")
        }
        for (layer, state) in zip(activationLayers, states) { layer.generator = state }
    }
}
