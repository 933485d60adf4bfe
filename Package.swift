// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Trellis",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TrellisCore", targets: ["TrellisCore"]),
        .library(name: "TrellisConfig", targets: ["TrellisConfig"]),
        .library(name: "TrellisProviders", targets: ["TrellisProviders"]),
        .library(name: "TrellisPlugins", targets: ["TrellisPlugins"]),
        .library(name: "TrellisRuntime", targets: ["TrellisRuntime"]),
        .library(name: "TrellisServer", targets: ["TrellisServer"]),
        .library(name: "TrellisPostgres", targets: ["TrellisPostgres"]),
        .library(name: "TrellisTesting", targets: ["TrellisTesting"]),
        .executable(name: "trellis", targets: ["trellis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Only the OTLP/HTTP exporter: the gRPC one would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(
            name: "TrellisCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrellisConfig",
            dependencies: ["TrellisCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrellisProviders",
            dependencies: [
                "TrellisCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrellisPlugins",
            dependencies: [
                "TrellisCore", "TrellisConfig",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrellisRuntime",
            dependencies: [
                "TrellisCore", "TrellisProviders", "TrellisPlugins",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrellisServer",
            dependencies: [
                "TrellisCore", "TrellisConfig", "TrellisRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrellisPostgres",
            dependencies: [
                "TrellisCore", "TrellisRuntime",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrellisTesting",
            dependencies: [
                "TrellisCore", "TrellisServer",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "trellis",
            dependencies: [
                "TrellisCore", "TrellisConfig", "TrellisProviders", "TrellisPlugins", "TrellisRuntime", "TrellisServer",
                "TrellisPostgres",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "trellis-bench",
            dependencies: [
                "TrellisCore", "TrellisProviders", "TrellisPlugins", "TrellisConfig", "TrellisTesting", "TrellisRuntime",
                "TrellisServer", "TrellisPostgres",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "bench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "trellis-fuzz",
            dependencies: ["TrellisCore", "TrellisConfig", "TrellisProviders", "TrellisPlugins"],
            path: "fuzz/Sources",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "jsonq",
            path: "plugins/jsonq",
            exclude: ["plugin.yaml", "README.md"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "embedded-agent",
            dependencies: ["TrellisCore", "TrellisProviders", "TrellisPlugins"],
            path: "Examples/embedded-agent",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrellisCoreTests",
            dependencies: ["TrellisCore", "TrellisTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrellisConfigTests",
            dependencies: ["TrellisConfig", "TrellisCore", "TrellisProviders", "TrellisTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrellisProvidersTests",
            dependencies: ["TrellisProviders", "TrellisCore", "TrellisTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrellisPluginsTests",
            dependencies: ["TrellisPlugins", "TrellisCore", "TrellisConfig", "TrellisTesting", "jsonq"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrellisRuntimeTests",
            dependencies: ["TrellisRuntime", "TrellisProviders", "TrellisCore", "TrellisTesting"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrellisServerTests",
            dependencies: [
                "TrellisServer", "TrellisRuntime", "TrellisConfig", "TrellisCore", "TrellisTesting", "TrellisPlugins",
                "TrellisProviders",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrellisPostgresTests",
            dependencies: [
                "trellis", "TrellisPostgres", "TrellisRuntime", "TrellisCore", "TrellisTesting",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fault-probe",
            dependencies: ["TrellisCore", "TrellisConfig", "TrellisProviders", "TrellisPlugins"],
            path: "Tests/FaultProbe",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrellisFaultTests",
            dependencies: ["trellis", "fault-probe", "TrellisCore", "TrellisTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrellisCLITests",
            dependencies: [
                "trellis", "embedded-agent", "TrellisCore", "TrellisTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
