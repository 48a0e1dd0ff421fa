// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Quiver",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "Quiver", targets: ["Quiver"]),
        // The executable's module is QuiverCLI, not `quiver`: on case-insensitive file systems
        // a module `quiver` would collide with the library module `Quiver`.
        .executable(name: "quiver", targets: ["QuiverCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"]), .brew(["lmdb"])]
        ),
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        // BLAS for the neural encoders' matrix products: OpenBLAS's CBLAS interface on Linux
        // (Debian/Ubuntu `libopenblas-dev`); Apple platforms use Accelerate instead.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .yum(["openblas-devel"])]
        ),
        // AVX2/AVX-512 distance kernels chosen at run time (function target attributes, no flags).
        .target(name: "CVectorKernels"),
        .target(name: "VectorMath", dependencies: ["CVectorKernels"]),
        .target(
            name: "Encoders",
            dependencies: [
                "VectorMath",
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
            ]
        ),
        .target(name: "Quiver", dependencies: ["LMDB", "CVectorKernels", "VectorMath", "Encoders"]),
        .executableTarget(
            name: "QuiverCLI",
            dependencies: ["Quiver", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "QuiverBench", dependencies: ["Quiver", "VectorMath"], path: "Benchmarks/QuiverBench"),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"]),
        .testTarget(name: "VectorMathTests", dependencies: ["VectorMath"]),
        // Fixtures are read through #filePath, not bundled as resources.
        .testTarget(name: "EncodersTests", dependencies: ["Encoders"], exclude: ["Fixtures"]),
        .testTarget(name: "QuiverTests", dependencies: ["Quiver", "LMDB", "Encoders"]),
        .testTarget(name: "QuiverCLITests", dependencies: ["QuiverCLI", "Quiver", "LMDB"]),
    ],
    swiftLanguageModes: [.v6]
)
