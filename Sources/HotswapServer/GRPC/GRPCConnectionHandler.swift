import HotswapCore
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix

/// Serves the gRPC calls of one HTTP/2 connection on its event loop, after swift-nio-http2's
/// `NIOHTTP2Handler`: HEADERS and DATA frames go to `GRPCConnectionStateMachine`, complete unary
/// requests to `GRPCServices`, and each answer is written as HEADERS, one DATA and trailers,
/// flushed once per read (or at once for answers computed on the thread pool). No stream channel,
/// task or future per call: that machinery cost grpc-swift-2 three quarters of REST's throughput.
///
/// It also keeps the connection's timers (one scheduled task for the earliest deadline: call
/// deadlines and the idle timeout), its inbound flow-control windows, the graceful drain on
/// shutdown (GOAWAY, PING, final GOAWAY, close once the calls in flight are answered), and reading
/// paused while the socket cannot take more (unread answers do not pile up).
final class GRPCConnectionHandler: ChannelInboundHandler {
  typealias InboundIn = HTTP2Frame
  typealias OutboundOut = HTTP2Frame

  /// What every connection shares.
  struct Shared: Sendable {
    let services: GRPCServices
    let environment: ServingEnvironment
    let threadPool: NIOThreadPool
    let configuration: GRPCConnectionStateMachine.Configuration
    /// Inbound window kept open per stream.
    let streamWindow: Int
    /// Inbound window kept open for the connection.
    let connectionWindow: Int
  }

  let shared: Shared
  private let connectionErrors: ConnectionErrorWatcher
  var machine: GRPCConnectionStateMachine
  var context: ChannelHandlerContext?
  /// Calls answered on the thread pool, by stream.
  var tickets: [HTTP2StreamID: GRPCWorkTicket] = [:]
  /// Open Health/Watch calls, by stream.
  var watches: [HTTP2StreamID: Task<Void, Never>] = [:]
  private var timer: Scheduled<Void>?
  private var timerDeadline: NIODeadline?
  private var inReadLoop = false
  private var flushPending = false
  /// The connection is closing: frames still in the read buffer are not handled.
  private var closing = false
  /// The highest stream a client opened, for GOAWAY.
  var lastStreamID = HTTP2StreamID.rootStream
  var drain = DrainState.serving

  init(shared: Shared, connectionErrors: ConnectionErrorWatcher) {
    self.shared = shared
    self.connectionErrors = connectionErrors
    self.machine = GRPCConnectionStateMachine(configuration: shared.configuration, now: .now())
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    armTimer(context: context)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
  }

