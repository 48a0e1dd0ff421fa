// swift-tools-version: 6.0
// A host application that embeds Quiver as an ordinary package dependency.
import PackageDescription

let package = Package(
    name: "HostApp",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Quiver", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "HostApp", dependencies: [.product(name: "Quiver", package: "Quiver")]),
    ],
    swiftLanguageModes: [.v6]
)
