import Datasets

/// What a saved model was trained on and how, besides its tensors.
public struct ModelProvenance: Sendable, Equatable {
    /// Class names in label order, when the data had them.
    public var classNames: [String]?
    /// π_c, the training-set class frequencies (what prior correction and the logit-adjusted
    /// loss use).
    public var priors: [Double]
    /// The training schedule in words (phases, epochs, rates).
    public var schedule: String
    /// The run's seed.
    public var seed: UInt64
    /// τ of the post-hoc prior correction the run predicted with (`logits + τ·log π`), `nil`
    /// for none: what `datatool predict` and `evaluate` apply unless told otherwise.
    public var priorCorrection: Double?

    /// A description.
    public init(classNames: [String]? = nil, priors: [Double], schedule: String, seed: UInt64, priorCorrection: Double? = nil) {
        self.classNames = classNames
        self.priors = priors
        self.schedule = schedule
        self.seed = seed
        self.priorCorrection = priorCorrection
    }
}

/// Why a ``TensorArchive`` is not a model this package can load; the description says what
/// was found and what was expected (the caller adds the file name).
public enum ModelArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The archive lacks our format marker or a required attribute, or has another version.
    case notAModel(String)
    /// A tensor of the architecture is missing.
    case missingTensor(name: String, found: [String])
    /// A tensor that the architecture does not have.
    case unexpectedTensor(name: String)
    /// A tensor has the wrong shape.
    case tensorShape(name: String, shape: [Int], expected: [Int])
    /// The model does not fit the data it is used with.
    case dataMismatch(String)

    public var description: String {
        switch self {
        case .notAModel(let reason): return "not a model saved by datatool: \(reason)"
        case let .missingTensor(name, found):
            return "the model has no tensor '\(name)'; found \(found.isEmpty ? "none" : found.joined(separator: ", "))"
        case .unexpectedTensor(let name): return "tensor '\(name)' is not part of the model's architecture"
        case let .tensorShape(name, shape, expected): return "tensor '\(name)' has shape \(shape); expected \(expected)"
        case .dataMismatch(let message): return message
        }
    }
}

extension MLP {
    /// The value of the `format` attribute that marks a model file of this package.
    public static var archiveFormat: String { "imbalanced-training/mlp" }
    /// The version of the model file layout this build writes and reads.
    public static var archiveVersion: Int { 1 }

    /// The parameters as PyTorch's `state_dict()` of the equivalent
    /// `nn.Sequential(Linear, act, Linear, act, …, Linear)`: `"0.weight"` `[H, D]`, `"0.bias"`
    /// `[H]`, `"1.weight"` `[1]` for a PReLU, `"2.weight"`, …, in `parameters()` order.
    ///
    /// - Complexity: O(number of parameters' values) (they are copied).
    public var stateDict: [NamedTensor] {
        let matrices = Set(linears.map { ObjectIdentifier($0.weight) })
        return parameters.map { parameter in
            let name = Self.stateDictName(parameter.name)
            let shape = matrices.contains(ObjectIdentifier(parameter))
                ? [parameter.value.rows, parameter.value.columns] : [parameter.value.count]
            return NamedTensor(name: name, shape: shape, values: parameter.value.storage)
        }
    }

    /// `"layers.0.weight"` → `"0.weight"`.
    private static func stateDictName(_ name: String) -> String {
        name.hasPrefix("layers.") ? String(name.dropFirst("layers.".count)) : name
    }

    /// The network as a ``TensorArchive``: ``stateDict`` and the attributes `format`,
    /// `version`, `architecture` (`"mlp"`), `layers` (the `nn.Sequential` in words),
    /// `activation` (its command-line name), `hidden` (widths), `D`, `K`, `priors`,
    /// `schedule`, `seed`, and when known `class_names` (one string, names separated by
    /// newlines) and `prior_correction` (τ).
    ///
    /// - Parameter provenance: What the model was trained on and how.
    /// - Returns: What ``Datasets/writeTensorArchive(_:to:overwrite:)`` writes.
    public func archive(provenance: ModelProvenance) -> TensorArchive {
        var attributes: [String: HDF5AttributeValue] = [
            "format": .string(Self.archiveFormat),
            "version": .int(Self.archiveVersion),
            "architecture": .string("mlp"),
            "layers": .string(sequentialDescription),
            "activation": .string(activation.kind.rawValue),
            "hidden": .intArray(hidden),
            "D": .int(inputs),
            "K": .int(outputs),
            "priors": .doubleArray(provenance.priors),
            "schedule": .string(provenance.schedule),
            "seed": .int(Int(truncatingIfNeeded: provenance.seed)),
        ]
        if let names = provenance.classNames { attributes["class_names"] = .string(names.joined(separator: "\n")) }
        if let tau = provenance.priorCorrection { attributes["prior_correction"] = .double(tau) }
        return TensorArchive(tensors: stateDict, attributes: attributes)
    }

    /// `Linear(2, 100), relu, Linear(100, 3)`.
    var sequentialDescription: String {
        var parts = [String]()
        for (l, linear) in linears.enumerated() {
            parts.append("Linear(\(linear.inFeatures), \(linear.outFeatures))")
            if l < activationLayers.count { parts.append(activation.description) }
        }
        return parts.joined(separator: ", ")
    }

