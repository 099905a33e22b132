import HotswapCore
import HotswapServer
import HotswapSystem
import Logging
import ServiceLifecycle

/// Runs the one-port server; tells systemd READY=1 once it listens and STOPPING=1 when draining.
struct ServerService: Service {
  let server: HotswapServer
  let notifier: SystemdNotifier?
  let store: SnapshotStore
  let started: ContinuousClock.Instant
  let logger: Logger

  func run() async throws {
    try await withGracefulShutdownHandler {
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        if let port = await server.listeningPort {
          let startup = ContinuousClock.now - started
          logger.info(
            "listening",
            metadata: [
              "listen.port": "\(port)", "startup_ms": "\(milliseconds(startup))",
              "plan.generation": "\(store.snapshot?.generation ?? 0)",
            ]
          )
          notifier?.ready(status: statusLine(store))
        }
        try await group.next()
        group.cancelAll()
      }
    } onGracefulShutdown: {
      logger.info("shutting down: no new connections; finishing requests in flight")
      notifier?.stopping(status: "draining")
      server.beginGracefulShutdown()
    }
  }
}

/// `generation 3: blue=90% green=10%`, for systemd's STATUS= and logs.
func statusLine(_ store: SnapshotStore) -> String {
  guard let snapshot = store.snapshot else { return "no plan served" }
  let shares = snapshot.slots.map { "\($0.name)=\(Int(($0.share * 100).rounded()))% (\($0.version))" }
  return "generation \(snapshot.generation): " + shares.joined(separator: " ")
}

func milliseconds(_ duration: Duration) -> String {
  let (seconds, attoseconds) = duration.components
  let value = Double(seconds) * 1000 + Double(attoseconds) / 1e15
  return String(format: "%.1f", value)
}
