/// A first-order optimizer: ``step(_:)`` updates parameters in place from their gradients
/// (PyTorch's `optimizer.step()`).
///
/// Optimizers keep per-parameter state (momentum buffers, moment estimates, step counts),
/// created the first time a parameter is stepped and keyed by the parameter's identity, like
/// PyTorch's `optimizer.state[p]`. So one optimizer can step all of a network's parameters and
/// later only a subset (e.g. ``Classifier/headParameters``), and each parameter keeps its own state.
/// Hyperparameters are `Double`, like PyTorch's Python floats, and are rounded to `Float` where
/// PyTorch's kernels round them. A step allocates nothing once every parameter has its state.
public protocol Optimizer: AnyObject {
    /// The learning rate η.
    var learningRate: Double { get }

    /// Changes the learning rate (for a schedule).
    ///
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:expected:)`` for a negative
    ///   or non-finite rate.
    func setLearningRate(_ learningRate: Double) throws

    /// Updates each parameter's ``Parameter/value`` from its ``Parameter/gradient``.
    ///
    /// - Parameter parameters: The parameters to update; each keeps its own state across calls.
    func step(_ parameters: [Parameter])

    /// Forgets all per-parameter state, as a freshly made optimizer.
    func resetState()

    /// The per-parameter state of those of `parameters` that have one (were stepped), by
    /// position in `parameters`: what a checkpoint saves.
    ///
    /// - Parameter parameters: The model's parameters, in a fixed order.
    /// - Returns: Copies of the states' buffers and step counts.
    /// - Complexity: O(values of the stepped parameters).
    func state(of parameters: [Parameter]) -> OptimizerState

    /// Replaces all per-parameter state with `state` (from ``state(of:)`` of an optimizer of
    /// the same kind and settings over parameters of the same shapes), so the next step is
    /// the one the saved optimizer would have taken.
    ///
    /// - Parameters:
    ///   - state: The saved state.
    ///   - parameters: The parameters it was saved for, in the same order.
    /// - Throws: ``OptimizerError/invalidState(_:)`` for an entry naming a parameter that is not
    ///   there, a buffer that is missing or of another size, or a negative step count; nothing
    ///   is changed then.
    func restore(_ state: OptimizerState, of parameters: [Parameter]) throws
}

extension Optimizer {
    /// Sets the gradients of `parameters` to zero (`optimizer.zero_grad()`, but zeroing rather
    /// than setting to `None`).
    public func zeroGradients(_ parameters: [Parameter]) {
        parameters.zeroGradients()
    }
}
