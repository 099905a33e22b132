import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix

/// Adds the gRPC handlers to a connection the sniffer decided is HTTP/2: swift-nio-http2's
/// connection handler (framing, HPACK, flow control, and its protections against frame floods:
/// rapid reset, CONTINUATION, SETTINGS, PING, empty DATA), the settings announcement, and
/// `GRPCConnectionHandler`, which answers the calls.
struct HTTP2Pipeline: Sendable {
  let shared: GRPCConnectionHandler.Shared
  /// SETTINGS_MAX_HEADER_LIST_SIZE (`max_header_bytes`).
  let maxHeaderListSize: Int

  /// Per-stream inbound window: large enough that a big ModelInfer streams in without waiting on
  /// window updates for every 64 KiB.
  static let streamWindow = 1 << 20
  /// Connection inbound window.
  static let connectionWindow = 4 << 20

  init(
    services: GRPCServices,
    environment: ServingEnvironment,
    threadPool: NIOThreadPool,
    maxHeaderListSize: Int
  ) {
    let settings = environment.settings
    shared = GRPCConnectionHandler.Shared(
      services: services,
      environment: environment,
      threadPool: threadPool,
      configuration: GRPCConnectionStateMachine.Configuration(
        maxConcurrentStreams: min(settings.maxConcurrentStreams, Int(Int32.max)),
        maxMessageBytes: settings.maxMessageBytes,
        maxBufferedBytes: Self.bufferLimit(maxMessageBytes: settings.maxMessageBytes),
        requestTimeout: settings.requestTimeout,
        idleTimeout: settings.idleTimeout
      ),
      streamWindow: Self.streamWindow,
      connectionWindow: Self.connectionWindow
    )
    self.maxHeaderListSize = maxHeaderListSize
  }

  /// Request bytes one connection's unfinished calls may hold together: two of the largest
  /// messages (plus their prefixes), so one full-size call always fits beside another.
  static func bufferLimit(maxMessageBytes: Int) -> Int {
    let (doubled, overflow) = (maxMessageBytes + 5).multipliedReportingOverflow(by: 2)
    return overflow ? Int.max : doubled
  }

  func configure(_ channel: any Channel) throws {
    let announced = shared.configuration.maxConcurrentStreams
    var connection = NIOHTTP2Handler.ConnectionConfiguration()
    connection.initialSettings = [
      // swift-nio-http2 enforces this limit with a connection error; ours (announced) is lower and
      // refuses single streams (AnnouncedStreamLimit).
      HTTP2Setting(
        parameter: .maxConcurrentStreams,
        value: Int(min(UInt64(announced) * 2 + 16, UInt64(Int32.max)))
      ),
      HTTP2Setting(parameter: .maxHeaderListSize, value: maxHeaderListSize),
      HTTP2Setting(parameter: .initialWindowSize, value: Self.streamWindow),
    ]
    let errors = ConnectionErrorWatcher()
    let operations = channel.pipeline.syncOperations
    try operations.addHandler(AnnouncedStreamLimit(announced: announced))
    try operations.addHandler(
      NIOHTTP2Handler(mode: .server, frameDelegate: errors, connectionConfiguration: connection)
    )
    try operations.addHandler(GRPCConnectionHandler(shared: shared, connectionErrors: errors))
  }
}
