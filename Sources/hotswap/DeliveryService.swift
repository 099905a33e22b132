import HotswapCore
import Logging
import ServiceLifecycle

/// Runs the guard and the stepped rollout: every `interval` the reconciler re-evaluates them and
/// republishes the split when a canary trips or a step is due. Stops at graceful shutdown.
struct DeliveryService: Service {
  let reconciler: Reconciler
  let interval: Duration
  let logger: Logger

  func run() async {
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        await reconciler.reevaluate(now: .now)
        do {
          try await Task.sleep(for: interval)
        } catch {
          return
        }
      }
    }
  }
}
