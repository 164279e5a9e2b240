// swift-tools-version: 6.1
// mlgym: MLGym (a Gym environment and benchmark for AI research agents) as a Docker-less Linux service.
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "mlgym",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mlgymctl", targets: ["mlgymctl"]),
        .executable(name: "mlgymctl-full", targets: ["mlgymctl-full"]),
        .executable(name: "mlgymd", targets: ["mlgymd"]),
        .executable(name: "mlgym-sandbox", targets: ["mlgym-sandbox"]),
        .executable(name: "mlgym-init", targets: ["mlgym-init"]),
        .executable(name: "mlgym-probe", targets: ["mlgym-probe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries, found with pkg-config.
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),

        // The message format between mlgymd and mlgym-init.
        .target(name: "CInitProtocol"),
        // Everything between clone() and execve() of a sandbox: raw syscalls only (see include/mlgym_sandbox.h).
        .target(
            name: "CSandbox",
            dependencies: ["CSeccomp", "CCap", "CInitProtocol"],
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter", "-Wno-missing-field-initializers"])]
        ),
        // pid 1 inside every sandbox; static so it runs in any root filesystem.
        .executableTarget(
            name: "mlgym-init",
            dependencies: ["CInitProtocol"],
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Werror"])],
            linkerSettings: [.unsafeFlags(["-static-executable"])]
        ),
        // Escape probes the tests run inside sandboxes; refuses to run as root.
        .executableTarget(
            name: "mlgym-probe",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Werror"])],
            linkerSettings: [.unsafeFlags(["-static-executable"])]
        ),

        .target(name: "MLGymCore", swiftSettings: strictSwift),
        // JSON, HTTP over a Unix socket, files and processes over libc, without Foundation: what the static tool
        // binary and mlgymctl's fast path are built from.
        .target(name: "MLGymToolSupport", swiftSettings: strictSwift),
        // SHA-256 of files for the snapshot store, with libcrypto (kept out of CSandbox's set-up path).
        .target(
            name: "CContentHash", cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-Werror"])],
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .target(name: "MLGymSandbox", dependencies: ["MLGymCore", "MLGymToolSupport", "CSandbox", "CContentHash"], swiftSettings: strictSwift),
        .target(name: "MLGymScore", dependencies: ["MLGymCore"], swiftSettings: strictSwift),
        // The daemon's SQLite database: schema, migrations, queries; the only place SQL lives.
        .target(name: "MLGymStore", dependencies: ["MLGymCore", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strictSwift),
        // Wire types of the control API, shared by the daemon and the client.
        .target(name: "MLGymAPI", dependencies: ["MLGymCore", "MLGymToolSupport"], swiftSettings: strictSwift),
        // The daemon: HTTP on the Unix socket, sessions, attach, systemd integration.
        .target(
            name: "MLGymServer",
            dependencies: [
                "MLGymAPI", "MLGymCore", "MLGymSandbox", "MLGymStore", "MLGymTasks", "MLGymScore", "MLGymAgent", "MLGymACI", "MLGymTools", "MLGymServices", "CSandbox",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        // libcurl's variadic calls, wrapped for Swift.
        .target(name: "CCurlShim", linkerSettings: [.linkedLibrary("curl")]),
        // Outbound HTTP with libcurl (dataset hub, model providers, literature services): one client for all.
        .target(name: "MLGymHTTP", dependencies: ["MLGymCore", "CCurlShim"], swiftSettings: strictSwift),
        // MLGym's agent-computer interface as it runs inside a sandbox (file viewer, editor, search), as the agent.
        .target(name: "MLGymACI", dependencies: ["MLGymToolSupport"], swiftSettings: strictSwift),
        // The agent: model providers, action parser, history processor, prompts, costs and the agent loop.
        .target(name: "MLGymAgent", dependencies: ["MLGymCore", "MLGymHTTP", .product(name: "Yams", package: "Yams")], swiftSettings: strictSwift),
        // Research services of mlgymd: the memory (embeddings, hybrid retrieval), literature search, PDF text.
        .target(name: "MLGymServices", dependencies: ["MLGymCore", "MLGymStore", "MLGymHTTP", "MLGymSandbox"], swiftSettings: strictSwift),
        // Benchmark tasks in MLGym's format: task and dataset files, the registry, the dataset cache, evaluation.
        .target(
            name: "MLGymTasks",
            dependencies: ["MLGymCore", "MLGymSandbox", "MLGymHTTP", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSwift
        ),
        // The API client (HTTP over the Unix socket with MLGymToolSupport's client; NIOWebSocket for attach), used by
        // mlgymctl-full and the tests.
        .target(
            name: "MLGymClient",
            dependencies: [
                "MLGymAPI", "MLGymCore", "MLGymToolSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "mlgymd",
            dependencies: ["MLGymServer", "MLGymAPI", "MLGymCore", "MLGymAgent", "MLGymServices", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSwift
        ),
        // Campaigns: the campaign file, result bundles, the Slurm job array, the budget split over nodes.
        .target(
            name: "MLGymCampaign",
            dependencies: ["MLGymCore", "MLGymAPI", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSwift
        ),
        .target(
            name: "MLGymCommands",
            dependencies: ["MLGymCore", "MLGymScore", "MLGymAPI", "MLGymClient", "MLGymAgent", "MLGymWebUI", "MLGymToolSupport", "MLGymCampaign", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSwift
        ),
        // `mlgymctl ui`: the web view (page, script, style built in) and its loopback gate and proxy to mlgymd.
        .target(name: "MLGymWebUI", dependencies: ["MLGymToolSupport"], swiftSettings: strictSwift),
        // The agent's in-sandbox commands and mlgymctl's fast path, without Foundation.
        .target(name: "MLGymTools", dependencies: ["MLGymACI", "MLGymToolSupport"], swiftSettings: strictSwift),
        // The light mlgymctl: static, so it runs in any root filesystem (it is the in-sandbox tool binary too).
        .executableTarget(
            name: "mlgymctl", dependencies: ["MLGymTools"], swiftSettings: strictSwift,
            linkerSettings: [
                .unsafeFlags(["-static-executable"]),
                // Symbols are most of a static binary's size; a release build is copied into every sandbox.
                .unsafeFlags(["-Xlinker", "--strip-all", "-Xlinker", "--gc-sections"], .when(configuration: .release)),
            ]
        ),
        .executableTarget(name: "mlgymctl-full", dependencies: ["MLGymCommands"], swiftSettings: strictSwift),
        .executableTarget(
            name: "mlgym-sandbox",
            dependencies: ["MLGymSandbox", "MLGymCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSwift
        ),

        .target(name: "MLGymTestSupport", dependencies: ["MLGymSandbox", "CSandbox"], path: "Tests/MLGymTestSupport", swiftSettings: strictSwift),
        .testTarget(name: "MLGymSandboxTests", dependencies: ["MLGymSandbox", "MLGymCore", "MLGymTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "MLGymScoreTests", dependencies: ["MLGymScore", "MLGymCore"], resources: [.copy("Fixtures")], swiftSettings: strictSwift),
        .testTarget(name: "MLGymTasksTests", dependencies: ["MLGymTasks", "MLGymSandbox", "MLGymCore", "MLGymTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "MLGymACITests", dependencies: ["MLGymACI"], swiftSettings: strictSwift),
        .testTarget(name: "MLGymToolSupportTests", dependencies: ["MLGymToolSupport"], swiftSettings: strictSwift),
        .testTarget(name: "MLGymAgentTests", dependencies: ["MLGymAgent", "MLGymACI", "MLGymCore", "MLGymTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "MLGymServicesTests", dependencies: ["MLGymServices", "MLGymStore", "MLGymCore", "MLGymTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "MLGymStoreTests", dependencies: ["MLGymStore", "MLGymCore"], swiftSettings: strictSwift),
        .testTarget(
            name: "MLGymServerTests",
            dependencies: ["MLGymServer", "MLGymClient", "MLGymAPI", "MLGymCommands", "MLGymSandbox", "MLGymCore", "CSandbox", "MLGymTestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "MLGymCommandsTests", dependencies: ["MLGymCommands", "MLGymScore", "MLGymCore", "MLGymTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "MLGymCampaignTests", dependencies: ["MLGymCampaign", "MLGymAPI", "MLGymCore", "MLGymTestSupport"], swiftSettings: strictSwift),
    ]
)
