import Testing
@testable import Sampling

@Suite struct SamplingPolicyTests {
    @Test func namesRoundTrip() throws {
        let policies: [SamplingPolicy] = [.balanced, .sqrt, .instance, .power(0.25), .progressive, .repeatFactor(0.001), .natural, .weighted]
        for policy in policies {
            #expect(try SamplingPolicy(parsing: policy.rawValue) == policy, "\(policy)")
        }
        #expect(SamplingPolicy.power(0) == .balanced && SamplingPolicy.power(0.5).rawValue == "sqrt")
    }

    @Test func badNamesSayWhatIsWrong() {
        let cases: [(String, String)] = [
            ("frobnicate", "unknown sampling policy \"frobnicate\""), ("power:1.5", "outside [0, 1]"),
            ("power:-0.1", "outside [0, 1]"), ("power", "needs a number"), ("repeat:0", "greater than 0"),
            ("repeat:-1", "greater than 0"), ("balanced:3", "takes no parameter"),
        ]
        for (text, fragment) in cases {
            do {
                _ = try SamplingPolicy(parsing: text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect("\(error)".contains(fragment), "\(text): \(error)")
            }
        }
    }

    @Test func schedulesParse() throws {
        #expect(try SchedulePhase.parseSchedule("balanced:30,natural:2") == [SchedulePhase(.balanced, epochs: 30), SchedulePhase(.natural, epochs: 2)])
        #expect(try SchedulePhase.parseSchedule("power:0.5:3, repeat:0.01:2") == [SchedulePhase(.sqrt, epochs: 3), SchedulePhase(.repeatFactor(0.01), epochs: 2)])
        for bad in ["balanced", "balanced:0", "balanced:x", "balanced:3,,natural:1", "foo:3", "power:7:2"] {
            #expect(throws: SamplingError.self, "\(bad)") { try SchedulePhase.parseSchedule(bad) }
        }
        #expect(try EpochLength(parsing: "samples:10") == .samples(10))
        #expect(try EpochLength(parsing: "batches:4") == .batches(4))
        #expect(throws: SamplingError.self) { try EpochLength(parsing: "samples:0") }
        #expect(throws: SamplingError.self) { try EpochLength(parsing: "forever") }
    }
}
