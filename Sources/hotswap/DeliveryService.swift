import HotswapCore
import Logging
import ServiceLifecycle

/// Runs the guard and the stepped rollout: every `interval` the reconciler re-evaluates them and
/// republishes the split when a canary trips or a step is due; each trip and step is marked in
/// the status page's `history` as it happens. Stops at graceful shutdown.
struct DeliveryService: Service {
  let reconciler: Reconciler
  let interval: Duration
  let history: ChartHistory?
  let logger: Logger

  func run() async {
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        let now = DeliveryInstant.now
        let events = await reconciler.reevaluate(now: now)
        for event in events { history?.record(event, at: now.wall) }
        do {
          try await Task.sleep(for: interval)
        } catch {
          return
        }
      }
    }
  }
}