  // MARK: Frames

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !closing else { return }
    inReadLoop = true
    let frame = unwrapInboundIn(data)
    let stream = frame.streamID
    switch frame.payload {
    case .headers(let headers):
      if stream > lastStreamID { lastStreamID = stream }
      let action = machine.headersReceived(stream, headers.headers, endStream: headers.endStream, now: .now())
      perform(action, on: stream, context: context)
    case .data(let payload):
      guard case .byteBuffer(let bytes) = payload.data else { return }
      perform(machine.dataReceived(stream, bytes, endStream: payload.endStream), on: stream, context: context)
    case .ping(let data, ack: true):
      pingAcknowledged(data, context: context)
    default:
      break
    }
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    inReadLoop = false
    if flushPending {
      flushPending = false
      context.flush()
    }
    armTimer(context: context)
    context.fireChannelReadComplete()
  }

  private func perform(
    _ action: GRPCConnectionStateMachine.Action,
    on stream: HTTP2StreamID,
    context: ChannelHandlerContext
  ) {
    switch action {
    case .none:
      break
    case .refuse:
      context.write(
        wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .rstStream(.refusedStream))),
        promise: nil
      )
      markFlush(context: context)
    case .tooManyRefused:
      let goAway = HTTP2Frame(
        streamID: .rootStream,
        payload: .goAway(lastStreamID: lastStreamID, errorCode: .enhanceYourCalm, opaqueData: nil)
      )
      context.write(wrapOutboundOut(goAway), promise: nil)
      // Now, not on the next tick: closing stops swift-nio-http2 from decoding the rest of what
      // this client already sent (measured: 1.4 s of a debug build's event loop otherwise).
      closing = true
      context.flush()
      context.close(promise: nil)
    case .reject(let rejection, let reset):
      let payload = GRPCFrames.trailersOnly(
        rejection.status,
        httpStatus: rejection.httpStatus,
        metadata: rejection.headers
      )
      context.write(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: payload)), promise: nil)
      if reset {
        context.write(
          wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .rstStream(.noError))),
          promise: nil
        )
      }
      markFlush(context: context)
    case .dispatch(let head, let message):
      dispatch(head, message, on: stream, context: context)
    }
  }

  private func dispatch(
    _ head: GRPCRequestHead,
    _ message: ByteBuffer,
    on stream: HTTP2StreamID,
    context: ChannelHandlerContext
  ) {
    switch shared.services.answer(head, message: message) {
    case .reply(let reply):
      write(reply, on: stream, context: context)
    case .offload(let work):
      offload(work, on: stream, context: context)
    case .watch(let service):
      startWatch(service, on: stream, context: context)
    }
  }

  private func offload(
    _ work: @escaping @Sendable (GRPCWorkTicket) -> GRPCReply,
    on stream: HTTP2StreamID,
    context: ChannelHandlerContext
  ) {
    let ticket = GRPCWorkTicket()
    tickets[stream] = ticket
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    shared.threadPool.runIfActive(eventLoop: context.eventLoop) { () -> GRPCReply? in
      // Abandoned while queued (deadline, reset): the work is dropped unstarted.
      guard ticket.abandonment == .none else { return nil }
      return work(ticket)
    }.whenComplete { result in
      let handler = loopBound.value
      handler.tickets[stream] = nil
      guard let context = handler.context, handler.machine.isAnswering(stream) else { return }
      switch result {
      case .success(let reply?):
        handler.write(reply, on: stream, context: context)
      case .success(nil):
        return
      case .failure:
        handler.write(
          GRPCReply(GRPCStatus(.unavailable, "the server is shutting down")),
          on: stream,
          context: context
        )
      }
      handler.markFlush(context: context)
    }
  }

  /// Writes a unary answer: HEADERS, DATA and trailers, or one trailers-only HEADERS.
  func write(_ reply: GRPCReply, on stream: HTTP2StreamID, context: ChannelHandlerContext) {
    if let message = reply.message {
      context.write(
        wrapOutboundOut(
          HTTP2Frame(streamID: stream, payload: GRPCFrames.responseHeaders(metadata: reply.metadata))
        ),
        promise: nil
      )
      context.write(
        wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .data(.init(data: .byteBuffer(message))))),
        promise: nil
      )
      context.write(
        wrapOutboundOut(
          HTTP2Frame(streamID: stream, payload: GRPCFrames.trailers(reply.status, metadata: reply.metadata))
        ),
        promise: nil
      )
    } else {
      let payload = GRPCFrames.trailersOnly(reply.status, metadata: reply.metadata)
      context.write(wrapOutboundOut(HTTP2Frame(streamID: stream, payload: payload)), promise: nil)
    }
    if machine.answered(stream) {
      context.write(
        wrapOutboundOut(HTTP2Frame(streamID: stream, payload: .rstStream(.noError))),
        promise: nil
      )
    }
    markFlush(context: context)
  }

  /// Flushes now, or at the end of the current read.
  func markFlush(context: ChannelHandlerContext) {
    if inReadLoop {
      flushPending = true
    } else {
      context.flush()
    }
  }

  // MARK: Events

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    switch event {
    case let closed as StreamClosedEvent:
      streamClosed(closed.streamID, context: context)
    case let window as NIOHTTP2WindowUpdatedEvent:
      windowChanged(window, context: context)
    case is ChannelShouldQuiesceEvent:
      beginDrain(context: context)
    default:
      context.fireUserInboundEventTriggered(event)
    }
  }

  private func streamClosed(_ stream: HTTP2StreamID, context: ChannelHandlerContext) {
    guard machine.streamClosed(stream, now: .now()) != nil else { return }
    if !tickets.isEmpty { tickets.removeValue(forKey: stream)?.abandon(.cancelled) }
    if !watches.isEmpty { watches.removeValue(forKey: stream)?.cancel() }
    if machine.canClose { closeAfterFlush(context: context) }
  }

  /// Keeps the inbound windows open: when one falls to half its target, it is raised back.
  /// Memory is bounded by the state machine's limits, not by withholding window.
  private func windowChanged(_ event: NIOHTTP2WindowUpdatedEvent, context: ChannelHandlerContext) {
    guard let window = event.inboundWindowSize else { return }
    let target = event.streamID == .rootStream ? shared.connectionWindow : shared.streamWindow
    guard window <= target / 2 else { return }
    if event.streamID != .rootStream {
      // Only calls still receiving their request need more window.
      guard case .receiving = machine.calls[event.streamID]?.phase else { return }
    }
    let increment = target - max(window, 0)
    guard increment > 0 else { return }
    context.write(
      wrapOutboundOut(
        HTTP2Frame(streamID: event.streamID, payload: .windowUpdate(windowSizeIncrement: increment))
      ),
      promise: nil
    )
    markFlush(context: context)
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    // A client that does not read its answers stops being read: answers never pile up in memory.
    try? context.channel.syncOptions?.setOption(.autoRead, value: context.channel.isWritable)
    context.fireChannelWritabilityChanged()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    // swift-nio-http2 reports stream errors (after resetting that stream) and connection errors
    // (after sending GOAWAY) the same way; only the latter end the connection.
    if error is any NIOHTTP2Error, !connectionErrors.sentConnectionError { return }
    context.close(promise: nil)
  }

  func channelInactive(context: ChannelHandlerContext) {
    timer?.cancel()
    timer = nil
    for ticket in tickets.values { ticket.abandon(.cancelled) }
    tickets = [:]
    for watch in watches.values { watch.cancel() }
    watches = [:]
    context.fireChannelInactive()
  }

  // MARK: Timers

  /// Schedules the timer for the machine's next deadline, unless an earlier one is already set
  /// (it re-arms when it fires). Under load this schedules nothing per call.
  func armTimer(context: ChannelHandlerContext) {
    guard let next = machine.nextDeadline else { return }
    if let timerDeadline, timerDeadline <= next { return }
    timer?.cancel()
    timerDeadline = next
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    timer = context.eventLoop.scheduleTask(deadline: next) {
      loopBound.value.timerFired()
    }
  }

  private func timerFired() {
    timer = nil
    timerDeadline = nil
    guard let context else { return }
    let now = NIODeadline.now()
    for expiry in machine.expire(now: now) {
      tickets.removeValue(forKey: expiry.stream)?.abandon(.deadline)
      let wasWatching = watches.removeValue(forKey: expiry.stream)
      wasWatching?.cancel()
      let payload =
        wasWatching == nil
        ? GRPCFrames.trailersOnly(expiry.status, metadata: [])
        : GRPCFrames.trailers(expiry.status, metadata: [])
      context.write(wrapOutboundOut(HTTP2Frame(streamID: expiry.stream, payload: payload)), promise: nil)
      if expiry.reset {
        context.write(
          wrapOutboundOut(HTTP2Frame(streamID: expiry.stream, payload: .rstStream(.noError))),
          promise: nil
        )
      }
    }
    if machine.isIdle(now: now) {
      // No call for idle_timeout (a silent connection included): say goodbye and close.
      let goAway = HTTP2Frame(
        streamID: .rootStream,
        payload: .goAway(lastStreamID: lastStreamID, errorCode: .noError, opaqueData: nil)
      )
      context.write(wrapOutboundOut(goAway), promise: nil)
      closeAfterFlush(context: context)
      return
    }
    context.flush()
    armTimer(context: context)
  }

  /// Flushes, then closes on the next loop tick, so frames still buffered in the HTTP/2 handler
  /// (the END_STREAM that closed the last call) are sent first.
  func closeAfterFlush(context: ChannelHandlerContext) {
    closing = true
    context.flush()
    let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
    context.eventLoop.execute { loopBound.value.close(promise: nil) }
  }
}

/// Told of every frame swift-nio-http2 writes; remembers whether it sent a GOAWAY with an error,
/// which is how a connection error shows (a stream error resets only its stream).
final class ConnectionErrorWatcher: NIOHTTP2FrameDelegate {
  private(set) var sentConnectionError = false

  func wroteFrame(_ frame: HTTP2Frame) {
    if case .goAway(_, let code, _) = frame.payload, code != .noError { sentConnectionError = true }
  }
}
