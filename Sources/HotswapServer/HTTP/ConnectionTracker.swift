import NIOCore
import Synchronization

/// Every open connection, so that shutdown can tell each one to drain (NIO's
/// `ChannelShouldQuiesceEvent`: REST answers the request in flight with `Connection: close`,
/// HTTP/2 sends GOAWAY and finishes its calls) and wait until all have closed.
final class ConnectionTracker: Sendable {
  private struct State {
    var channels: [ObjectIdentifier: any Channel] = [:]
    var quiescing = false
    var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    var nextWaiter = 0
  }

  private let state = Mutex(State())

  init() {}

  /// Tracks `channel` until it closes; if the server is already draining, tells it to drain.
  func add(_ channel: any Channel) {
    let id = ObjectIdentifier(channel)
    let quiescing = state.withLock { state in
      state.channels[id] = channel
      return state.quiescing
    }
    channel.closeFuture.whenComplete { _ in self.remove(id) }
    if quiescing { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
  }

  private func remove(_ id: ObjectIdentifier) {
    let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
      state.channels[id] = nil
      guard state.channels.isEmpty else { return [] }
      defer { state.waiters = [:] }
      return Array(state.waiters.values)
    }
    for waiter in waiters { waiter.resume() }
  }

  /// Tells every open connection (and every one added from now on) to drain.
  func quiesceAll() {
    let channels = state.withLock { state in
      state.quiescing = true
      return Array(state.channels.values)
    }
    for channel in channels { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
  }

  /// Connections open now.
  var count: Int { state.withLock { $0.channels.count } }

  /// Returns once no connection is open, or when the calling task is cancelled (the drain
  /// timeout ran out: what is still open closes with the process).
  func waitUntilEmpty() async {
    let id = state.withLock { state in
      defer { state.nextWaiter += 1 }
      return state.nextWaiter
    }
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let now = state.withLock { state in
          if state.channels.isEmpty || Task.isCancelled { return true }
          state.waiters[id] = continuation
          return false
        }
        if now { continuation.resume() }
      }
    } onCancel: {
      let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
      waiter?.resume()
    }
  }
}
