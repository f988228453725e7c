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
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
    ],
    targets: [
        .target(
            name: "TracetestModel",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        .target(name: "TracetestConcurrency"),
        .target(name: "TracetestWebUI", exclude: ["ui"]),
        .target(name: "TracetestLanguage", dependencies: ["TracetestModel", "TracetestConcurrency"]),
        .target(
            name: "TracetestOTLP",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        .target(
            name: "TracetestConfig",
            dependencies: [
                "TracetestModel",
                "TracetestStorage",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "TracetestTelemetry",
            dependencies: [
                "TracetestModel",
                "TracetestConfig",
                "TracetestStorage",
                "TracetestOTLP",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "TracetestStorage",
            dependencies: [
                "TracetestModel",
                "TracetestConcurrency",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TracetestIngest",
            dependencies: [
                "TracetestModel",
                "TracetestConcurrency",
                "TracetestOTLP",
                "TracetestConfig",
                "TracetestStorage",
                "TracetestTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "TracetestAnalyzer", dependencies: ["TracetestModel", "TracetestConcurrency"]),
        .target(
            name: "TracetestProto",
            dependencies: ["TracetestModel", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // librdkafka is loaded at run time (dlopen); `dl` is an empty stub on glibc 2.34 and later.
        .target(name: "CRdKafkaShim", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "CMemoryRelease"),
        .target(name: "TracetestKafka", dependencies: ["CRdKafkaShim"]),
        .target(
            name: "TracetestTraceSources",
            dependencies: [
                "TracetestModel",
                "TracetestIngest",
                "TracetestOTLP",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "TracetestEngine",
            dependencies: [
                "TracetestModel",
                "TracetestConcurrency",
                "TracetestAnalyzer",
                "TracetestLanguage",
                "TracetestStorage",
                "TracetestIngest",
                "TracetestTraceSources",
                "TracetestTelemetry",
                "TracetestKafka",
                "TracetestProto",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TracetestServer",
            dependencies: [
                "CMemoryRelease",
                "TracetestModel",
                "TracetestConfig",
                "TracetestStorage",
                "TracetestIngest",
                "TracetestLanguage",
                "TracetestTelemetry",
                "TracetestEngine",
                "TracetestTraceSources",
                "TracetestAnalyzer",
                "TracetestConcurrency",
                "TracetestWebUI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "AnalyzerBenchmark",
            dependencies: ["TracetestAnalyzer", "TracetestModel"],
            path: "Benchmarks/AnalyzerBenchmark"
        ),
        .target(name: "BenchmarkSupport", dependencies: ["TracetestModel"], path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(
            name: "TraceStoreBenchmark",
            dependencies: [
                "TracetestTraceSources", "TracetestModel", "TracetestOTLP", "ServerTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/TraceStoreBenchmark"
        ),
        .executableTarget(
            name: "LanguageBenchmark",
            dependencies: ["TracetestLanguage", "TracetestModel", "BenchmarkSupport"],
            path: "Benchmarks/LanguageBenchmark"
        ),
        .executableTarget(
            name: "BigRunBenchmark",
            dependencies: [
                "BenchmarkSupport", "TestSupport", "TracetestModel", "TracetestOTLP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Benchmarks/BigRunBenchmark"
        ),
        .executableTarget(
            name: "IngestBenchmark",
            dependencies: [
                "TracetestServer", "TracetestIngest", "TracetestOTLP", "TracetestConfig", "TracetestStorage",
                "TracetestModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/IngestBenchmark"
        ),
        .executableTarget(
            name: "TelemetryBenchmark",
            dependencies: [
                "TracetestServer", "TracetestConfig", "TestSupport", "ServerTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/TelemetryBenchmark"
        ),
        .target(
            name: "TracetestCLI",
            dependencies: [
                "TracetestModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "tracetest",
            dependencies: [
                "TracetestServer",
                "TracetestCLI",
                "TracetestConfig",
                "TracetestModel",
                "TracetestTelemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TestSupport", dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"),
        .target(
            name: "ServerTestSupport",
            dependencies: [
                "TestSupport", "TracetestConfig", "TracetestStorage", "TracetestServer", "TracetestIngest",
                "TracetestTraceSources", "TracetestOTLP", "TracetestModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/ServerTestSupport"
        ),
        .testTarget(name: "ArchitectureTests"),
        .testTarget(name: "TracetestModelTests", dependencies: ["TracetestModel", "TestSupport"]),
        .testTarget(name: "TracetestKafkaTests", dependencies: ["TracetestKafka", "TestSupport"]),
        .testTarget(
            name: "TracetestTraceSourcesTests",
            dependencies: [
                "TracetestTraceSources", "TracetestModel", "TracetestOTLP", "TestSupport", "ServerTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "TracetestProtoTests",
            dependencies: [
                "TracetestProto", "TracetestModel", "TestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "TracetestCLITests",
            dependencies: [
                "TestSupport", "ServerTestSupport", "TracetestModel", "TracetestKafka",
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "TracetestAnalyzerTests", dependencies: ["TracetestAnalyzer", "TestSupport"]),
        .testTarget(
            name: "TracetestEngineTests",
            dependencies: [
                "TracetestEngine", "TracetestLanguage", "TracetestModel", "TracetestStorage", "TracetestIngest",
                "TestSupport", "ServerTestSupport",
            ]
        ),
        .testTarget(
            name: "TracetestLanguageTests",
            dependencies: ["TracetestLanguage", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "TracetestConfigTests", dependencies: ["TracetestConfig", "TestSupport"]),
        .testTarget(
            name: "TracetestStorageTests", dependencies: ["TracetestStorage", "TestSupport", "ServerTestSupport"]),
        .testTarget(
            name: "TracetestTelemetryTests",
            dependencies: [
                "TracetestTelemetry", "TracetestOTLP", "TestSupport", "ServerTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TracetestIngestTests",
            dependencies: ["TracetestIngest", "TracetestOTLP", "TestSupport", "ServerTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "TracetestWebUITests", dependencies: ["TracetestWebUI"]),
        .testTarget(
            name: "TracetestServerTests",
            dependencies: [
                "TracetestServer", "TracetestKafka", "TestSupport", "ServerTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ]
)
