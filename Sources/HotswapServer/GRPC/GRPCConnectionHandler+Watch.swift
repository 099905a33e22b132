import HotswapCore
import HotswapProtos
import NIOCore
import NIOHTTP2

extension GRPCConnectionHandler {
  /// `grpc.health.v1.Health/Watch`: the current status at once, then each change as snapshots
  /// are published, from a task that follows the snapshot store and hops to the event loop to
  /// write. The call ends when the client cancels (the stream closes), when its `grpc-timeout`
  /// passes, or when the server shuts down: then every watch says NOT_SERVING and ends with OK,
  /// the health protocol's goodbye, so clients look for another server and the drain does not
  /// wait on them.
  func startWatch(_ service: String, on stream: HTTP2StreamID, context: ChannelHandlerContext) {
    machine.startedStreaming(stream)
    let policy = shared.services.health.policy
    let store = shared.environment.store
    let shutdown = shared.environment.shutdown
    let first = policy.status(of: service, in: store.snapshot)
    context.write(
      wrapOutboundOut(HTTP2Frame(streamID: stream, payload: GRPCFrames.responseHeaders(metadata: []))),
      promise: nil
    )
    writeWatchMessage(first, on: stream, context: context)
    markFlush(context: context)

    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    let loop = context.eventLoop
    let changes = store.changes()
    watches[stream] = Task {
      await withTaskGroup(of: Void.self) { group in
        group.addTask {
          var last = first
          for await snapshot in changes {
            let now = policy.status(of: service, in: snapshot)
            guard now != last else { continue }
            last = now
            loop.execute { loopBound.value.sendWatchStatus(now, on: stream) }
          }
        }
        group.addTask { await shutdown.wait() }
        await group.next()
        group.cancelAll()
      }
      guard shutdown.isTriggered, !Task.isCancelled else { return }
      loop.execute { loopBound.value.endWatch(on: stream) }
    }
  }

  private func sendWatchStatus(_ status: HealthStatusPolicy.Status, on stream: HTTP2StreamID) {
    guard let context, machine.isStreaming(stream) else { return }
    writeWatchMessage(status, on: stream, context: context)
    markFlush(context: context)
  }

  /// Shutdown: NOT_SERVING, then the trailers with status OK.
  private func endWatch(on stream: HTTP2StreamID) {
    guard let context, machine.isStreaming(stream) else { return }
    watches[stream] = nil
    writeWatchMessage(.notServing, on: stream, context: context)
    context.write(
      wrapOutboundOut(HTTP2Frame(streamID: stream, payload: GRPCFrames.trailers(.ok, metadata: []))),
      promise: nil
    )
    if machine.answered(stream) {
      context.write(
        wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .rstStream(.noError))),
        promise: nil
      )
    }
    markFlush(context: context)
  }

  private func writeWatchMessage(
    _ status: HealthStatusPolicy.Status,
    on stream: HTTP2StreamID,
    context: ChannelHandlerContext
  ) {
    let reply = GRPCCodec.reply(HealthServiceHandler.message(status))
    guard let message = reply.message else { return }
    context.write(
      wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .data(.init(data: .byteBuffer(message))))),
      promise: nil
    )
  }
}
