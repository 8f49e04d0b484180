import Datasets

/// A model a ``Trainer`` can train: it maps a batch `[B, inputs]` to logits `[B, outputs]`,
/// back-propagates ∂loss/∂logits into its parameters' gradients, and names the parameters of
/// its *head* (the output layer), which the head-only phases train and re-initialise.
///
/// ``MLP`` is one conformer; any network built from ``Linear``, ``ActivationLayer`` or
/// hand-written layers can be another. The trainer drives the five steps through this protocol
/// only: `forward`, the loss, zeroing ``parameters``' gradients, `backward`, an optimizer step
/// over ``parameters`` (or ``headParameters``).
///
/// ```swift
/// final class Softmax: Classifier {                 // a linear softmax model
///     let layer: Linear
///     var inputs: Int { layer.inFeatures }
///     var outputs: Int { layer.outFeatures }
///     var parameters: [Parameter] { layer.parameters }
///     var headParameters: [Parameter] { layer.parameters }
///     private var x = Matrix(rows: 0, columns: 0)
///     init(inputs: Int, classes: Int) throws { layer = try Linear(inFeatures: inputs, outFeatures: classes, seed: 0) }
///     func forward(_ x: Matrix, into logits: inout Matrix, training: Bool) throws {
///         self.x.copy(from: x); try layer.forward(x, into: &logits)
///     }
///     func backward(dLogits: Matrix, headOnly: Bool) throws { try layer.backward(input: x, outputGradient: dLogits) }
///     func resetHead<G: RandomNumberGenerator>(using rng: inout G) { layer.resetParameters(using: &rng) }
/// }
/// let trainer = try Trainer(model: Softmax(inputs: 2, classes: 3), configuration: TrainingConfiguration(),
///                           classCounts: train.classCounts)
/// ```
///
/// A model is a reference type: the trainer and its caller share it, and the trainer changes
/// its parameters in place. It need not be thread-safe.
public protocol Classifier: AnyObject {
    /// D, the features per input row.
    var inputs: Int { get }
    /// K, the logits per row (classes).
    var outputs: Int { get }
    /// Every learnable parameter (PyTorch's `model.parameters()`); the same objects on every
    /// call, since optimizers key their state by identity.
    var parameters: [Parameter] { get }
    /// The output layer's parameters, a subset of ``parameters``: what a head-only phase
    /// trains and ``resetHead(using:)`` re-draws.
    var headParameters: [Parameter] { get }

    /// Computes the logits of `x` and keeps what ``backward(dLogits:headOnly:)`` needs.
    ///
    /// - Parameters:
    ///   - x: The batch, `[B, inputs]`.
    ///   - logits: Receives the logits, reshaped to `[B, outputs]` (its buffer is reused).
    ///   - training: Training mode (`model.train()`): layers with random or batch-dependent
    ///     behaviour use it; evaluation mode (`model.eval()`) otherwise.
    /// - Throws: An error when `x` does not have ``inputs`` columns.
    func forward(_ x: Matrix, into logits: inout Matrix, training: Bool) throws

    /// Back-propagates ∂loss/∂logits of the latest forward pass, *adding* into each
    /// parameter's ``Parameter/gradient`` (PyTorch accumulates; the trainer zeroes them first).
    ///
    /// - Parameters:
    ///   - dLogits: ∂loss/∂logits, `[B, outputs]`.
    ///   - headOnly: Only the gradients of ``headParameters`` are needed (a head-only phase);
    ///     a model may skip the rest of the backward pass then.
    /// - Throws: An error before any forward pass or for a `dLogits` of the wrong shape.
    func backward(dLogits: Matrix, headOnly: Bool) throws

    /// Re-initialises the head's parameters (the start of a cRT phase, Kang et al., "Decoupling
    /// Representation and Classifier for Long-Tailed Recognition", ICLR 2020), drawing from `rng`.
    ///
    /// - Parameter rng: The generator of every random draw.
    func resetHead<G: RandomNumberGenerator>(using rng: inout G)

    /// The architecture in words, which a checkpoint records and a resume compares (a
    /// default gives every parameter's name and shape; ``MLP`` gives its layers).
    var architectureDescription: String { get }

    /// The states of the generators the model draws from in training mode (``MLP``: one per
    /// activation layer, RReLU's slopes), which a checkpoint saves so a resumed run draws what
    /// an uninterrupted one would. Empty by default: a model that draws nothing.
    var generatorStates: [Xoshiro256StarStar] { get }

    /// Puts back the generators' states from ``generatorStates``.
    ///
    /// - Parameter states: As many states as ``generatorStates`` has, in its order.
    /// - Throws: ``CheckpointError/doesNotFit(_:)`` for another number of states.
    func restoreGeneratorStates(_ states: [Xoshiro256StarStar]) throws
}
