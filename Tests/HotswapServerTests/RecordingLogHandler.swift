import Logging
import Synchronization

/// Keeps every log message in memory, for tests that check what the server says (tests never
/// bootstrap the global logging system).
final class RecordingLogHandler: LogHandler, Sendable {
  private let recorded = Mutex<[String]>([])

  var messages: [String] { recorded.withLock { $0 } }

  var logger: Logger {
    Logger(label: "hotswap.test", factory: { _ in self })
  }

  var metadata: Logger.Metadata {
    get { [:] }
    set {}  // swift-log's API; the recorder keeps per-call metadata only
  }

  var logLevel: Logger.Level {
    get { .trace }
    set {}  // always records everything
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { nil }
    set {}  // as `metadata`
  }

  func log(event: LogEvent) {
    let text = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    recorded.withLock { $0.append(([event.message.description] + text).joined(separator: " ")) }
  }
}
