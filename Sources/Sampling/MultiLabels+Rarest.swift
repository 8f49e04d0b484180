import Datasets

extension MultiLabels {
    /// The rarest label sample `i` carries: the one with the fewest samples in `counts`, the
    /// lower label on a tie; `nil` for a sample with no label. Its repeat factor is the
    /// sample's (``SamplingPolicy/repeatFactors(threshold:counts:sampleCount:)``: r_c grows as
    /// n_c shrinks), so grouping samples by it gives groups of equal repeat factor.
    ///
    /// - Complexity: O(labels of the sample).
    @inlinable
    public func rarestLabel(ofSample i: Int, counts: [Int]) -> Int? {
        var rarest: Int?
        for l32 in labels(ofSample: i) {
            let l = Int(l32)
            if let r = rarest, counts[r] < counts[l] || (counts[r] == counts[l] && r < l) { continue }
            rarest = l
        }
        return rarest
    }

    /// g_c for every label c: the samples whose rarest label is c (see
    /// ``rarestLabel(ofSample:counts:)``); samples with no label are in no group.
    ///
    /// - Complexity: O(N + M) for M memberships.
    public var rarestLabelCounts: [Int] {
        let counts = self.counts
        var groups = [Int](repeating: 0, count: labelCount)
        for i in 0..<sampleCount {
            if let c = rarestLabel(ofSample: i, counts: counts) { groups[c] += 1 }
        }
        return groups
    }
}
