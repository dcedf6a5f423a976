// swift-tools-version: 6.1
import PackageDescription

// Layers, each importing only the ones before it:
//   CascadeFormula (the language; depends on nothing)
//   → CascadeJSON (strict JSON values with paths and positions)
//   → CascadeStore (SQLite / PostgreSQL, migrations, the formula registry)
//   → CascadeEngine (graph, propagation, cache, the run queue's worker)
//   → CascadeServer (the HTTP API: Hummingbird, API keys with swift-crypto)
//   → CascadeCLI (the `cascade` command) → cascade (main.swift)
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Cascade",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cascade", targets: ["cascade"]),
        .library(name: "CascadeFormula", targets: ["CascadeFormula"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The HTTP API. Hummingbird's default traits pull in swift-configuration and full
        // Foundation support, which the server does not use.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Already in the graph through Hummingbird; named because the server imports them directly
        // (its connection guard works on NIOHTTPTypes' request parts, its logs go through swift-log).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // GET /metrics in Prometheus' text format (small: swift-metrics' CoreMetrics and swift-atomics,
        // both already in the graph).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The HTTP client of the API tests and the load test (Hummingbird's own testing library uses it too).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // The formula language: lexer, parser, checker, compiler, evaluator, diagnostics.
        .target(
            name: "CascadeFormula",
            swiftSettings: strict + [
                // Registers live in unsafe buffers; dynamic exclusivity checks only cost time there.
                // LLVM's function merging is off because it folded the old closure compiler's
                // per-operation closures (which differed only in the arithmetic they inlined) into one
                // that called through a pointer. Those closures are gone (the register program is the
                // only evaluator); whether the flag still matters has not been measured since.
                .unsafeFlags(["-enforce-exclusivity=unchecked", "-Xfrontend", "-disable-llvm-merge-functions-pass"],
                             .when(configuration: .release)),
            ]
        ),
        .target(name: "CascadeJSON", dependencies: ["CascadeFormula"], swiftSettings: strict),

        // System libraries (Debian: libsqlite3-dev, libpq-dev, libxxhash-dev, libedit-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),

        .target(
            name: "CascadeStore",
            dependencies: ["CascadeFormula", "CascadeJSON", "CSQLite", "CLibPQ", "CXXHash"],
            swiftSettings: strict
        ),
        .target(
            name: "CascadeEngine",
            dependencies: ["CascadeFormula", "CascadeJSON", "CascadeStore", "CXXHash"],
            swiftSettings: strict + [
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
            ]
        ),
        .target(
            name: "CascadeServer",
            dependencies: [
                "CascadeFormula", "CascadeJSON", "CascadeStore", "CascadeEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CascadeCLI",
            dependencies: [
                "CascadeFormula", "CascadeJSON", "CascadeStore", "CascadeEngine", "CascadeServer", "CEditLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "cascade", dependencies: ["CascadeCLI"], swiftSettings: strict),

        // libFuzzer driver: see Fuzz/README.md. Without -DFUZZING it replays files, so it always builds.
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "cascade-fuzz",
            dependencies: ["CascadeFormula", "CFuzzDriver"],
            path: "Sources/CascadeFuzz",
            swiftSettings: strict
        ),

        // Speed benchmark (release builds only): see Benchmarks/README.md.
        .executableTarget(
            name: "cascade-bench",
            dependencies: ["CascadeFormula", "CascadeJSON"],
            path: "Benchmarks/FormulaBench",
            swiftSettings: strict + [
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
            ]
        ),

        // Store import/load benchmark (release builds only): see Benchmarks/StoreBench/main.swift.
        .executableTarget(
            name: "cascade-store-bench",
            dependencies: ["CascadeStore"],
            path: "Benchmarks/StoreBench",
            swiftSettings: strict
        ),

        // Engine benchmark at scale (release builds only): see Benchmarks/README.md.
        .executableTarget(
            name: "cascade-engine-bench",
            dependencies: ["CascadeEngine", "CascadeStore", "CascadeJSON"],
            path: "Benchmarks/EngineBench",
            swiftSettings: strict + [
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
            ]
        ),

        // HTTP load test (release builds only): see Benchmarks/README.md.
        .executableTarget(
            name: "cascade-load",
            dependencies: [
                "CascadeJSON", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/LoadTest",
            swiftSettings: strict
        ),

        // Shared by the test targets: fresh SQLite / PostgreSQL stores, running the built executables.
        .target(name: "CascadeTestSupport", dependencies: ["CascadeStore", "CascadeJSON"], path: "Tests/CascadeTestSupport",
                swiftSettings: strict),

        .testTarget(name: "CascadeFormulaTests", dependencies: ["CascadeFormula", "CascadeJSON"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "CascadeJSONTests", dependencies: ["CascadeJSON"], swiftSettings: strict),
        .testTarget(name: "CascadeEngineTests", dependencies: ["CascadeEngine", "CascadeFormula", "CascadeJSON", "CascadeStore", "CascadeTestSupport"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "CascadeStoreTests", dependencies: ["CascadeStore", "CascadeFormula", "CascadeJSON", "CascadeTestSupport", "CSQLite"], swiftSettings: strict),
        .testTarget(name: "CascadeServerTests", dependencies: [
            "CascadeServer", "CascadeStore", "CascadeEngine", "CascadeJSON", "CascadeTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .testTarget(name: "CascadeCLITests", dependencies: ["CascadeCLI", "CascadeEngine", "CascadeFormula", "CascadeJSON", "CascadeStore", "CascadeTestSupport"], exclude: ["Transcripts", "Browser"],
                    swiftSettings: strict),
    ]
)