    /// A network rebuilt from an ``archive(provenance:)``: the architecture from the
    /// attributes, every parameter from its tensor, after checking the names and shapes.
    ///
    /// - Parameters:
    ///   - archive: What ``Datasets/readTensorArchive(from:)`` read.
    ///   - inputs: D of the data the model will see, to check (`nil` for no check).
    ///   - classes: K of that data (`nil` for no check).
    /// - Returns: The network (in evaluation mode) and its provenance.
    /// - Throws: ``ModelArchiveError`` — not our format or version, a missing or extra
    ///   tensor, a wrong shape, or a D or K that differs from the data's — with nothing built.
    public static func load(from archive: TensorArchive, inputs: Int? = nil, classes: Int? = nil) throws
        -> (model: MLP, provenance: ModelProvenance) {
        let a = archive.attributes
        try checkArchiveFormat(a)
        func int(_ key: String) throws -> Int {
            guard case .int(let value)? = a[key] else { throw ModelArchiveError.notAModel("attribute \(key) is missing or not an integer") }
            return value
        }
        func string(_ key: String) throws -> String {
            guard case .string(let value)? = a[key] else { throw ModelArchiveError.notAModel("attribute \(key) is missing or not a string") }
            return value
        }
        let d = try int("D"), k = try int("K")
        let hidden: [Int]
        switch a["hidden"] {
        case .intArray(let widths)?: hidden = widths
        case .int(let width)?: hidden = [width]
        default: throw ModelArchiveError.notAModel("attribute hidden is missing or not a list of widths")
        }
        let activationName = try string("activation")
        guard let kind = ActivationKind(rawValue: activationName) else {
            throw ModelArchiveError.notAModel("activation \(activationName) is unknown")
        }
        let priors: [Double]
        switch a["priors"] {
        case .doubleArray(let values)?: priors = values
        default: throw ModelArchiveError.notAModel("attribute priors is missing or not a list of numbers")
        }
        guard priors.count == k else {
            throw ModelArchiveError.notAModel("priors has \(priors.count) entries; expected K = \(k)")
        }
        try checkFit(modelInputs: d, modelClasses: k, inputs: inputs, classes: classes)
        let model: MLP
        do {
            model = try MLP(inputs: d, hidden: hidden, outputs: k, activation: Activation(kind), seed: 0)
        } catch {
            throw ModelArchiveError.notAModel("its architecture (D \(d), hidden \(hidden), K \(k)) is not valid: \(error)")
        }
        // Names and shapes first, then the values: nothing changes unless everything fits.
        let expected = model.stateDict
        let expectedNames = Set(expected.map(\.name))
        for tensor in archive.tensors where !expectedNames.contains(tensor.name) {
            throw ModelArchiveError.unexpectedTensor(name: tensor.name)
        }
        var values = [Matrix]()
        for (slot, parameter) in zip(expected, model.parameters) {
            guard let tensor = archive.tensor(named: slot.name) else {
                throw ModelArchiveError.missingTensor(name: slot.name, found: archive.tensors.map(\.name).sorted())
            }
            guard tensor.shape == slot.shape else {
                throw ModelArchiveError.tensorShape(name: slot.name, shape: tensor.shape, expected: slot.shape)
            }
            values.append(Matrix(rows: parameter.value.rows, columns: parameter.value.columns, storage: tensor.values))
        }
        try model.load(parameterValues: values)
        model.isTraining = false
        let names: [String]?
        if case .string(let joined)? = a["class_names"] {
            names = joined.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        } else {
            names = nil
        }
        let schedule: String
        if case .string(let text)? = a["schedule"] { schedule = text } else { schedule = "" }
        let seed: UInt64
        if case .int(let value)? = a["seed"] { seed = UInt64(truncatingIfNeeded: value) } else { seed = 0 }
        let tau: Double?
        switch a["prior_correction"] {
        case nil: tau = nil                                  // files saved before the attribute existed
        case .double(let value)? where value.isFinite: tau = value
        case .int(let value)?: tau = Double(value)
        case let other?: throw ModelArchiveError.notAModel("attribute prior_correction is \(other); expected a finite number")
        }
        return (model, ModelProvenance(classNames: names, priors: priors, schedule: schedule, seed: seed, priorCorrection: tau))
    }

    /// Checks the `format` and `version` attributes of a model file, so that a file that is
    /// not a model can be refused before its datasets are read (pass it to
    /// ``Datasets/readTensorArchive(from:checkingAttributes:)``).
    ///
    /// - Parameter attributes: The root attributes.
    /// - Throws: ``ModelArchiveError/notAModel(_:)`` naming the attribute that differs.
    public static func checkArchiveFormat(_ attributes: [String: HDF5AttributeValue]) throws {
        guard case .string(let format)? = attributes["format"], format == archiveFormat else {
            throw ModelArchiveError.notAModel("the format attribute is \(attributes["format"]?.description ?? "missing"); expected \"\(archiveFormat)\"")
        }
        guard case .int(let version)? = attributes["version"], version == archiveVersion else {
            throw ModelArchiveError.notAModel("version \(attributes["version"]?.description ?? "missing"); this build reads version \(archiveVersion)")
        }
    }

    /// Checks that this network fits data of `inputs` features per row with labels in
    /// `0..<classes` (either `nil` for no check).
    ///
    /// - Throws: ``ModelArchiveError/dataMismatch(_:)`` saying which differs.
    public func checkFit(inputs: Int? = nil, classes: Int? = nil) throws {
        try Self.checkFit(modelInputs: self.inputs, modelClasses: outputs, inputs: inputs, classes: classes)
    }

    private static func checkFit(modelInputs d: Int, modelClasses k: Int, inputs: Int?, classes: Int?) throws {
        if let inputs, inputs != d {
            throw ModelArchiveError.dataMismatch("the model takes \(d) features per row but the data has \(inputs)")
        }
        if let classes, classes > k {
            throw ModelArchiveError.dataMismatch("the model predicts \(k) classes (labels 0..<\(k)) but the data has labels up to \(classes - 1)")
        }
    }
}
