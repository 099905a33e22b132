import HotswapCore
import HotswapSystem
import Logging
import ServiceLifecycle
import UnixSignals

/// Applies every change: inotify events on the config directory and model files, and SIGHUP.
/// Requests never wait for it.
///
/// Events are handed to the reconciler as they arrive (``Reconciler/submit(_:)``), and one task
/// applies them: an event that arrives while a pass runs is merged into the next pass, and a
/// pass busy loading models gives way to a newer change before it publishes. So a save is
/// applied as soon as it is seen — a second save right after the first waits for nothing but the
/// first pass — and a burst of saves during a model load costs one more pass, not one per save.
struct ReloadService: Service {
  let reconciler: Reconciler
  let watcher: ConfigWatcher
  let store: SnapshotStore
  let notifier: SystemdNotifier?
  let logger: Logger

  func run() async {
    let hangups = await UnixSignalsSequence(trapping: .sighup)
    let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    await cancelWhenGracefulShutdown {
      await withDiscardingTaskGroup { group in
        group.addTask {
          for await event in watcher.events {
            switch event {
            case .configChanged: reconciler.submit(.configChanged)
            case .modelChanged(let path): reconciler.submit(.modelChanged(path: path))
            }
            wake.yield()
          }
          wake.finish()
        }
        group.addTask {
          for await _ in wakes {
            await applied(reconciler.applyPending())
          }
        }
        group.addTask {
          for await _ in hangups {
            logger.info("SIGHUP: re-reading the config file")
            notifier?.reloading(status: "re-reading the config file")
            await applied(reconciler.reload(.signal))
            notifier?.ready(status: statusLine(store))
          }
        }
      }
    }
  }

  private func applied(_ outcome: Reconciler.Outcome) async {
    watcher.setModelPaths(await reconciler.watchedModelPaths)
    if case .applied = outcome {
      notifier?.status(statusLine(store))
    }
  }
}
