import ArgumentParser
import Datasets
import Foundation

/// `datatool`: balanced-batch training data from a shell.
@main
struct Datatool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datatool",
        abstract: "Generate, inspect, sample and train on imbalanced labelled data.",
        discussion: """
            A typical session:
              datatool gen-spiral --counts 1000,100,10 --noise 0.2 --seed 1 --output train.h5
              datatool inspect train.h5
              datatool balance-stats train.h5 --batch-size 96
              datatool sample train.h5 --batch-size 6 --epochs 1
              datatool train train.h5 --test-split 0.3 --hidden 100 --finetune-epochs 2 --save model.h5
              datatool predict model.h5 new.h5 --output predictions.h5
              datatool evaluate model.h5 test.h5
            """,
        subcommands: [
            GenSpiral.self,
            Inspect.self,
            BalanceStats.self,
            Sample.self,
            Train.self,
            Predict.self,
            Evaluate.self,
            Compare.self,
            ProbeFile.self,
        ]
    )

    /// Parses and runs a subcommand. Every failure (bad flags, bad files, bad data) ends the
    /// same way: one line `error: …` on stderr naming what was wrong, and a non-zero exit; help
    /// goes to stdout with status 0.
    static func main() {
        defer { reportDataAccess() }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            let message = Datatool.text(for: error)
                .split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
                .joined(separator: "; ")
            if !message.isEmpty {
                FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// The environment variable that makes `datatool` print, on stderr at exit, how often it
    /// opened an HDF5 file and checked labels (the file probe's child process not counted).
    static let dataAccessVariable = "DATATOOL_DATA_ACCESS"

    /// What `error` says to a user of the command line: the library's own words, plus what to
    /// do about it with datatool's flags where there is a flag for it.
    static func text(for error: any Error) -> String {
        switch error {
        case FileSystemError.exists(let path):
            return "\(path) already exists; pass --force to overwrite"
        default:
            return Datatool.message(for: error)
        }
    }

    /// Prints `data access: F file opens, L label validations` on stderr when
    /// ``dataAccessVariable`` is `1`.
    static func reportDataAccess() {
        guard ProcessInfo.processInfo.environment[dataAccessVariable] == "1" else { return }
        let counts = DataAccessCounts.shared.snapshot
        FileHandle.standardError.write(Data("data access: \(counts.fileOpens) file opens, \(counts.labelValidations) label validations\n".utf8))
    }
}
