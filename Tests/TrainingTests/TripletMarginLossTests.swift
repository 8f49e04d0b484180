import Testing
@testable import Training

@Suite struct TripletMarginLossTests {
    @Test func matchesPyTorch() throws {
        for c in try LossFixture.cases("triplet_margin_loss", minimum: 15) {
            let loss = try TripletMarginLoss(
                margin: c.floatOption("margin"), p: c.floatOption("p"), eps: c.floatOption("eps"),
                swap: c.option("swap") == "true", reduction: c.reduction())
            let a = try c.matrix("anchor")
            let p = try c.matrix("positive")
            let n = try c.matrix("negative")
            LossParity.expect(try loss.forward(anchor: a, positive: p, negative: n), try c.matrix("output"), "\(c.name): output")
            // With one column the two distance gradients are ±1 and cancel; compare at 1e-6.
            let grads = try loss.backward(anchor: a, positive: p, negative: n, upstream: c.matrix("upstream"))
            LossParity.expect(grads.anchor, try c.matrix("grad_anchor"), "\(c.name): gradient of anchor", absoluteFloor: 1e-6)
            LossParity.expect(grads.positive, try c.matrix("grad_positive"), "\(c.name): gradient of positive", absoluteFloor: 1e-6)
            LossParity.expect(grads.negative, try c.matrix("grad_negative"), "\(c.name): gradient of negative", absoluteFloor: 1e-6)
        }
    }

    @Test func optionsAreChecked() {
        let p = #expect(throws: LossError.self) { try TripletMarginLoss(p: 0.5) }
        #expect(p?.description == "p is 0.5; expected a finite norm order ≥ 1")
        let shape = #expect(throws: LossError.self) {
            try TripletMarginLoss().forward(anchor: Matrix([[1, 2]]), positive: Matrix([[1, 2]]), negative: Matrix([[1, 2, 3]]))
        }
        #expect(shape?.description == "negative is 1×3; expected 1×2 (the shape of anchor)")
    }
}
