import FoundationEssentials
import HotswapConfig
import HotswapCore

/// Everything a request handler needs, shared by REST and gRPC: the snapshot store, the
/// deployment state, the limits and the server's identity. Immutable; the snapshot inside the
/// store is what changes.
public struct ServingEnvironment: Sendable {
  /// The current snapshot.
  public let store: SnapshotStore
  /// Applied and rejected changes.
  public let state: DeploymentState
  /// Limits and names from `[server]` as they were at start.
  public let settings: ServerSettings
  /// When the process started serving.
  public let startedAt: Date
  /// The server's own version, reported by `/v2` and `/status`.
  public let serverVersion: String
  /// Told of every served request (metrics, guard, status page).
  public let observer: any RequestObserver
  /// Fired when the server begins its graceful shutdown.
  public let shutdown: ShutdownSignal
  /// The address the server really listens on, once bound (`/status`, the startup log).
  public let boundAddress: BoundAddress
  /// Open and refused connections (`/metrics`).
  public let connections: ConnectionCounters
  /// Where prediction paths hand what they served (prediction log, shadow mirror).
  public let predictions: PredictionTap

  /// Creates an environment.
  public init(
    store: SnapshotStore,
    state: DeploymentState,
    settings: ServerSettings,
    startedAt: Date = Date(),
    serverVersion: String = HotswapVersion.current,
    observer: any RequestObserver = DiscardingRequestObserver(),
    shutdown: ShutdownSignal = ShutdownSignal(),
    boundAddress: BoundAddress = BoundAddress(),
    connections: ConnectionCounters = ConnectionCounters(),
    predictions: PredictionTap = PredictionTap()
  ) {
    self.store = store
    self.state = state
    self.settings = settings
    self.startedAt = startedAt
    self.serverVersion = serverVersion
    self.observer = observer
    self.shutdown = shutdown
    self.boundAddress = boundAddress
    self.connections = connections
    self.predictions = predictions
  }

  /// The model's name in `/v2/models/{name}`.
  public var modelName: String { settings.modelName }
}
