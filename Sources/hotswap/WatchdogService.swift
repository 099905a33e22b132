import HotswapSystem
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Sends WATCHDOG=1 at half systemd's interval, but only after every event loop has run a task:
/// a stalled event loop stops the pings, and systemd restarts the service.
struct WatchdogService: Service {
  let notifier: SystemdNotifier
  let interval: Duration
  let eventLoops: MultiThreadedEventLoopGroup
  let logger: Logger

  func run() async throws {
    let period = interval / 2
    logger.info("systemd watchdog enabled", metadata: ["watchdog.interval": "\(interval)"])
    do {
      try await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
          for loop in eventLoops.makeIterator() {
            try await loop.submit {}.get()
          }
          notifier.watchdog()
          try await Task.sleep(for: period)
        }
      }
    } catch is CancellationError {
      // Shutting down: the pings simply stop, and the group goes on draining.
    }
  }
}
