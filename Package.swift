// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6)
]

let package = Package(
  name: "hotswap",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "hotswap", targets: ["hotswap"]),
    .executable(name: "hotswap-onnx", targets: ["hotswap-onnx"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-http2.git", exact: "1.46.0"),
    .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    .package(url: "https://github.com/LebJe/TOMLKit.git", exact: "0.6.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
    .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
    .package(url: "https://github.com/apple/swift-system.git", exact: "1.8.1"),
  ],
  targets: [
    // MARK: Errors
    // The one shape of an error with a code (`CodedError`, `ErrorCode`): a leaf every module
    // that has such errors can see — OnnxInference and HotswapRouting depend on nothing else of
    // ours, so no existing module sits below all of them.
    .target(name: "CodedErrors", swiftSettings: swiftSettings),

    // MARK: ONNX
    .target(
      name: "OnnxProto",
      dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "OnnxInference",
      dependencies: ["OnnxProto", "CodedErrors"],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "hotswap-onnx",
      dependencies: [
        "OnnxInference", "HotswapJSON",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: swiftSettings
    ),

    // MARK: Benchmark references
    .executableTarget(
      name: "grpc-reference",
      dependencies: [
        "HotswapProtos", "HotswapGRPCStubs",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2TransportServices", package: "grpc-swift-nio-transport"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOHPACK", package: "swift-nio-http2"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      path: "bench/grpc/reference",
      swiftSettings: swiftSettings
    ),

    // MARK: Pure core
    // JSON as the server, the CLI and hotswap-onnx read and write it: a strict parser with
    // limits, an ordered value, a writer straight into bytes.
    .target(name: "HotswapJSON", swiftSettings: swiftSettings),
    // TOML is parsed by our own TOMLDocument: TOMLKit never frees what it parses (a leak per
    // config reload). TOMLKit stays as the tests' reference parser.
    .target(
      name: "HotswapConfig",
      dependencies: [.product(name: "SystemPackage", package: "swift-system")],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HotswapRouting",
      dependencies: ["CodedErrors"],
      swiftSettings: swiftSettings
    ),
    // Loaded models and what runs them: the feature predict path and Open Inference Protocol
    // tensor inference (Inference/: requests, tensor decoding, the runner); the wire codecs
    // stay in HotswapServer.
    .target(
      name: "HotswapCore",
      dependencies: [
        "HotswapConfig", "HotswapRouting", "OnnxInference", "HotswapJSON", "CodedErrors",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),

    // MARK: I/O
    .systemLibrary(
      name: "CInotifyTools",
      pkgConfig: nil,
      providers: [.apt(["libinotifytools0-dev"])]
    ),
    .target(
      name: "HotswapSystem",
      dependencies: [
        "CInotifyTools",
        "CodedErrors",
        "HotswapConfig",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HotswapProtos",
      dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
      swiftSettings: swiftSettings
    ),
    // grpc-swift-2 clients and service protocols for the same services: for the tests and the
    // benchmark's reference server. The server answers gRPC on its own HTTP/2 path (docs/grpc.md).
    .target(
      name: "HotswapGRPCStubs",
      dependencies: [
        "HotswapProtos",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HotswapServer",
      dependencies: [
        "HotswapCore", "HotswapConfig", "HotswapRouting", "OnnxInference", "HotswapProtos", "HotswapJSON",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOHPACK", package: "swift-nio-http2"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "hotswap",
      dependencies: [
        "HotswapServer", "HotswapSystem", "HotswapCore", "HotswapConfig", "HotswapJSON",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings
    ),

    // MARK: Tests
    .testTarget(
      name: "OnnxInferenceTests",
      dependencies: ["OnnxInference", "OnnxProto"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HotswapConfigTests",
      dependencies: [
        "HotswapConfig", .product(name: "TOMLKit", package: "TOMLKit"),
        .product(name: "SystemPackage", package: "swift-system"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(name: "HotswapRoutingTests", dependencies: ["HotswapRouting"], swiftSettings: swiftSettings),
    .testTarget(name: "HotswapSystemTests", dependencies: ["HotswapSystem"], swiftSettings: swiftSettings),
    .testTarget(
      name: "HotswapCoreTests",
      dependencies: ["HotswapCore", "HotswapConfig", "HotswapRouting", "OnnxInference", "HotswapJSON"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HotswapServerTests",
      dependencies: [
        "HotswapServer", "HotswapCore", "HotswapConfig", "HotswapProtos", "HotswapGRPCStubs", "HotswapJSON",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOHPACK", package: "swift-nio-http2"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: [
        "HotswapConfig",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings
    ),
  ]
)
