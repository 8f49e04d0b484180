// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ImbalancedTraining",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Sampling", targets: ["Sampling"]),
        .library(name: "Training", targets: ["Training"]),
        .executable(name: "datatool", targets: ["datatool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev", "zlib1g-dev"]), .brew(["hdf5"])]
        ),
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
        ),
        .systemLibrary(
            name: "CLibdeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]
        ),
        // Vector kernels Swift cannot write without per-lane fallbacks: `static inline` helpers,
        // the softmax cross-entropy row loops for AVX2 + FMA and AVX-512 (SoftmaxRows.c), and the
        // row gather with prefetch (RowGather.c).
        .target(name: "CVectorMath"),
        .target(name: "Datasets", dependencies: ["CHDF5", "CLibdeflate", "CVectorMath"]),
        .target(name: "Sampling", dependencies: ["Datasets", "CVectorMath"]),
        // Dense products go through BLAS: OpenBLAS on Linux, Accelerate on macOS.
        .target(
            name: "Training",
            dependencies: ["Sampling", "Datasets", "CVectorMath", .target(name: "CBLAS", condition: .when(platforms: [.linux]))]
        ),
        .executableTarget(
            name: "datatool",
            dependencies: [
                "Datasets", "Sampling", "Training",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "datatool-bench",
            dependencies: ["Datasets", "Sampling", "Training"],
            path: "Benchmarks/datatool-bench"
        ),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling", "Datasets"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "TestSupport"], resources: [.copy("Fixtures")]),
        // Shared by the test targets: fixture reading, JSON reports, the repository's scripts.
        .target(name: "TestSupport", dependencies: ["Datasets"], path: "Tests/TestSupport"),
        .testTarget(name: "DatatoolTests", dependencies: ["Datasets", "datatool", "TestSupport"]),
    ]
)
