import HotswapCore
import Logging
import ServiceLifecycle

/// Keeps the shadow mirror in step with every published snapshot (a shadow begins, ends or
/// changes when a saved plan says so), writes its totals and disagreement sample every second
/// when they changed, and at shutdown — after the server has drained, since services stop in
/// reverse order — counts the copies still waiting as dropped and writes the files once more.
struct ShadowService: Service {
  let mirror: ShadowMirror
  let store: SnapshotStore
  let logger: Logger

  func run() async {
    await cancelWhenGracefulShutdown {
      await withDiscardingTaskGroup { group in
        group.addTask {
          for await snapshot in store.changes() {
            mirror.update(snapshot)
          }
        }
        group.addTask {
          while !Task.isCancelled {
            do {
              try await Task.sleep(for: .seconds(1))
            } catch {
              return
            }
            mirror.persist()
          }
        }
      }
    }
    mirror.stop()
  }
}
