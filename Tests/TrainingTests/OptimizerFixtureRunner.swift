import Testing
@testable import Training

/// Replays the 50-step trajectories of `layers/optimizers.json`: two parameters ([2, 5] and
/// [3]) with gradient `a ⊙ (p − c) + noiseₜ`, computed in Float exactly as the script does, and
/// compares every parameter after every step with PyTorch's.
enum OptimizerFixtureRunner {
    static func fixture() throws -> LayerFixtures.Optimizers {
        try LayerFixtures.load("optimizers.json", as: LayerFixtures.Optimizers.self)
    }

    static func replay(_ item: LayerFixtures.OptimizerCase, in fixture: LayerFixtures.Optimizers,
                       optimizer: any Optimizer) {
        let parameters = fixture.problems.enumerated().map { index, problem in
            let rows = problem.shape.count == 2 ? problem.shape[0] : 1
            let columns = problem.shape.last ?? 1
            return Parameter(name: "p\(index)", value: Matrix(rows: rows, columns: columns,
                                                              storage: LayerTolerance.floats(problem.initial)))
        }
        let a = fixture.problems.map { LayerTolerance.floats($0.a) }
        let c = fixture.problems.map { LayerTolerance.floats($0.c) }
        #expect(item.trajectory.count == fixture.steps)
        for step in 0..<fixture.steps {
            optimizer.zeroGradients(parameters)
            for (index, parameter) in parameters.enumerated() {
                let noise = LayerTolerance.floats(fixture.noise[step][index])
                for i in 0..<parameter.count {
                    parameter.gradient.storage[i] = a[index][i] * (parameter.value.storage[i] - c[index][i]) + noise[i]
                }
            }
            optimizer.step(parameters)
            for (index, parameter) in parameters.enumerated() {
                LayerTolerance.expectClose(parameter.value.storage, item.trajectory[step][index],
                                           "\(item.optimizer) (\(item.options)) step \(step + 1) \(parameter.name)")
            }
        }
    }
}
