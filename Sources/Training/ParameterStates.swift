import Datasets

/// An optimizer's per-parameter state, keyed by the parameter's identity and made on the
/// parameter's first step (PyTorch's `optimizer.state[p]`).
struct ParameterStates<State: AnyObject> {
    private var states: [ObjectIdentifier: State] = [:]

    /// The state of `parameter`, made by `make` if it has none yet.
    ///
    /// - Parameters:
    ///   - parameter: The parameter being stepped.
    ///   - size: The number of values a state was made for; it must still be the parameter's.
    ///   - make: Makes the state of a parameter seen for the first time.
    /// - Returns: The state, and whether this call made it.
    /// - Complexity: O(1) for a known parameter; `make`'s cost for a new one.
    mutating func state(
        for parameter: Parameter, size: (State) -> Int, make: () -> State
    ) -> (state: State, isNew: Bool) {
        let key = ObjectIdentifier(parameter)
        if let existing = states[key] {
            precondition(size(existing) == parameter.count, "parameter \(parameter.name) changed size")
            return (existing, false)
        }
        let made = make()
        states[key] = made
        return (made, true)
    }

    /// Forgets every parameter's state.
    mutating func removeAll() {
        states.removeAll()
    }

    /// The state of `parameter`, if it has been stepped.
    func existing(for parameter: Parameter) -> State? {
        states[ObjectIdentifier(parameter)]
    }

    /// Replaces every state with `pairs` (a restored checkpoint).
    mutating func replaceAll(with pairs: [(Parameter, State)]) {
        states.removeAll()
        for (parameter, state) in pairs { states[ObjectIdentifier(parameter)] = state }
    }
}

/// An optimizer that steps each parameter on its own, with per-parameter state (SGD's momentum
/// buffer, Adam's moments): the learning rate, the reset and the step loop are the same for all
/// of them.
protocol PerParameterOptimizer: Optimizer {
    associatedtype State: AnyObject
    var learningRate: Double { get set }
    var states: ParameterStates<State> { get set }
    /// One step on one parameter, from its gradient and its state.
    func update(_ parameter: Parameter)
    /// A state's step count and buffers, named as PyTorch's `optimizer.state_dict()` names them.
    func saved(_ state: State) -> (step: Int, buffers: [NamedTensor])
    /// A state for `parameter` rebuilt from ``saved(_:)``'s output.
    ///
    /// - Throws: ``OptimizerError/invalidState(_:)`` for a missing buffer.
    func restored(for parameter: Parameter, step: Int, buffers: [NamedTensor]) throws -> State
}

extension PerParameterOptimizer {
    public func setLearningRate(_ learningRate: Double) throws {
        try OptimizerError.checkNonNegative("learning rate", learningRate)
        self.learningRate = learningRate
    }

    public func resetState() {
        states.removeAll()
    }

    /// One step on each parameter.
    ///
    /// - Complexity: O(number of values); no allocation after a parameter's first step.
    public func step(_ parameters: [Parameter]) {
        for parameter in parameters {
            update(parameter)
        }
    }
}
