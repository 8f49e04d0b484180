import ArgumentParser
import Datasets
import Foundation

struct GenSpiral: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen-spiral",
        abstract: "Generate labelled spirals (balanced or imbalanced) into an HDF5 file.",
        discussion: """
            Class c of K has n_c points with t evenly spaced on [0, 1] and \
            x = t·(sin θ, cos θ), θ = (2π/K)(2t + c) + ε, ε ~ N(0, σ²): the noise is inside the \
            angle, so ‖x‖ = t. Writes /features (float32 [N, 2]) and /labels (int64 [N]), chunked \
            and deflated, with root attributes generator, classes, counts, noise and seed. The \
            file is written to a temporary name and renamed, so it is either complete or absent; \
            an existing file is kept unless --force. The same seed gives the same bytes.

            EXAMPLES:
              datatool gen-spiral --classes 3 --points 1000 --output spiral.h5
              datatool gen-spiral --counts 1000,100,10 --noise 0.2 --seed 1 --output s.h5 --plot s.png
            """)

    @Option(parsing: .unconditional, help: "Number of classes K (with --points; implied by --counts).")
    var classes: Int?

    @Option(parsing: .unconditional, help: "Points per class, the same for every class.")
    var points: Int?

    @Option(help: "Points of each class, comma-separated (e.g. 1000,100,10): imbalanced spirals.")
    var counts: String?

    @Option(parsing: .unconditional, help: "σ, the standard deviation of the angle noise in radians.")
    var noise: Double = 0

    @Option(parsing: .unconditional, help: "Seed of the noise.")
    var seed: UInt64 = 0

    @Option(name: .shortAndLong, help: "The HDF5 file to write.")
    var output: String

    @Flag(help: "Overwrite existing output files.")
    var force = false

    @Option(help: "Also draw the points coloured by class into this PNG file.")
    var plot: String?

    /// Per-class counts from --counts, or --classes × --points.
    func classCounts() throws -> [Int] {
        if let counts {
            guard points == nil else {
                throw ValidationError("give either --counts or --points, not both")
            }
            var values = [Int]()
            for piece in counts.split(separator: ",", omittingEmptySubsequences: false) {
                let text = piece.trimmingCharacters(in: .whitespaces)
                guard let value = Int(text) else {
                    throw ValidationError("--counts must be whole numbers separated by commas, got \"\(counts)\"")
                }
                guard value >= 1 else {
                    throw ValidationError("--counts has \(value) for class \(values.count); every class needs at least 1 point")
                }
                values.append(value)
            }
            if let classes, classes != values.count {
                throw ValidationError("--classes \(classes) disagrees with --counts, which lists \(values.count) classes")
            }
            return values
        }
        let k = classes ?? 3
        guard k >= 1 else { throw ValidationError("--classes must be at least 1, got \(k)") }
        let n = points ?? 1000
        guard n >= 1 else { throw ValidationError("--points must be at least 1, got \(n)") }
        return [Int](repeating: n, count: k)
    }

    func validate() throws {
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1, got \(classes)") }
        _ = try classCounts()
        guard noise.isFinite && noise >= 0 else {
            throw ValidationError("--noise must be a finite number ≥ 0, got \(noise)")
        }
        if let plot, plot == output {
            throw ValidationError("--plot and --output name the same file \(plot)")
        }
    }

    func run() throws {
        let counts = try classCounts()
        try checkOutputs([output, plot], force: force)
        let specification = try SpiralSpecification(counts: counts, noise: noise, seed: seed)
        let data = specification.generate()
        try writeLabelledDataset(data, to: output, attributes: [
            "generator": .string("spiral"),
            "classes": .int(counts.count),
            "counts": .intArray(counts),
            "noise": .double(noise),
            "seed": .int(Int(truncatingIfNeeded: seed)),
            "formula": .string("x = t*(sin θ, cos θ), θ = (2π/K)(2t + c) + N(0, σ²), t evenly spaced on [0, 1]"),
        ], overwrite: force)
        var summary = "wrote \(output): \(data.count) points, \(counts.count) classes (\(counts.map(String.init).joined(separator: "/"))), σ = \(noise), seed \(seed)"
        if let plot {
            let title = "spirals \(counts.map(String.init).joined(separator: "/")), σ = \(noise)"
            try ScatterPlot(dataset: data, title: title).render(width: 800, height: 800).write(to: plot)
            summary += "; plot \(plot)"
        }
        print(summary)
    }
}
