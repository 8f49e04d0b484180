import ArgumentParser

/// `datatool`: balanced-batch training data from a shell.
@main
struct Datatool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datatool",
        abstract: "Generate, inspect, sample and train on imbalanced labelled data.",
        subcommands: [
            Inspect.self,
        ]
    )
}
