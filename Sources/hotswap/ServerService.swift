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
          } catch let error as ListenError {
            throw ServeError.listenFailed(error)
          } catch {
            throw ServeError.serveFailed(address: listenDescription, cause: error)
          }
        }
        if let address = await server.listeningAddress {
          let startup = ContinuousClock.now - started
          logger.info(
            "listening",
            metadata: [
              "listen.address": "\(BoundAddress.describe(address))", "listen.port": "\(address.port ?? 0)",
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
  /// The port could not be bound: the failing call, its errno, and a hint where one helps.
  case listenFailed(ListenError)
  /// Serving stopped for another reason.
  case serveFailed(address: String, cause: any Error)

  var description: String {
    switch self {
    case .listenFailed(let error):
      return error.description
    case .serveFailed(let address, let cause):
      return "cannot serve on \(address): \(cause)"
    }
  }
}
