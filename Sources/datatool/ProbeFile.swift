import ArgumentParser
import Datasets

/// `datatool probe-file FILE …` (hidden): what ``FileProbe`` runs in a child process. Opens the
/// file and reads its structure as the calling command will, short of the bulk reads; the
/// parent only looks at how it ended (a signal means libhdf5 crashed).
struct ProbeFile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: FileProbe.commandName,
        abstract: "Read an HDF5 file's structure (used internally to check a file before reading it).",
        shouldDisplay: false)

    @Argument(help: "The HDF5 file.")
    var file: String

    @Flag(help: "List every object and attribute, as inspect does.")
    var list = false

    @Option(help: "A features dataset to open, check and read the first and last rows of.")
    var features: String?

    @Option(help: "A labels dataset to open, check and read the first and last labels of.")
    var labels: String?

    func run() throws {
        let hdf5 = try HDF5File(path: file)
        if list {
            _ = try hdf5.objects()
        }
        if let features {
            let dataset = try HDF5FeatureDataset(file: hdf5, datasetPath: features)
            _ = try dataset.gatherRows([0, dataset.rowCount - 1])
        }
        if let labels {
            let count = try hdf5.labelCount(at: labels)
            _ = try hdf5.readLabels(at: labels, rows: 0..<1)
            _ = try hdf5.readLabels(at: labels, rows: (count - 1)..<count)
        }
    }
}
