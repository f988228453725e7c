// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "tracetest",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tracetest", targets: ["tracetest"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "TracetestModel",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        .target(name: "TracetestLanguage", dependencies: ["TracetestModel"]),
        .target(
            name: "TracetestConfig",
            dependencies: [
                "TracetestModel",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "TracetestStorage",
            dependencies: [
                "TracetestModel",
                "TracetestConfig",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TracetestServer",
            dependencies: [
                "TracetestModel",
                "TracetestConfig",
                "TracetestStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "LanguageBenchmark",
            dependencies: ["TracetestLanguage"],
            path: "Benchmarks/LanguageBenchmark"
        ),
        .executableTarget(
            name: "tracetest",
            dependencies: [
                "TracetestServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "TracetestConfig", "TracetestStorage", "TracetestServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "TracetestModelTests", dependencies: ["TracetestModel"]),
        .testTarget(
            name: "TracetestLanguageTests",
            dependencies: ["TracetestLanguage"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "TracetestConfigTests", dependencies: ["TracetestConfig", "TestSupport"]),
        .testTarget(name: "TracetestStorageTests", dependencies: ["TracetestStorage", "TestSupport"]),
        .testTarget(
            name: "TracetestServerTests",
            dependencies: [
                "TracetestServer", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
