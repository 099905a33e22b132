import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves REST over one HTTP/1.1 keep-alive connection: collects each request's body within the
/// size limit, routes it, and writes the whole response — status line, headers and body — as one
/// buffer in one write. Requests pipelined behind one still being answered wait their turn, in
/// order. Closes idle connections, answers protocol garbage with a JSON 400, and finishes the
/// request in flight before closing on shutdown.
///
/// Responses are encoded here rather than by NIO's `HTTPResponseEncoder` and
/// `HTTPServerPipelineHandler`: every route produces a complete response at once, so one buffer
/// and one pass down the pipeline replace three parts that each cross four handlers.
final class HTTP1ConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = ByteBuffer

  private enum State {
    case idle
    case receiving(HTTPRequestHead, ByteBuffer)
    /// The body exceeded the limit; the 413 was sent, the rest of the request is dropped.
    case discarding
    /// A response is being computed off the event loop.
    case responding
  }

  private let router: RESTRouter
  private let threadPool: NIOThreadPool
  private let maxBodyBytes: Int
  private let maxHeaderBytes: Int
  private var state = State.idle
  private var keepAlive = true
  private var quiescing = false
  private var closing = false
  private var graceClose: Scheduled<Void>?
  /// Parts of pipelined requests that arrived while a response was being computed.
  private var waiting = CircularBuffer<HTTPServerRequestPart>()

  init(router: RESTRouter, threadPool: NIOThreadPool, maxBodyBytes: Int, maxHeaderBytes: Int) {
    self.router = router
    self.threadPool = threadPool
    self.maxBodyBytes = maxBodyBytes
    self.maxHeaderBytes = maxHeaderBytes
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let part = unwrapInboundIn(data)
    if case .responding = state {
      // Pipelined: this request is answered after the one in flight; read no more until then.
      waiting.append(part)
      try? context.channel.syncOptions?.setOption(.autoRead, value: false)
      return
    }
    handle(context: context, part)
  }

  private func handle(context: ChannelHandlerContext, _ part: HTTPServerRequestPart) {
    guard !closing else { return }
    switch part {
    case .head(let head):
      graceClose?.cancel()
      graceClose = nil
      receiveHead(context: context, head)
    case .body(var chunk):
      guard case .receiving(let head, var body) = state else { return }
      if body.readableBytes + chunk.readableBytes > maxBodyBytes {
        rejectBody(context: context, head: head)
        return
      }
      state = .idle  // avoid a copy-on-write of `body` while appending
      body.writeBuffer(&chunk)
      state = .receiving(head, body)
    case .end:
      switch state {
      case .receiving(let head, let body):
        respond(context: context, head: head, body: body)
      case .discarding:
        state = .idle
        close(context: context)
      case .idle, .responding:
        break
      }
    }
  }

  private func receiveHead(context: ChannelHandlerContext, _ head: HTTPRequestHead) {
    keepAlive = head.isKeepAlive
    let headerBytes =
      head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + head.uri.utf8.count
    if headerBytes > maxHeaderBytes {
      state = .discarding
      keepAlive = false
      let error = HTTPError(
        .init(statusCode: 431, reasonPhrase: "Request Header Fields Too Large"),
        "request headers are \(headerBytes) bytes; the limit is \(maxHeaderBytes)"
      )
      write(context: context, version: head.version, response: error.response, headOnly: false)
      return
    }
    let length = head.headers.first(name: "content-length").flatMap(Int.init)
    if let length, length > maxBodyBytes {
      rejectBody(context: context, head: head)
      return
    }
    // curl and others wait for this before sending a large body.
    if head.version == .http1_1, head.headers.first(name: "expect")?.lowercased() == "100-continue" {
      context.writeAndFlush(wrapOutboundOut(Self.continueResponse), promise: nil)
    }
    let capacity = min(length ?? 256, maxBodyBytes)
    state = .receiving(head, context.channel.allocator.buffer(capacity: capacity))
  }

  private static let continueResponse = ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")

  private func rejectBody(context: ChannelHandlerContext, head: HTTPRequestHead) {
    state = .discarding
    keepAlive = false
    let error = HTTPError(.payloadTooLarge, "request body exceeds the limit of \(maxBodyBytes) bytes")
    write(context: context, version: head.version, response: error.response, headOnly: false)
  }

  private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer) {
    state = .idle
    let request = RESTRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
    let headOnly = head.method == .HEAD
    switch router.route(request) {
    case .response(let response):
      write(context: context, version: head.version, response: response, headOnly: headOnly)
    case .offload(let work):
      state = .responding
      let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      threadPool.runIfActive(eventLoop: context.eventLoop, work).whenComplete { result in
        let (handler, context) = loopBound.value
        let response: RESTResponse
        switch result {
        case .success(let value): response = value
        case .failure: response = HTTPError(.serviceUnavailable, "the server is shutting down").response
        }
        handler.state = .idle
        handler.write(context: context, version: head.version, response: response, headOnly: headOnly)
        handler.resumeWaiting(context: context)
      }
    }
  }

  /// Serves the pipelined requests that waited, then reads again.
  private func resumeWaiting(context: ChannelHandlerContext) {
    while let part = waiting.popFirst() {
      handle(context: context, part)
      if case .responding = state { return }
    }
    guard !closing else { return }
    try? context.channel.syncOptions?.setOption(.autoRead, value: true)
    if quiescing, case .idle = state { scheduleGraceClose(context: context) }
  }

  private func write(
    context: ChannelHandlerContext,
    version: HTTPVersion,
    response: RESTResponse,
    headOnly: Bool
  ) {
    guard !closing else { return }
    let closeAfter = !keepAlive || quiescing
    let buffer = Self.encode(
      response,
      version: version,
      headOnly: headOnly,
      connection: closeAfter ? .close : (version == .http1_0 ? .keepAlive : .implicit),
      allocator: context.channel.allocator
    )
    if closeAfter {
      closing = true
      waiting.removeAll()
      context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
        context.close(promise: nil)
      }
    } else {
      context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
  }

  /// What the response says about the connection.
  enum ConnectionHeader {
    /// Nothing: HTTP/1.1 keeps the connection open by default.
    case implicit
    case keepAlive
    case close
  }

  /// The response as HTTP/1.x bytes. `Content-Length` and `Connection` are set here; the same
  /// headers in `response.headers` are ignored.
  static func encode(
    _ response: RESTResponse,
    version: HTTPVersion,
    headOnly: Bool,
    connection: ConnectionHeader,
    allocator: ByteBufferAllocator
  ) -> ByteBuffer {
    var buffer = allocator.buffer(capacity: 160 + response.headers.count * 40 + response.body.count)
    if version.major == 1, version.minor == 0 {
      buffer.writeStaticString("HTTP/1.0 ")
    } else {
      buffer.writeStaticString("HTTP/1.1 ")
    }
    buffer.writeString(String(response.status.code))  // small strings do not allocate
    buffer.writeInteger(UInt8(ascii: " "))
    buffer.writeString(response.status.reasonPhrase)
    buffer.writeStaticString("\r\n")
    for (name, value) in response.headers
    where !Self.isConnectionManaged(name) {
      buffer.writeString(name)
      buffer.writeStaticString(": ")
      buffer.writeString(value)
      buffer.writeStaticString("\r\n")
    }
    buffer.writeStaticString("Content-Length: ")
    buffer.writeString(String(response.body.count))
    switch connection {
    case .implicit: buffer.writeStaticString("\r\n\r\n")
    case .keepAlive: buffer.writeStaticString("\r\nConnection: keep-alive\r\n\r\n")
    case .close: buffer.writeStaticString("\r\nConnection: close\r\n\r\n")
    }
    if !headOnly { buffer.writeBytes(response.body) }
    return buffer
  }

  private static func isConnectionManaged(_ name: String) -> Bool {
    equalsIgnoringASCIICase(name, "content-length") || equalsIgnoringASCIICase(name, "connection")
  }

  /// Compares without allocating; `lowercase` must be lowercase ASCII.
  private static func equalsIgnoringASCIICase(_ name: String, _ lowercase: StaticString) -> Bool {
    let utf8 = name.utf8
    guard utf8.count == lowercase.utf8CodeUnitCount else { return false }
    var index = 0
    for byte in utf8 {
      let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
      guard folded == lowercase.utf8Start[index] else { return false }
      index += 1
    }
    return true
  }

  private func scheduleGraceClose(context: ChannelHandlerContext) {
    guard graceClose == nil else { return }
    let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
    graceClose = context.eventLoop.scheduleTask(in: DrainEvent.idleGrace) {
      loopBound.value.close(promise: nil)
    }
  }

  private func close(context: ChannelHandlerContext) {
    closing = true
    waiting.removeAll()
    context.close(promise: nil)
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is DrainEvent || event is ChannelShouldQuiesceEvent {
      // Draining: the request in flight (or the next one, if it comes within the grace period)
      // is answered with `Connection: close`; an idle connection then closes.
      guard !quiescing else { return }
      quiescing = true
      if case .idle = state, waiting.isEmpty { scheduleGraceClose(context: context) }
      return
    }
    if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
      if case .idle = state, waiting.isEmpty { close(context: context) }
      return
    }
    context.fireUserInboundEventTriggered(event)
  }

  func channelInactive(context: ChannelHandlerContext) {
    graceClose?.cancel()
    graceClose = nil
    waiting.removeAll()
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if error is HTTPParserError {
      // Not HTTP: answer once, in JSON, and close.
      if case .responding = state {
        close(context: context)
        return
      }
      state = .discarding
      keepAlive = false
      let response = HTTPError(.badRequest, "malformed HTTP request: \(error)").response
      write(context: context, version: .http1_1, response: response, headOnly: false)
      return
    }
    close(context: context)
  }
}
