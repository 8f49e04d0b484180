import Testing

@Suite struct HelpTests {
    @Test func rootHelpListsCommandsAndExitsZero() throws {
        let run = try Datatool.run(["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("USAGE: datatool"))
    }

    @Test func unknownSubcommandIsACleanError() throws {
        let run = try Datatool.run(["frobnicate"])
        expectCleanFailure(run, mentioning: ["frobnicate"])
    }
}
