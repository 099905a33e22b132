import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves REST over one HTTP/1.1 keep-alive connection: collects each request's body within the
/// size limit, routes it, and writes the response. Closes idle connections, answers protocol
/// garbage with a JSON 400, and finishes the request in flight before closing on shutdown.
final class HTTP1ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundIn = HTTPServerResponsePart
  typealias OutboundOut = HTTPServerResponsePart

  private enum State {
    case idle
    case receiving(HTTPRequestHead, ByteBuffer)
    /// The body exceeded the limit; the 413 was sent, the rest of the request is dropped.
    case discarding
    case responding
  }

  private let router: RESTRouter
  private let threadPool: NIOThreadPool
  private let maxBodyBytes: Int
  private let maxHeaderBytes: Int
  private var state = State.idle
  private var keepAlive = true
  private var quiescing = false
  private var graceClose: Scheduled<Void>?

  init(router: RESTRouter, threadPool: NIOThreadPool, maxBodyBytes: Int, maxHeaderBytes: Int) {
    self.router = router
    self.threadPool = threadPool
    self.maxBodyBytes = maxBodyBytes
    self.maxHeaderBytes = maxHeaderBytes
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
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
        state = .responding
        respond(context: context, head: head, body: body)
      case .discarding:
        state = .idle
        context.close(promise: nil)
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
    if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
      rejectBody(context: context, head: head)
      return
    }
    let capacity = min(head.headers.first(name: "content-length").flatMap(Int.init) ?? 256, maxBodyBytes)
    state = .receiving(head, context.channel.allocator.buffer(capacity: capacity))
  }

  private func rejectBody(context: ChannelHandlerContext, head: HTTPRequestHead) {
    state = .discarding
    keepAlive = false
    let error = HTTPError(.payloadTooLarge, "request body exceeds the limit of \(maxBodyBytes) bytes")
    write(context: context, version: head.version, response: error.response, headOnly: false)
  }

  private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer) {
    let request = RESTRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
    let headOnly = head.method == .HEAD
    switch router.route(request) {
    case .response(let response):
      finish(context: context, version: head.version, response: response, headOnly: headOnly)
    case .offload(let work):
      let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      threadPool.runIfActive(eventLoop: context.eventLoop, work).whenComplete { result in
        let (handler, context) = loopBound.value
        let response: RESTResponse
        switch result {
        case .success(let value): response = value
        case .failure: response = HTTPError(.serviceUnavailable, "the server is shutting down").response
        }
        handler.finish(context: context, version: head.version, response: response, headOnly: headOnly)
      }
    }
  }

  private func finish(
    context: ChannelHandlerContext,
    version: HTTPVersion,
    response: RESTResponse,
    headOnly: Bool
  ) {
    state = .idle
    write(context: context, version: version, response: response, headOnly: headOnly)
  }

  private func write(
    context: ChannelHandlerContext,
    version: HTTPVersion,
    response: RESTResponse,
    headOnly: Bool
  ) {
    let closeAfter = !keepAlive || quiescing
    var headers = response.headers
    headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
    if closeAfter { headers.replaceOrAdd(name: "Connection", value: "close") }
    let head = HTTPResponseHead(version: version, status: response.status, headers: headers)
    context.write(wrapOutboundOut(.head(head)), promise: nil)
    if !headOnly, !response.body.isEmpty {
      context.write(
        wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))),
        promise: nil
      )
    }
    if closeAfter {
      context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
        context.close(promise: nil)
      }
    } else {
      context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is DrainEvent || event is ChannelShouldQuiesceEvent {
      // Draining: the request in flight (or the next one, if it comes within the grace period)
      // is answered with `Connection: close`; an idle connection then closes.
      guard !quiescing else { return }
      quiescing = true
      if case .idle = state {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        graceClose = context.eventLoop.scheduleTask(in: DrainEvent.idleGrace) {
          loopBound.value.close(promise: nil)
        }
      }
      return
    }
    if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
      if case .idle = state { context.close(promise: nil) }
      return
    }
    context.fireUserInboundEventTriggered(event)
  }

  func channelInactive(context: ChannelHandlerContext) {
    graceClose?.cancel()
    graceClose = nil
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if error is HTTPParserError {
      // Not HTTP: answer once, in JSON, and close.
      if case .responding = state {
        context.close(promise: nil)
        return
      }
      state = .discarding
      keepAlive = false
      let response = HTTPError(.badRequest, "malformed HTTP request: \(error)").response
      write(context: context, version: .http1_1, response: response, headOnly: false)
      return
    }
    context.close(promise: nil)
  }
}
