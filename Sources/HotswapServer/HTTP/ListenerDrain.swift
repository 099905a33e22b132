import NIOCore
import Synchronization

/// Keeps the listening socket open until every connection it has accepted is set up.
///
/// NIO's accept handler sets an accepted connection up on that connection's event loop and then
/// checks, back on the listener's loop, that the listener is still open; if it has closed in the
/// meantime, the connection is closed unread and its client, whose request is already sent, sees
/// a reset. On shutdown the listener closes while other loops may be setting connections up, so
/// a few requests under load would fail. `ListenerDrain` stops accepting at once (auto-read off)
/// but lets the close through only when no accepted connection is still being set up; the rest
/// of the backlog stays in the kernel — for the next process on an inherited socket.
final class ListenerDrain: Sendable {
  private struct State {
    var settingUp: Set<ObjectIdentifier> = []
    var draining = false
    var closeWhenSettled: (@Sendable () -> Void)?
  }

  private let state = Mutex(State())
  /// How long the close waits at most for connections being set up.
  static let settleLimit = TimeAmount.seconds(1)

  /// True once the listener has been asked to close: connections that become active now are
  /// served one request (or their RPCs) and closed, like every connection open at shutdown.
  var isDraining: Bool { state.withLock { $0.draining } }

  /// Number of accepted connections not yet active or closed.
  var settingUpCount: Int { state.withLock { $0.settingUp.count } }

  /// The listener accepted `channel`; its setup has begun.
  func accepted(_ channel: any Channel) {
    let id = ObjectIdentifier(channel)
    state.withLock { _ = $0.settingUp.insert(id) }
    channel.closeFuture.whenComplete { _ in self.settled(id) }
  }

  /// `channel` is active (or closed): closing the listener can no longer drop it.
  func settled(_ channel: any Channel) {
    settled(ObjectIdentifier(channel))
  }

  private func settled(_ id: ObjectIdentifier) {
    let close: (@Sendable () -> Void)? = state.withLock { state in
      guard state.settingUp.remove(id) != nil, state.settingUp.isEmpty else { return nil }
      defer { state.closeWhenSettled = nil }
      return state.closeWhenSettled
    }
    close?()
  }

  /// Marks the server draining and runs `close` once no connection is being set up (now, if none
  /// is).
  fileprivate func closeWhenSettled(_ close: @escaping @Sendable () -> Void) {
    let now: Bool = state.withLock { state in
      state.draining = true
      guard !state.settingUp.isEmpty else { return true }
      state.closeWhenSettled = close
      return false
    }
    if now { close() }
  }

  /// Runs the waiting close now (the settle limit ran out).
  fileprivate func forceClose() {
    let close = state.withLock { state in
      defer { state.closeWhenSettled = nil }
      return state.closeWhenSettled
    }
    close?()
  }

  /// The handler for the listening channel; add it in the server channel initializer, so it sits
  /// before NIO's accept handler.
  func makeHandler() -> Handler { Handler(drain: self) }

  /// Notes each accepted connection and defers the listener's close (see `ListenerDrain`).
  final class Handler: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never

    private let drain: ListenerDrain
    private var closePromises: [EventLoopPromise<Void>] = []
    private var closing = false

    fileprivate init(drain: ListenerDrain) {
      self.drain = drain
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      drain.accepted(unwrapInboundIn(data))
      context.fireChannelRead(data)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
      guard mode == .all else {
        context.close(mode: mode, promise: promise)
        return
      }
      if let promise { closePromises.append(promise) }
      guard !closing else { return }
      closing = true
      // Accept nothing more; connections already in the kernel's queue stay there.
      try? context.channel.syncOptions?.setOption(.autoRead, value: false)
      let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      let loop = context.eventLoop
      let finish: @Sendable () -> Void = {
        loop.execute {
          let (handler, context) = bound.value
          handler.closeNow(context: context)
        }
      }
      drain.closeWhenSettled(finish)
      // Does nothing if the close already went through.
      loop.scheduleTask(in: ListenerDrain.settleLimit) { [drain] in drain.forceClose() }
    }

    private func closeNow(context: ChannelHandlerContext) {
      let promises = closePromises
      closePromises = []
      let closed = context.eventLoop.makePromise(of: Void.self)
      context.close(mode: .all, promise: closed)
      closed.futureResult.assumeIsolated().whenComplete { result in
        for promise in promises { promise.completeWith(result) }
      }
    }
  }
}
