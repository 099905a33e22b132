import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HotswapConfig
import HotswapCore
import HotswapServer
import Logging

/// An in-process Hotswap on 127.0.0.1:0 serving the repository's iris models as `blue` (v1.0.0)
/// and `green` (v1.1.0), with the config in a temp directory. `apply(traffic:)` rewrites the
/// file and reconciles it, as the watcher would on save.
final class GRPCTestServer: Sendable {
  /// The repository root, found from this file's path.
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

  let directory: URL
  let configPath: String
  let store: SnapshotStore
  let reconciler: Reconciler
  let environment: ServingEnvironment
  let server: HotswapServer
  let port: Int
  private let serving: Task<Void, any Error>

  private init(
    directory: URL,
    configPath: String,
    store: SnapshotStore,
    reconciler: Reconciler,
    environment: ServingEnvironment,
    server: HotswapServer,
    port: Int,
    serving: Task<Void, any Error>
  ) {
    self.directory = directory
    self.configPath = configPath
    self.store = store
    self.reconciler = reconciler
    self.environment = environment
    self.server = server
    self.port = port
    self.serving = serving
  }

  /// The config text for `traffic` (the body of `[traffic]`) and extra `[server]` lines.
  static func config(traffic: String, server: String = "") -> String {
    let models = repository.appendingPathComponent("models/iris").path
    return """
      [server]
      listen = "127.0.0.1:0"
      model_name = "iris"
      \(server)

      [slots.blue]
      model = "\(models)/v1.0.0/model.onnx"

      [slots.green]
      model = "\(models)/v1.1.0/model.onnx"

      [traffic]
      \(traffic)

      """
  }

  /// Starts a server, runs `body`, and shuts the server down.
  static func with<T: Sendable>(
    traffic: String = "blue = 90\ngreen = 10",
    server serverLines: String = "",
    _ body: (GRPCTestServer) async throws -> T
  ) async throws -> T {
    try await withBinding(.address(host: "127.0.0.1", port: 0), traffic: traffic, server: serverLines, body)
  }

  /// Starts a server on `binding`, runs `body`, and shuts the server down.
  static func withBinding<T: Sendable>(
    _ binding: ListenBinding,
    traffic: String = "blue = 90\ngreen = 10",
    server serverLines: String = "",
    observer: any RequestObserver = DiscardingRequestObserver(),
    _ body: (GRPCTestServer) async throws -> T
  ) async throws -> T {
    let server = try await start(traffic: traffic, server: serverLines, binding: binding, observer: observer)
    do {
      let result = try await body(server)
      await server.stop()
      return result
    } catch {
      await server.stop()
      throw error
    }
  }

  private static func start(
    traffic: String,
    server serverLines: String,
    binding: ListenBinding,
    observer: any RequestObserver
  ) async throws -> GRPCTestServer {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "hotswap-grpc-\(UUID().uuidString)"
    )
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let configPath = directory.appendingPathComponent("active.toml").path
    try config(traffic: traffic, server: serverLines).write(
      toFile: configPath,
      atomically: true,
      encoding: .utf8
    )
    let store = SnapshotStore()
    let state = DeploymentState(configPath: configPath)
    let logger = Logger(label: "grpc-test", factory: { _ in SwiftLogNoOpLogHandler() })
    let reconciler = Reconciler(configPath: configPath, store: store, state: state, logger: logger)
    guard case .applied = await reconciler.reload(.startup), let settings = await reconciler.serverSettings
    else {
      throw FixtureError("the test config was rejected: \(state.value.lastError?.errors ?? [])")
    }
    let environment = ServingEnvironment(store: store, state: state, settings: settings, observer: observer)
    let server = HotswapServer(
      environment: environment,
      binding: binding
    )
    let serving = Task { try await server.run() }
    guard let port = await server.listeningPort else {
      server.beginGracefulShutdown()
      _ = await serving.result
      throw FixtureError("the server did not start listening: \(String(describing: await serving.result))")
    }
    return GRPCTestServer(
      directory: directory,
      configPath: configPath,
      store: store,
      reconciler: reconciler,
      environment: environment,
      server: server,
      port: port,
      serving: serving
    )
  }

  /// Saves a new `[traffic]` body and reconciles it; returns the new generation.
  @discardableResult
  func apply(traffic: String) async throws -> UInt64 {
    try Self.config(traffic: traffic).write(toFile: configPath, atomically: true, encoding: .utf8)
    guard case .applied(let generation, _) = await reconciler.reload(.configChanged) else {
      throw FixtureError("the new traffic was not applied")
    }
    return generation
  }

  /// A gRPC client transport to this server.
  func transport() throws -> HTTP2ClientTransport.Posix {
    try HTTP2ClientTransport.Posix(
      target: .ipv4(address: "127.0.0.1", port: port),
      transportSecurity: .plaintext
    )
  }

  private func stop() async {
    server.beginGracefulShutdown()
    _ = await serving.result
    try? FileManager.default.removeItem(at: directory)
  }
}

/// A fixture failure with its reason.
struct FixtureError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
