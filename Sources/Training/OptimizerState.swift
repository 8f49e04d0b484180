import Datasets

/// An optimizer's per-parameter state, by the parameters' positions in a list (the model's
/// ``Classifier/parameters``): momentum buffers, moment estimates and step counts, what a
/// checkpoint holds so a resumed run takes the very steps an uninterrupted one would.
///
/// Only parameters that have been stepped have an entry (a head-only phase steps the head
/// alone), as PyTorch's `optimizer.state` holds only the parameters it has seen. Buffers are
/// named as in PyTorch's `optimizer.state_dict()`: `momentum_buffer` (SGD), `exp_avg`,
/// `exp_avg_sq` and `max_exp_avg_sq` (Adam, AdamW).
public struct OptimizerState: Sendable, Equatable {
    /// One parameter's state.
    public struct Entry: Sendable, Equatable {
        /// The parameter's position in the list the state was taken over.
        public var parameter: Int
        /// Steps taken on it (Adam's `t`; 0 for SGD, which keeps none).
        public var step: Int
        /// Its buffers, each with as many values as the parameter, shape `[count]`.
        public var buffers: [NamedTensor]

        /// An entry.
        public init(parameter: Int, step: Int, buffers: [NamedTensor]) {
            self.parameter = parameter
            self.step = step
            self.buffers = buffers
        }
    }

    /// The stepped parameters' states, in increasing parameter position.
    public var entries: [Entry]

    /// A state.
    public init(entries: [Entry]) {
        self.entries = entries
    }
}

extension PerParameterOptimizer {
    public func state(of parameters: [Parameter]) -> OptimizerState {
        var entries = [OptimizerState.Entry]()
        for (position, parameter) in parameters.enumerated() {
            guard let state = states.existing(for: parameter) else { continue }
            let (step, buffers) = saved(state)
            entries.append(OptimizerState.Entry(parameter: position, step: step, buffers: buffers))
        }
        return OptimizerState(entries: entries)
    }

    public func restore(_ state: OptimizerState, of parameters: [Parameter]) throws {
        var pairs = [(Parameter, State)]()
        var seen = Set<Int>()
        for entry in state.entries {
            guard parameters.indices.contains(entry.parameter), seen.insert(entry.parameter).inserted else {
                throw OptimizerError.invalidState("entry for parameter \(entry.parameter) is repeated or outside 0..<\(parameters.count)")
            }
            let parameter = parameters[entry.parameter]
            guard entry.step >= 0 else {
                throw OptimizerError.invalidState("parameter \(parameter.name) has step count \(entry.step); expected 0 or more")
            }
            for buffer in entry.buffers where buffer.values.count != parameter.count {
                throw OptimizerError.invalidState("buffer \(buffer.name) of parameter \(parameter.name) has \(buffer.values.count) values; expected \(parameter.count)")
            }
            pairs.append((parameter, try restored(for: parameter, step: entry.step, buffers: entry.buffers)))
        }
        states.replaceAll(with: pairs)
    }

    /// The buffer `name` of a saved entry, for ``restored(for:step:buffers:)``.
    func requiredBuffer(_ name: String, in buffers: [NamedTensor], of parameter: Parameter) throws -> [Float] {
        guard let buffer = buffers.first(where: { $0.name == name }) else {
            throw OptimizerError.invalidState("parameter \(parameter.name) has no \(name) buffer; found \(buffers.map(\.name))")
        }
        return buffer.values
    }
}
