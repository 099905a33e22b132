import HotswapCore
import HotswapSystem
import Logging
import ServiceLifecycle
import UnixSignals

/// Applies every change: inotify events on the config directory and model files, and SIGHUP.
/// One reload at a time (the reconciler is an actor); requests never wait for it.
struct ReloadService: Service {
  let reconciler: Reconciler
  let watcher: ConfigWatcher
  let store: SnapshotStore
  let notifier: SystemdNotifier?
  let logger: Logger

  func run() async {
    let hangups = await UnixSignalsSequence(trapping: .sighup)
    await cancelWhenGracefulShutdown {
      await withDiscardingTaskGroup { group in
        group.addTask {
          for await event in watcher.events {
            switch event {
            case .configChanged: await apply(.configChanged)
            case .modelChanged(let path): await apply(.modelChanged(path: path))
            }
          }
        }
        group.addTask {
          for await _ in hangups {
            logger.info("SIGHUP: re-reading the config file")
            notifier?.reloading(status: "re-reading the config file")
            await apply(.signal)
            notifier?.ready(status: statusLine(store))
          }
        }
      }
    }
  }

  private func apply(_ trigger: Reconciler.Trigger) async {
    let outcome = await reconciler.reload(trigger)
    watcher.setModelPaths(await reconciler.watchedModelPaths)
    if case .applied = outcome {
      notifier?.status(statusLine(store))
    }
  }
}
