import Foundation
import HotswapConfig
import HotswapCore
import Logging
import Synchronization

/// A config file in a temporary directory serving the repository's iris models, with a reconciler,
/// request statistics and a guard/rollout controller whose state directory survives a "restart"
/// (a new `GuardTestDeployment.Server` over the same directory). Clocks are injected.
final class GuardTestDeployment: Sendable {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()
  static let blueModel = repository.appendingPathComponent("models/iris/v1.0.0/model.onnx").path
  static let greenModel = repository.appendingPathComponent("models/iris/v1.1.0/model.onnx").path

  let directory: String
  let configPath: String
  let stateDirectory: String
  /// Whole seconds on the wall clock: persisted times keep milliseconds, so a resumed step due at
  /// exactly `origin + n s` is due at the same instant after a restart.
  let origin = DeliveryInstant(
    wall: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)),
    uptime: .now
  )

  init() throws {
    directory = NSTemporaryDirectory() + "hotswap-guard-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    configPath = directory + "/active.toml"
    stateDirectory = directory + "/state"
  }

  deinit {
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// Writes the config: blue and green iris slots, `traffic` and extra tables verbatim.
  func write(traffic: String, extra: String) throws {
    let text = """
      [slots.blue]
      model = "\(Self.blueModel)"
      [slots.green]
      model = "\(Self.greenModel)"
      [traffic]
      \(traffic)
      \(extra)
      """
    try text.write(toFile: configPath, atomically: true, encoding: .utf8)
  }

  /// One running server: what `hotswap serve` assembles, minus the network.
  struct Server {
    let store: SnapshotStore
    let statistics: RequestStatistics
    let shadow: ShadowStatistics
    let delivery: DeliveryController
    let reconciler: Reconciler
    let audit: AuditTrail
  }

  /// Starts a server over the config and the state directory (a restart when called again).
  func start(at now: DeliveryInstant? = nil) async throws -> Server {
    let statistics = RequestStatistics(origin: origin.uptime)
    let shadow = ShadowStatistics(origin: origin.uptime)
    let delivery = DeliveryController(
      statistics: statistics,
      recordFile: try DeliveryRecordFile(directory: stateDirectory),
      shadowStatistics: shadow
    )
    let audit = try AuditTrail(directory: stateDirectory)
    let store = SnapshotStore()
    let reconciler = Reconciler(
      configPath: configPath,
      store: store,
      state: DeploymentState(configPath: configPath),
      audit: audit,
      delivery: delivery,
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    )
    let server = Server(
      store: store,
      statistics: statistics,
      shadow: shadow,
      delivery: delivery,
      reconciler: reconciler,
      audit: audit
    )
    _ = await reconciler.reload(.startup, now: now ?? origin)
    return server
  }

  /// `count` requests on `slot` at `at`, `failing` of them server errors.
  static func serve(
    _ server: Server,
    slot: String,
    count: Int,
    failing: Int,
    latency: Duration = .microseconds(80),
    at: DeliveryInstant
  ) {
    for index in 0..<count {
      server.statistics.record(
        RequestObservation(
          slot: slot,
          version: "v",
          wireProtocol: .rest,
          endpoint: "predict",
          outcome: index < failing ? .serverError : .success,
          duration: latency
        ),
        at: at.uptime
      )
    }
  }
}

extension GuardTestDeployment {
  /// `count` predictions compared by the shadow at `at`, `disagreeing` of them disagreeing.
  static func shadow(_ server: Server, count: Int, disagreeing: Int, at: DeliveryInstant) {
    for index in 0..<count {
      server.shadow.recordCompared(
        [PredictionComparison(agrees: index >= disagreeing, difference: index < disagreeing ? 0.6 : 0.01)],
        shadow: .microseconds(300),
        live: .microseconds(80),
        at: at.uptime
      )
    }
  }
}

extension GuardTestDeployment.Server {
  /// The served share of `slot` in percent, rounded to 0.01.
  func percent(_ slot: String) -> Double {
    let share = store.snapshot?.slot(named: slot)?.share ?? -1
    return (share * 10_000).rounded() / 100
  }
}
