/// The `[server]` table: read once at start; a change is reported and applied on restart.
public struct ServerSettings: Sendable, Equatable {
  /// Where to listen (`listen`, default `127.0.0.1:8080`).
  public var listen: ListenAddress
  /// The model's name in `/v2/models/{name}` (`model_name`, default `model`).
  public var modelName: String
  /// The largest accepted HTTP request body (`max_body_bytes`, default 1 MiB).
  public var maxBodyBytes: Int
  /// The largest accepted HTTP header block (`max_header_bytes`, default 16 KiB).
  public var maxHeaderBytes: Int
  /// The largest accepted gRPC message (`max_message_bytes`, default 16 MiB).
  public var maxMessageBytes: Int
  /// The most connections open at once (`max_connections`, default 1024).
  public var maxConnections: Int
  /// The most gRPC calls open at once on one HTTP/2 connection, announced to clients as
  /// SETTINGS_MAX_CONCURRENT_STREAMS (`max_concurrent_streams`, default 100).
  public var maxConcurrentStreams: Int
  /// How long an idle connection stays open (`idle_timeout`, default 60 s).
  public var idleTimeout: Duration
  /// How long one request may take (`request_timeout`, default 30 s).
  public var requestTimeout: Duration
  /// How long shutdown waits for in-flight requests (`drain_timeout`, default 10 s).
  public var drainTimeout: Duration
  /// Where history and guard state are kept (`state_directory`, absolute; default none: nothing is
  /// persisted).
  public var stateDirectory: String?

  /// Creates settings; every parameter defaults to the documented value.
  public init(
    listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 8080),
    modelName: String = "model",
    maxBodyBytes: Int = 1_048_576,
    maxHeaderBytes: Int = 16_384,
    maxMessageBytes: Int = 16_777_216,
    maxConnections: Int = 1024,
    maxConcurrentStreams: Int = 100,
    idleTimeout: Duration = .seconds(60),
    requestTimeout: Duration = .seconds(30),
    drainTimeout: Duration = .seconds(10),
    stateDirectory: String? = nil
  ) {
    self.listen = listen
    self.modelName = modelName
    self.maxBodyBytes = maxBodyBytes
    self.maxHeaderBytes = maxHeaderBytes
    self.maxMessageBytes = maxMessageBytes
    self.maxConnections = maxConnections
    self.maxConcurrentStreams = maxConcurrentStreams
    self.idleTimeout = idleTimeout
    self.requestTimeout = requestTimeout
    self.drainTimeout = drainTimeout
    self.stateDirectory = stateDirectory
  }

  /// The settings used when `[server]` is absent or leaves a key out.
  public static var defaults: ServerSettings { ServerSettings() }
}
