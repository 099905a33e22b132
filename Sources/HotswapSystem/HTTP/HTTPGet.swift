import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 `GET` for the command line talking to a running server (`hotswap status`,
/// confirming an edit), on swift-nio's client pipeline (its HTTP parser decodes the status line,
/// headers, `Content-Length`, chunked encoding and read-to-close bodies): plain `http://` only,
/// IPv4, IPv6 and host names, `Connection: close`. No redirects, no TLS, no proxies. The response
/// is bounded by ``maximumResponseBytes`` and the whole exchange by the timeout.
public enum HTTPGet {
  /// The largest response body read.
  public static let maximumResponseBytes = 16 << 20

  /// Fetches `url`; `timeout` bounds connecting and, separately, the wait for the whole answer.
  public static func fetch(_ url: String, timeout: Duration) async throws(HTTPGetError) -> HTTPGetResponse {
    let target = try HTTPTarget(url)
    let group = MultiThreadedEventLoopGroup.singleton
    let eventLoop = group.next()
    let answer = eventLoop.makePromise(of: HTTPGetResponse.self)
    let channel: any Channel
    do {
      channel = try await ClientBootstrap(group: eventLoop)
        .connectTimeout(TimeAmount(timeout))
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.pipeline.syncOperations.addHandler(ResponseCollector(answer: answer))
          }
        }
        .connect(host: target.host, port: Int(target.port))
        .get()
    } catch {
      answer.fail(error)
      throw Self.connectionError(error, target: target, timeout: timeout)
    }
    let expiry = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
      answer.fail(HTTPGetError.timedOut(timeout))
      channel.close(promise: nil)
    }
    var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.path)
    head.headers.add(name: "Host", value: target.hostHeader)
    head.headers.add(name: "Accept", value: "*/*")
    head.headers.add(name: "Connection", value: "close")
    channel.write(HTTPClientRequestPart.head(head), promise: nil)
    channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    defer {
      expiry.cancel()
      channel.close(promise: nil)
    }
    do {
      return try await answer.futureResult.get()
    } catch let error as HTTPGetError {
      throw error
    } catch {
      throw .connectionFailed("\(error)")
    }
  }

  private static func connectionError(
    _ error: any Error,
    target: HTTPTarget,
    timeout: Duration
  ) -> HTTPGetError {
    if let error = error as? ChannelError, case .connectTimeout = error { return .timedOut(timeout) }
    if let error = error as? NIOConnectionError {
      if error.connectionErrors.isEmpty { return .cannotResolve(host: target.host) }
      let reasons = error.connectionErrors.map { failure -> String in
        if let io = failure.error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if let channel = failure.error as? ChannelError, case .connectTimeout = channel { return "timed out" }
        return "\(failure.error)"
      }
      return .cannotConnect(host: target.host, port: target.port, reason: reasons[0])
    }
    if let io = error as? IOError {
      return .cannotConnect(
        host: target.host,
        port: target.port,
        reason: String(cString: strerror(io.errnoCode))
      )
    }
    return .connectionFailed("\(error)")
  }
}

/// Gathers one response from the client pipeline into `answer`; fails it when the body grows past
/// ``HTTPGet/maximumResponseBytes``, the parser rejects the bytes, or the connection ends first.
private final class ResponseCollector: ChannelInboundHandler {
  typealias InboundIn = HTTPClientResponsePart

  private let answer: EventLoopPromise<HTTPGetResponse>
  private var response: HTTPGetResponse?
  private var finished = false

  init(answer: EventLoopPromise<HTTPGetResponse>) {
    self.answer = answer
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !finished else { return }
    switch unwrapInboundIn(data) {
    case .head(let head):
      response = HTTPGetResponse(
        status: Int(head.status.code),
        headers: head.headers.map { HTTPGetHeader(name: $0.name, value: $0.value) },
        body: []
      )
    case .body(let buffer):
      guard (response?.body.count ?? 0) + buffer.readableBytes <= HTTPGet.maximumResponseBytes else {
        fail(.invalidResponse("the body is larger than \(HTTPGet.maximumResponseBytes) bytes"), context)
        return
      }
      response?.body.append(contentsOf: buffer.readableBytesView)
    case .end:
      finished = true
      if let response {
        answer.succeed(response)
      } else {
        answer.fail(HTTPGetError.invalidResponse("the answer had no status line"))
      }
      context.close(promise: nil)
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    endedEarly(context)
  }

  /// The connection ended before the response did.
  private func endedEarly(_ context: ChannelHandlerContext) {
    guard !finished else { return }
    if let response {
      let declared = response.header("content-length").flatMap(Int.init)
      let reason =
        declared.map { "the body ended after \(response.body.count) of \($0) bytes" }
        ?? "the body ended before its last chunk"
      fail(.invalidResponse(reason), context)
    } else {
      fail(.invalidResponse("the server closed the connection without answering"), context)
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if let error = error as? HTTPParserError {
      if error == .invalidEOFState {
        endedEarly(context)
      } else {
        fail(.invalidResponse("\(error)"), context)
      }
    } else if let io = error as? IOError {
      fail(.connectionFailed(String(cString: strerror(io.errnoCode))), context)
    } else {
      fail(.connectionFailed("\(error)"), context)
    }
  }

  private func fail(_ error: HTTPGetError, _ context: ChannelHandlerContext) {
    guard !finished else { return }
    finished = true
    answer.fail(error)
    context.close(promise: nil)
  }
}
