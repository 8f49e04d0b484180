import ArgumentParser
@main struct Datatool: ParsableCommand { static let configuration = CommandConfiguration(commandName: "datatool") }
