import Foundation
import Testing

/// The probe process that reads a file's structure before datatool does (`FileProbe`): what
/// it catches that no in-process check can, its time limit, and its off switch.
@Suite struct FileProbeTests {
    static func regression(_ name: String) -> String {
        Datatool.repositoryRoot.appendingPathComponent("scripts/fuzz/regressions").appendingPathComponent(name).path
    }

    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        environment.removeValue(forKey: "DATATOOL_PROBE")
        environment.removeValue(forKey: "DATATOOL_PROBE_TIMEOUT")
        return environment.merging(extra) { $1 }
    }

    /// libhdf5 1.10.8 segfaults listing a group whose local heap address is 2^64 − 1. The
    /// probe turns that into an error; without it datatool itself dies. (A libhdf5 that no
    /// longer crashes here would make the second half fail: the probe would then be a
    /// precaution only for this file.)
    @Test func aCrashInsideLibhdf5BecomesAnError() throws {
        let file = Self.regression("nested-symbol-table-heap-address.h5")
        let probed = try Datatool.run(["inspect", file], environment: Self.environment([:]))
        expectCleanFailure(probed, mentioning: [file, "is damaged", "libhdf5 crashed with SIGSEGV (signal 11)"])

        let unprobed = try Datatool.run(["inspect", file], environment: Self.environment(["DATATOOL_PROBE": "off"]))
        #expect(unprobed.signalled, "without the probe, libhdf5 1.10.8 is expected to crash on this file; got status \(unprobed.status): \(unprobed.stderr)")
    }

    /// libhdf5 loops forever decoding a global heap collection whose object sizes do not add
    /// up; the probe gives up after DATATOOL_PROBE_TIMEOUT seconds.
    @Test func anEndlessLoopInsideLibhdf5EndsAtTheTimeLimit() throws {
        let file = Self.regression("spiral-global-heap-object-size.h5")
        let started = Date()
        let run = try Datatool.run(["inspect", file], environment: Self.environment(["DATATOOL_PROBE_TIMEOUT": "1.5"]))
        let seconds = Date().timeIntervalSince(started)
        expectCleanFailure(run, mentioning: [file, "did not finish within 1.5 s", "DATATOOL_PROBE_TIMEOUT"])
        #expect(seconds >= 1.5 && seconds < 10, "took \(seconds) s")
    }

    /// The probe reads only what the command needs: the data commands do not read the string
    /// attribute that makes libhdf5 loop, so they work on that file.
    @Test func dataCommandsProbeOnlyTheirDatasets() throws {
        let file = Self.regression("spiral-global-heap-object-size.h5")
        let run = try Datatool.run(["balance-stats", file], environment: Self.environment(["DATATOOL_PROBE_TIMEOUT": "5"]))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("56 samples, 3 classes"), "\(run.stdout)")
    }

    /// Intact files, missing files and ordinary errors are unchanged by the probe.
    @Test func ordinaryOutcomesAreUnchanged() throws {
        let folder = try Datatool.temporaryDirectory()
        let made = try Datatool.run(["gen-spiral", "--counts", "20,10,5", "--output", "s.h5"], in: folder)
        try #require(made.status == 0, "\(made.stderr)")
        for setting in ["on", "off"] {
            let environment = Self.environment(["DATATOOL_PROBE": setting])
            let inspect = try Datatool.run(["inspect", "s.h5"], in: folder, environment: environment)
            #expect(inspect.status == 0 && inspect.stdout.contains("/features"), "\(setting): \(inspect.stderr)")
            let stats = try Datatool.run(["balance-stats", "s.h5"], in: folder, environment: environment)
            #expect(stats.status == 0 && stats.stdout.contains("35 samples"), "\(setting): \(stats.stderr)")
            let missing = try Datatool.run(["inspect", "nope.h5"], in: folder, environment: environment)
            expectCleanFailure(missing, mentioning: ["nope.h5: no such file"])
            let wrongPath = try Datatool.run(["sample", "s.h5", "--labels", "/y", "--batch-size", "3"], in: folder, environment: environment)
            expectCleanFailure(wrongPath, mentioning: ["no dataset at '/y'"])
        }
    }
}
