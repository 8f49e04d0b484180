/// Where a batch sits in a schedule: its epoch, phase and global batch number, and its size.
public struct BatchTag: Sendable, Equatable, Hashable {
    /// Epoch number, counting from 0 across all phases.
    public var epoch: Int
    /// Which phase of ``ScheduleConfiguration/phases`` the epoch belongs to.
    public var phaseIndex: Int
    /// The phase's policy (its ``SamplingPolicy/rawValue`` is the phase name `datatool` prints).
    public var policy: SamplingPolicy
    /// Global batch number within the epoch (the same on every rank; rank `r` of `w` sees
    /// `r, r + w, …`). Numbers at or past ``BatchSchedule/batchCount(epoch:)`` are padding.
    public var batch: Int
    /// Samples in the batch.
    public var count: Int

    /// A tag; ``BatchSchedule`` makes them, tests and tools may too.
    public init(epoch: Int, phaseIndex: Int, policy: SamplingPolicy, batch: Int, count: Int) {
        self.epoch = epoch
        self.phaseIndex = phaseIndex
        self.policy = policy
        self.batch = batch
        self.count = count
    }
}
