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
  let listenDescription: String
  let logger: Logger

  func run() async throws {
    try await withGracefulShutdownHandler {
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          do {
            try await server.run()
          } catch is CancellationError {
            return
          } catch {
            throw ServeError.listenFailed(address: listenDescription, cause: error)
          }
        }
        if let port = await server.listeningPort {
          let startup = ContinuousClock.now - started
          logger.info(
            "listening",
            metadata: [
              "listen.port": "\(port)",
              "startup_ms": "\(FixedPoint.format(startup.milliseconds, decimals: 1))",
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

/// Why `hotswap serve` stopped with an error, in words an operator can act on.
enum ServeError: Error, CustomStringConvertible {
  case listenFailed(address: String, cause: any Error)

  var description: String {
    switch self {
    case .listenFailed(let address, let cause):
      let text = "\(cause)"
      if text.firstRange(of: "Address already in use") != nil || text.firstRange(of: "errno: 98") != nil {
        return
          "cannot listen on \(address): the address is already in use (is another hotswap or nginx running? "
          + "--listen HOST:PORT picks another)"
      }
      if text.firstRange(of: "Permission denied") != nil || text.firstRange(of: "errno: 13") != nil {
        return "cannot listen on \(address): permission denied (ports below 1024 need privileges)"
      }
      return "cannot serve on \(address): \(text)"
    }
  }
}
