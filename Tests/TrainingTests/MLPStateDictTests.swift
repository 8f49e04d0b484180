import Datasets
import Foundation
import Testing
import TestSupport
import Training

@Suite struct MLPStateDictTests {
    static func temporaryFolder() throws -> String {
        try TemporaryFolder("statedict").url.path
    }

    /// Runs `scripts/model_readback.py` (h5py and NumPy) on `file`; `nil` after recording why not.
    static func readBack(_ file: String, rows: String? = nil) throws -> [String: Any]? {
        let run = try PythonScript.run("scripts/model_readback.py", [file] + (rows.map { [$0] } ?? []))
        guard run.status == 0 else {
            Issue.record("model_readback.py failed (\(run.status)): \(run.stderr); it needs python3 with h5py and numpy")
            return nil
        }
        return try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any]
    }

    static let provenance = ModelProvenance(classNames: ["flu", "cold", "rare"], priors: [0.8, 0.15, 0.05],
                                            schedule: "balanced:3,natural:1/head", seed: 42)

    @Test("state_dict names and shapes are nn.Sequential's, and PReLU's weight is [1]")
    func stateDictNamesAndShapes() throws {
        let mlp = try MLP(inputs: 3, hidden: [5, 4], outputs: 2, activation: .prelu(), seed: 1)
        let dict = mlp.stateDict
        #expect(dict.map(\.name) == ["0.weight", "0.bias", "1.weight", "2.weight", "2.bias", "3.weight", "4.weight", "4.bias"])
        #expect(dict.map(\.shape) == [[5, 3], [5], [1], [4, 5], [4], [1], [2, 4], [2]])
        #expect(dict[0].values == mlp.linears[0].weight.value.storage)
    }

    @Test("h5py and NumPy read the saved model: float32 tensors, attributes, and the same logits as the MLP")
    func h5pyReadsTheModel() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mlp = try MLP(inputs: 2, hidden: [6, 5], outputs: 3, activation: .relu, seed: 7)
        let path = folder + "/model.h5"
        try writeTensorArchive(mlp.archive(provenance: Self.provenance), to: path)
        let rows: [[Float]] = [[0.25, -0.5], [1.5, 0.75], [-1, 2]]
        let report = try #require(try Self.readBack(path, rows: rows.map { $0.map { String($0) }.joined(separator: ",") }.joined(separator: ";")))
        let tensors = try #require(report["tensors"] as? [String: [String: Any]])
        #expect(Set(tensors.keys) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
        for tensor in mlp.stateDict {
            let entry = try #require(tensors[tensor.name])
            #expect(entry["shape"] as? [Int] == tensor.shape, "\(tensor.name)")
            #expect(entry["dtype"] as? String == "<f4", "\(tensor.name)")
            #expect((entry["values"] as? [Double])?.map { Float($0) } == tensor.values, "\(tensor.name)")
        }
        let attributes = try #require(report["attributes"] as? [String: Any])
        #expect(attributes["format"] as? String == MLP.archiveFormat)
        #expect(attributes["version"] as? Int == 1)
        #expect(attributes["architecture"] as? String == "mlp")
        #expect(attributes["activation"] as? String == "relu")
        #expect(attributes["layers"] as? String == "Linear(2, 6), relu, Linear(6, 5), relu, Linear(5, 3)")
        #expect(attributes["hidden"] as? [Int] == [6, 5])
        #expect(attributes["D"] as? Int == 2 && attributes["K"] as? Int == 3)
        #expect(attributes["priors"] as? [Double] == [0.8, 0.15, 0.05])
        #expect(attributes["class_names"] as? String == "flu\ncold\nrare")
        #expect(attributes["schedule"] as? String == "balanced:3,natural:1/head")
        #expect(attributes["seed"] as? Int == 42)
        // NumPy's x·Wᵀ + b through the layers gives our logits.
        let numpy = try #require(report["logits"] as? [[Double]])
        let ours = try mlp.predict(Matrix(rows.map { $0 }))
        for r in 0..<3 {
            for k in 0..<3 {
                #expect(abs(Float(numpy[r][k]) - ours[r, k]) <= 1e-5 * max(1, abs(ours[r, k])), "row \(r) class \(k)")
            }
        }
    }

    @Test("a saved model loads back with the same parameters and provenance; a linear model too")
    func roundTrip() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (hidden, activation) in [([8], Activation.tanh), ([], .relu), ([4, 3], .prelu())] {
            let mlp = try MLP(inputs: 2, hidden: hidden, outputs: 3, activation: activation, seed: 3)
            let path = folder + "/m\(hidden.count).h5"
            try writeTensorArchive(mlp.archive(provenance: Self.provenance), to: path)
            let (loaded, provenance) = try MLP.load(from: try readTensorArchive(from: path), inputs: 2, classes: 3)
            #expect(loaded.parameters.map(\.value) == mlp.parameters.map(\.value), "hidden \(hidden)")
            #expect(loaded.hidden == hidden && loaded.activation == activation)
            #expect(provenance == Self.provenance)
            // An existing file is kept without overwrite.
            #expect(throws: FileSystemError.exists(path: path)) { try writeTensorArchive(mlp.archive(provenance: Self.provenance), to: path) }
        }
    }

    @Test("a foreign, incomplete or mismatched file is refused with one clear error")
    func refusals() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mlp = try MLP(inputs: 2, hidden: [4], outputs: 3, activation: .relu, seed: 3)
        let good = mlp.archive(provenance: Self.provenance)

        let foreign = folder + "/data.h5"
        try writeLabelledDataset(try SpiralSpecification(counts: [5, 5], noise: 0, seed: 0).generate(), to: foreign)
        let notModel = try #require(throws: ModelArchiveError.self) { try MLP.load(from: try readTensorArchive(from: foreign)) }
        #expect(notModel.description == "not a model saved by datatool: the format attribute is missing; expected \"imbalanced-training/mlp\"")

        var missing = good
        missing.tensors.removeAll { $0.name == "2.bias" }
        #expect(throws: ModelArchiveError.missingTensor(name: "2.bias", found: ["0.bias", "0.weight", "2.weight"])) {
            try MLP.load(from: missing)
        }
        var extra = good
        extra.tensors.append(NamedTensor(name: "5.weight", shape: [1], values: [0]))
        #expect(throws: ModelArchiveError.unexpectedTensor(name: "5.weight")) { try MLP.load(from: extra) }
        var reshaped = good
        reshaped.tensors[0] = NamedTensor(name: "0.weight", shape: [2, 4], values: reshaped.tensors[0].values)
        let shape = try #require(throws: ModelArchiveError.self) { try MLP.load(from: reshaped) }
        #expect(shape.description == "tensor '0.weight' has shape [2, 4]; expected [4, 2]")
        var version = good
        version.attributes["version"] = .int(9)
        #expect(throws: ModelArchiveError.notAModel("version 9; this build reads version 1")) { try MLP.load(from: version) }

        let wide = try #require(throws: ModelArchiveError.self) { try MLP.load(from: good, inputs: 5, classes: 3) }
        #expect(wide.description == "the model takes 2 features per row but the data has 5")
        #expect(throws: ModelArchiveError.dataMismatch("the model predicts 3 classes (labels 0..<3) but the data has labels up to 3")) {
            try MLP.load(from: good, inputs: 2, classes: 4)
        }
        // Bad archives are refused before anything is written.
        var repeated = good
        repeated.tensors.append(repeated.tensors[0])
        #expect(throws: HDF5Error.self) { try writeTensorArchive(repeated, to: folder + "/bad.h5") }
        #expect(!FileManager.default.fileExists(atPath: folder + "/bad.h5"))
    }
}
