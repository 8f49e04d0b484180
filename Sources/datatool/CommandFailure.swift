import ArgumentParser
import Foundation

/// Runs a subcommand's work so that any error ends the program the way `datatool` promises:
/// one line `error: <description>` on stderr, exit status 1, no usage text.
///
/// `ExitCode` and `CleanExit` pass through unchanged.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch let exit as CleanExit {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
