import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves REST over one HTTP/1.1 keep-alive connection by carrying out what its
/// `HTTP1ConnectionStateMachine` decides: routes complete requests, runs heavy ones on the thread
/// pool, writes each response as one buffer (`HTTP1ResponseEncoder`), stops reading while the
/// client does not read, keeps one timer for every timeout, and closes.
///
/// It sits after NIO's request decoder; `HTTP1InputMonitor`, before the decoder, tells it when
/// raw bytes arrive (a request's clock starts with its first byte, not its complete head) and
/// drops input once the connection is closing.
final class HTTP1ConnectionHandler: ChannelInboundHandler, RemovableChannelHandler,
  NIOScheduledCallbackHandler
{
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = ByteBuffer

  private var machine: HTTP1ConnectionStateMachine
  private let router: RESTRouter
  private let threadPool: NIOThreadPool
  private var context: ChannelHandlerContext?
  /// The pending timer and when it fires.
  private var timer: (callback: NIOScheduledCallback, at: NIODeadline)?
  /// Whether the channel reads (`autoRead`).
  private var reading = true
  /// The work running off the event loop for the request in progress.
  private var offload: (token: UInt64, work: OffloadedWork)?
  /// Set while held input is being served, so a writability change does not start a second pass.
  private var servingHeld = false
  /// Responses written in this event-loop turn, and when the second of them was.
  private var answeredThisTurn = 0
  private var pipelinedSince: NIODeadline?
  /// Pipelined requests answered per event-loop turn before the rest wait for the next one...
  static let answersPerTurn = 32
  /// ...or the time they may take: a client's pipelined `GET /metrics` (0.5 ms each in a release
  /// build, 2 ms in a debug one) must not hold the event loop from other connections.
  static let timePerTurn = TimeAmount.milliseconds(1)
  /// How long a connection that used its turn waits at least: long enough for the event loop to
  /// poll for I/O in between.
  static let yieldDelay = TimeAmount.microseconds(100)

  init(
    router: RESTRouter,
    threadPool: NIOThreadPool,
    configuration: HTTP1ConnectionStateMachine.Configuration
  ) {
    self.router = router
    self.threadPool = threadPool
    machine = HTTP1ConnectionStateMachine(configuration: configuration, now: .now())
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    syncTimer()
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    cancelTimer()
    self.context = nil
  }

  /// Raw bytes arrived (called by `HTTP1InputMonitor`); false to discard them.
  func bytesArrived() -> Bool {
    machine.bytesArrived(now: NIODeadline.now())
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let action = machine.receive(.part(unwrapInboundIn(data)), now: NIODeadline.now())
    // Parts that change nothing outside (a head, a body chunk, held input) wait for the
    // read's end to bring reading and the timer in line; see `syncTimer` for why that is in time.
    if case .nothing = action { return }
    execute(action, context: context)
    settle(context: context)
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    answeredThisTurn = 0
    pipelinedSince = nil
    settle(context: context)
    context.fireChannelReadComplete()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if error is ByteToMessageDecoderError {
      // Bytes that reached the decoder after it failed: the 400 for that failure is on its way
      // (after the answers owed before it), and the monitor drops what comes next.
      return
    }
    guard let parseError = error as? HTTPParserError else {
      // I/O errors (a reset): this connection is done.
      context.close(promise: nil)
      return
    }
    let now = NIODeadline.now()
    execute(machine.receive(.malformed("\(parseError)"), now: now), context: context)
    settle(context: context)
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    let now = NIODeadline.now()
    machine.writabilityChanged(isWritable: context.channel.isWritable, now: now)
    if context.channel.isWritable { serveHeld(context: context) }
    settle(context: context)
    context.fireChannelWritabilityChanged()
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is DrainEvent || event is ChannelShouldQuiesceEvent {
      machine.quiesce(now: .now())
    } else if let event = event as? ChannelEvent, event == .inputClosed {
      execute(machine.inputClosed(now: .now()), context: context)
    } else {
      context.fireUserInboundEventTriggered(event)
      return
    }
    settle(context: context, deadlineMayShorten: true)
  }

  func channelInactive(context: ChannelHandlerContext) {
    machine.closed()
    cancelTimer()
    context.fireChannelInactive()
  }

  // MARK: - Carrying out actions

  private func execute(_ action: HTTP1ConnectionStateMachine.Action, context: ChannelHandlerContext) {
    switch action {
    case .nothing:
      break
    case .writeContinue:
      context.writeAndFlush(wrapOutboundOut(Self.continueResponse), promise: nil)
    case .route(let head, let body):
      route(
        RESTRequest(method: head.method, uri: head.uri, headers: head.headers, body: body),
        context: context
      )
    case .write(let response, let framing):
      write(response, framing, context: context)
    case .expireOffload:
      guard let offload, offload.work.expire() else { return }
      self.offload = nil
      execute(machine.offloadExpired(now: .now()), context: context)
    case .closeOutput:
      // Half close: the client reads every response, then sees the end of the stream; what it
      // still sends is read and dropped until it closes, so no reset overtakes the answers.
      context.close(mode: .output).assumeIsolated().whenFailure { _ in context.close(promise: nil) }
    case .closeWhenFlushed:
      // An empty write completes once every write before it has been sent.
      context.writeAndFlush(wrapOutboundOut(ByteBuffer())).assumeIsolated().whenComplete { _ in
        context.close(promise: nil)
      }
    case .close:
      context.close(promise: nil)
    }
  }

  private static let continueResponse = ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")

  private func route(_ request: RESTRequest, context: ChannelHandlerContext) {
    switch router.route(request) {
    case .response(let response):
      execute(machine.responded(response, now: .now()), context: context)
    case .offload(let work):
      let token = machine.offloaded()
      offload = (token, work)
      let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      threadPool.runIfActive(eventLoop: context.eventLoop) { work.run() }.whenComplete { result in
        let (handler, context) = loopBound.value
        handler.finishOffload(token: token, result, context: context)
      }
    }
  }

  private func finishOffload(
    token: UInt64,
    _ result: Result<RESTResponse, any Error>,
    context: ChannelHandlerContext
  ) {
    if offload?.token == token { offload = nil }
    let response: RESTResponse
    switch result {
    case .success(let value): response = value
    case .failure: response = HTTPError(.serviceUnavailable, "the server is shutting down").response
    }
    let now = NIODeadline.now()
    execute(machine.offloadFinished(token: token, response, now: now), context: context)
    serveHeld(context: context)
    settle(context: context)
  }

  private func write(
    _ response: RESTResponse,
    _ framing: HTTP1ConnectionStateMachine.Framing,
    context: ChannelHandlerContext
  ) {
    let buffer = HTTP1ResponseEncoder.encode(
      response,
      version: framing.version,
      headOnly: framing.headOnly,
      connection: framing.connection,
      allocator: context.channel.allocator
    )
    guard framing.closes else {
      context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
      countAnswer(context: context)
      return
    }
    context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { result in
      guard case .success = result else {
        context.close(promise: nil)
        return
      }
      self.execute(self.machine.finalResponseWritten(now: .now()), context: context)
      self.settle(context: context, deadlineMayShorten: true)
    }
  }

  /// Counts an answer against this turn's share. The clock is read only from the second answer of
  /// a turn on: a client that does not pipeline costs nothing here.
  private func countAnswer(context: ChannelHandlerContext) {
    answeredThisTurn += 1
    guard answeredThisTurn > 1 else { return }
    let now = NIODeadline.now()
    guard let since = pipelinedSince else {
      pipelinedSince = now
      return
    }
    if answeredThisTurn >= Self.answersPerTurn || now - since >= Self.timePerTurn {
      yieldTurn(context: context)
    }
  }

  /// Lets the event loop serve other connections before this one answers more. The rest waits
  /// for a scheduled task, not `execute`: NIO runs tasks submitted by a task in the same pass,
  /// before any I/O, so an `execute` chain would hold the loop until the client's input runs out.
  private func yieldTurn(context: ChannelHandlerContext) {
    machine.pauseForTurn()
    context.eventLoop.assumeIsolated().scheduleTask(in: Self.yieldDelay) {
      self.answeredThisTurn = 0
      self.pipelinedSince = nil
      self.machine.resumeTurn()
      self.serveHeld(context: context)
      self.settle(context: context)
    }
  }

  /// Serves input held while a response was computed or the client was not reading.
  private func serveHeld(context: ChannelHandlerContext) {
    guard !servingHeld else { return }
    servingHeld = true
    defer { servingHeld = false }
    while let action = machine.nextHeld(now: NIODeadline.now()) {
      execute(action, context: context)
    }
  }

  // MARK: - Reading and the timer

  /// Brings reading and the timer in line with the machine after an event; `deadlineMayShorten`
  /// after the events that can move the deadline before the pending timer (see `syncTimer`).
  private func settle(context: ChannelHandlerContext, deadlineMayShorten: Bool = false) {
    let wantsToRead = machine.wantsToRead
    if wantsToRead != reading {
      reading = wantsToRead
      try? context.channel.syncOptions?.setOption(.autoRead, value: wantsToRead)
    }
    syncTimer(deadlineMayShorten: deadlineMayShorten)
  }

  /// Keeps one timer that fires no later than the machine's deadline. The timer is armed at most
  /// `timerPeriod` (the shorter of the idle and request timeouts) ahead, so every deadline a
  /// later event sets (a request starting, a response ending, a client that stops reading) lies
  /// at or after it: while a timer is pending, the common path neither computes the deadline nor
  /// cancels or re-arms the timer (NIO cancels by a linear search of its queue). Only the shorter
  /// deadlines of draining, lingering and a half close re-arm it.
  private func syncTimer(deadlineMayShorten: Bool = false) {
    if timer != nil, !deadlineMayShorten { return }
    guard let deadline = machine.deadline, let context else { return }
    if let timer {
      guard deadline < timer.at else { return }
      timer.callback.cancel()
      self.timer = nil
    }
    let at = min(deadline, .now() + machine.configuration.timerPeriod)
    guard let callback = try? context.eventLoop.assumeIsolated().scheduleCallback(at: at, handler: self)
    else {
      return
    }
    timer = (callback, at)
  }

  private func cancelTimer() {
    timer?.callback.cancel()
    timer = nil
  }

  func handleScheduledCallback(eventLoop: some EventLoop) {
    timer = nil
    guard let context else { return }
    let now = NIODeadline.now()
    execute(machine.timerFired(now: now), context: context)
    settle(context: context)
  }
}
