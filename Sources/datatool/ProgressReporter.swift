import Foundation
import Sampling
import Training

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Training progress on stderr: a bar redrawn in place on a terminal, one plain line per epoch
/// otherwise (so logs stay readable).
final class ProgressReporter {
    private let isTerminal: Bool
    private let enabled: Bool
    private let totalEpochs: Int
    private var lastDraw = 0.0
    private var drewBar = false

    init(enabled: Bool, totalEpochs: Int) {
        self.enabled = enabled
        self.totalEpochs = totalEpochs
        self.isTerminal = isatty(2) != 0
    }

    func handle(_ event: TrainingEvent) {
        guard enabled else { return }
        switch event {
        case .batch(let epoch, let phase, let batch, let batches, let loss, let accuracy):
            guard isTerminal else { return }
            let time = Date().timeIntervalSinceReferenceDate
            guard batch == batches || time - lastDraw > 0.05 else { return }
            lastDraw = time
            let width = 30
            let filled = batches > 0 ? min(width, width * batch / batches) : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\u{1B}[K epoch \(epoch + 1)/\(totalEpochs) \(phase.rawValue) \(bar) \(batch)/\(batches)  loss \(format(loss, 4))  acc \(format(100 * accuracy, 1))%")
            drewBar = true
        case .epoch(let report):
            var line = "epoch \(report.epoch + 1)/\(totalEpochs) \(report.phase.rawValue): train loss \(format(report.trainLoss, 4)) acc \(format(100 * report.trainAccuracy, 1))%"
            if let test = report.test {
                line += " | test loss \(format(report.testLoss ?? .nan, 4)) acc \(format(100 * test.accuracy, 1))% balanced \(format(100 * test.balancedAccuracy, 1))% macro-F1 \(format(test.macroF1, 3))"
            }
            line += " (\(format(report.seconds, 2)) s)"
            write((isTerminal ? "\r\u{1B}[K" : "") + line + "\n")
            drewBar = false
        }
    }

    func finish() {
        if drewBar { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
