import NIOCore
import NIOHTTP1

/// The life of one HTTP/1.1 connection as a value: what arrived, what is owed to the client, and
/// when the connection must give up. Its mutating methods take the event and the current time
/// and return what the connection handler does next; the handler owns the socket, the timer and
/// the router, the machine decides. Pure: no I/O, no clock of its own.
///
/// - A request's bytes start its `request_timeout` clock (head and body, then answering it); a
///   connection with nothing in progress closes after `idle_timeout`.
/// - While a response is computed off the event loop, or the client does not read what it was
///   sent (the channel is not writable), further input is held and reading stops: unsent
///   responses never pile up beyond the channel's high-water mark.
/// - A response that ends the connection (an error, `Connection: close`, draining) closes only
///   the output once written; input is read and discarded until the client closes or
///   `lingerTimeout` passes, so a client that pipelined more requests reads the last answer
///   instead of a reset.
struct HTTP1ConnectionStateMachine {
  private enum State {
    /// Nothing of the next request has arrived.
    case idle(since: NIODeadline)
    /// Bytes of a request arrived; its head is not complete.
    case readingHead(started: NIODeadline)
    /// The head arrived; the body is being collected in `body`.
    case readingBody(Request)
    /// The handler is routing the complete request (a synchronous step).
    case routing(Request)
    /// The response is computed off the event loop.
    case responding(Request, token: UInt64, expiring: Bool)
    /// The last response is being written.
    case closing(since: NIODeadline)
    /// The output is closed; input is discarded until the client closes or `until`.
    case lingering(until: NIODeadline)
    case closed
  }

  let configuration: Configuration
  private var state: State
  private var body: ByteBuffer?
  private var keepAlive = true
  /// Input that arrived while it could not be served, in order. Starts at one slot (the default
  /// of 16 costs every idle connection most of a kilobyte); it doubles when pipelining needs it.
  private var held = CircularBuffer<Input>(initialCapacity: 1)
  /// Since when the client has not read what was sent (the channel is not writable).
  private var blockedSince: NIODeadline?
  /// When draining began.
  private var drainingSince: NIODeadline?
  /// The client closed its side: it sends nothing more, and is answered what it already sent.
  private var inputClosed = false
  /// The connection used its share of this event-loop turn (`pauseForTurn`).
  private var paused = false
  /// The decoder failed: it parses nothing more, so later bytes are dropped before it.
  private var decoderFailed = false
  private var nextToken: UInt64 = 0

  init(configuration: Configuration, now: NIODeadline) {
    self.configuration = configuration
    state = .idle(since: now)
  }

  // MARK: - Reading

  /// Raw bytes arrived (before decoding). False: discard them, the connection is closing. The
  /// clock is read only when they start a request.
  mutating func bytesArrived(now: @autoclosure () -> NIODeadline) -> Bool {
    guard !decoderFailed else { return false }
    switch state {
    case .idle where held.isEmpty:
      state = .readingHead(started: now())
      return true
    case .closing, .lingering, .closed:
      return false
    case .idle, .readingHead, .readingBody, .routing, .responding:
      return true
    }
  }

  /// A decoded part (or a decoding error) arrived. The clock is read only if the part needs it.
  mutating func receive(_ input: Input, now: @autoclosure () -> NIODeadline) -> Action {
    if case .malformed = input { decoderFailed = true }
    switch state {
    case .closing, .lingering, .closed:
      return .nothing
    case .routing, .responding:
      held.append(input)
      return .nothing
    case .idle, .readingHead, .readingBody:
      guard blockedSince == nil, !paused, held.isEmpty else {
        held.append(input)
        return .nothing
      }
      return process(input, now: now)
    }
  }

  /// The next held input, processed, while the connection can serve it; nil when there is none
  /// or it must keep waiting.
  mutating func nextHeld(now: @autoclosure () -> NIODeadline) -> Action? {
    switch state {
    case .idle, .readingHead, .readingBody:
      guard blockedSince == nil, !paused, let input = held.popFirst() else { return nil }
      return process(input, now: now)
    case .routing, .responding, .closing, .lingering, .closed:
      return nil
    }
  }

  /// Whether the handler should read from the socket now.
  var wantsToRead: Bool {
    switch state {
    case .closing, .lingering: return true
    case .routing, .responding, .closed: return false
    case .idle, .readingHead, .readingBody: return blockedSince == nil && !paused && held.isEmpty
    }
  }

  /// The connection answered its share of pipelined requests for this event-loop turn: hold the
  /// rest (and read nothing) until `resumeTurn`, so one client's thousands of pipelined requests
  /// in one read do not keep the event loop from every other connection.
  mutating func pauseForTurn() {
    paused = true
  }

  /// A new event-loop turn: held input may be served again.
  mutating func resumeTurn() {
    paused = false
  }

  private mutating func process(_ input: Input, now: () -> NIODeadline) -> Action {
    switch input {
    case .malformed(let reason):
      var head: HTTPRequestHead?
      if case .readingBody(let request) = state { head = request.head }
      return finish(HTTPError(.badRequest, "malformed HTTP request: \(reason)"), head: head, now: now())
    case .part(.head(let head)):
      return receiveHead(head, now: now)
    case .part(.body(let chunk)):
      return receiveBody(chunk, now: now)
    case .part(.end):
      guard case .readingBody(let request) = state else { return .nothing }
      state = .routing(request)
      defer { body = nil }
      return .route(request.head, body ?? ByteBuffer())
    }
  }

  private mutating func receiveHead(_ head: HTTPRequestHead, now: () -> NIODeadline) -> Action {
    let started: NIODeadline
    switch state {
    case .readingHead(let since): started = since
    case .idle: started = now()
    default: return .nothing
    }
    let request = Request(head: head, started: started)
    state = .readingBody(request)
    // NIO's decoder stops parsing after a request that switches protocols (CONNECT, or an
    // `Upgrade` the `Connection` header names); no upgrade is served here, so it is answered and
    // the connection ends, rather than stalling on input no one will parse.
    keepAlive = head.isKeepAlive && !Self.switchesProtocols(head)
    let headerBytes =
      head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + head.uri.utf8.count
    if headerBytes > configuration.maxHeaderBytes {
      let error = HTTPError(
        .init(statusCode: 431, reasonPhrase: "Request Header Fields Too Large"),
        "request headers are \(headerBytes) bytes; the limit is \(configuration.maxHeaderBytes)"
      )
      return finish(error, head: head, now: now())
    }
    if let length = head.headers.first(name: "content-length").flatMap(Int.init),
      length > configuration.maxBodyBytes
    {
      return finish(bodyTooLarge, head: head, now: now())
    }
    // curl and others wait for this before sending a large body.
    if head.version == .http1_1, head.headers.first(name: "expect")?.lowercased() == "100-continue" {
      return .writeContinue
    }
    return .nothing
  }

  /// Whether llhttp treats the request as a protocol switch.
  static func switchesProtocols(_ head: HTTPRequestHead) -> Bool {
    if head.method == .CONNECT { return true }
    guard head.headers.contains(name: "upgrade") else { return false }
    return head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
  }

  private mutating func receiveBody(_ chunk: ByteBuffer, now: () -> NIODeadline) -> Action {
    guard case .readingBody(let request) = state else { return .nothing }
    guard (body?.readableBytes ?? 0) + chunk.readableBytes <= configuration.maxBodyBytes else {
      return finish(bodyTooLarge, head: request.head, now: now())
    }
    if body == nil {
      body = chunk
    } else {
      var chunk = chunk
      body!.writeBuffer(&chunk)
    }
    return .nothing
  }

  private var bodyTooLarge: HTTPError {
    HTTPError(.payloadTooLarge, "request body exceeds the limit of \(configuration.maxBodyBytes) bytes")
  }

  // MARK: - Answering

  /// The route answered at once.
  mutating func responded(_ response: RESTResponse, now: NIODeadline) -> Action {
    guard case .routing(let request) = state else { return .nothing }
    return complete(request, response, now: now)
  }

  /// The route runs off the event loop; returns the token its completion must present.
  mutating func offloaded() -> UInt64 {
    guard case .routing(let request) = state else { return 0 }
    nextToken += 1
    state = .responding(request, token: nextToken, expiring: false)
    return nextToken
  }

  /// The offloaded work answered. Ignored if the connection moved on (timed out, closed).
  mutating func offloadFinished(token: UInt64, _ response: RESTResponse, now: NIODeadline) -> Action {
    guard case .responding(let request, let current, _) = state, current == token else { return .nothing }
    return complete(request, response, now: now)
  }

  /// The offloaded work was expired at its deadline: answer 503 and close.
  mutating func offloadExpired(now: NIODeadline) -> Action {
    guard case .responding(let request, _, _) = state else { return .nothing }
    let seconds = Self.seconds(configuration.requestTimeout)
    let error = HTTPError(
      .serviceUnavailable,
      "the request was not answered within request_timeout (\(seconds)); the server is overloaded, try again"
    )
    return finish(error, head: request.head, now: now)
  }

  private mutating func complete(_ request: Request, _ response: RESTResponse, now: NIODeadline) -> Action {
    let closes = !keepAlive || drainingSince != nil || (inputClosed && held.isEmpty)
    let framing = Framing(
      version: request.head.version,
      headOnly: request.head.method == .HEAD,
      connection: closes ? .close : (request.head.version == .http1_0 ? .keepAlive : .implicit)
    )
    if closes {
      state = .closing(since: now)
      held.removeAll()
    } else {
      state = .idle(since: now)
    }
    return .write(response, framing)
  }

  /// Answers `error` as the connection's last response (to `head`, when one arrived).
  private mutating func finish(_ error: HTTPError, head: HTTPRequestHead?, now: NIODeadline) -> Action {
    state = .closing(since: now)
    held.removeAll()
    body = nil
    let framing = Framing(
      version: head?.version ?? .http1_1,
      headOnly: head?.method == .HEAD,
      connection: .close
    )
    return .write(error.response, framing)
  }

  /// The last response is written: close the output and discard input until the client closes
  /// or the linger time passes — or close, if the client already closed its side.
  mutating func finalResponseWritten(now: NIODeadline) -> Action {
    guard case .closing = state else { return .nothing }
    if inputClosed {
      state = .closed
      return .close
    }
    state = .lingering(until: now + configuration.lingerTimeout)
    return .closeOutput
  }

  /// The client closed its sending side (a half close). What it sent before is answered; then
  /// the connection closes.
  mutating func inputClosed(now: NIODeadline) -> Action {
    inputClosed = true
    switch state {
    case .idle where held.isEmpty, .readingHead, .readingBody:
      // Nothing more can arrive, so nothing more is owed once the answers written are sent.
      state = .closing(since: now)
      held.removeAll()
      body = nil
      return .closeWhenFlushed
    case .lingering:
      state = .closed
      return .close
    case .idle, .routing, .responding, .closing, .closed:
      return .nothing
    }
  }

  // MARK: - Flow control, draining, time

  /// The channel's writability changed: not writable means the client is not reading what it
  /// was sent, and nothing more is read or answered until it is.
  mutating func writabilityChanged(isWritable: Bool, now: NIODeadline) {
    if isWritable {
      blockedSince = nil
    } else if blockedSince == nil {
      blockedSince = now
    }
  }

  /// The server is draining: the request in progress (or the next, within the grace period) is
  /// answered with `Connection: close`; an idle connection then closes.
  mutating func quiesce(now: NIODeadline) {
    if drainingSince == nil { drainingSince = now }
  }

  /// When the handler must call `timerFired` next; nil for never.
  var deadline: NIODeadline? {
    let own: NIODeadline?
    switch state {
    case .idle(let since):
      var idle = since + configuration.idleTimeout
      if let drainingSince, held.isEmpty { idle = min(idle, drainingSince + configuration.drainGrace) }
      own = held.isEmpty ? idle : nil
    case .readingHead(let started):
      own = started + configuration.requestTimeout
    case .readingBody(let request), .responding(let request, _, false):
      own = request.started + configuration.requestTimeout
    case .closing(let since):
      own = since + configuration.requestTimeout
    case .lingering(let until):
      own = until
    case .routing, .responding, .closed:
      own = nil
    }
    guard let blockedSince else { return own }
    let blocked = blockedSince + configuration.requestTimeout
    return own.map { min($0, blocked) } ?? blocked
  }

  /// The timer fired: close, answer 408, expire the offloaded work, or nothing yet.
  mutating func timerFired(now: NIODeadline) -> Action {
    guard let deadline, now >= deadline else { return .nothing }
    if let blockedSince, now >= blockedSince + configuration.requestTimeout {
      // The client has not read for a whole request timeout: nothing more can reach it.
      state = .closed
      return .close
    }
    switch state {
    case .idle, .closing, .lingering:
      state = .closed
      return .close
    case .readingHead:
      return finish(requestTimedOut, head: nil, now: now)
    case .readingBody(let request):
      return finish(requestTimedOut, head: request.head, now: now)
    case .responding(let request, let token, _):
      state = .responding(request, token: token, expiring: true)
      return .expireOffload
    case .routing, .closed:
      return .nothing
    }
  }

  private var requestTimedOut: HTTPError {
    HTTPError(
      .init(statusCode: 408, reasonPhrase: "Request Timeout"),
      "the request was not received within request_timeout (\(Self.seconds(configuration.requestTimeout)))"
    )
  }

  /// The connection closed.
  mutating func closed() {
    state = .closed
    held.removeAll()
    body = nil
  }

  /// Whether the connection has closed or is closing.
  var isClosing: Bool {
    switch state {
    case .closing, .lingering, .closed: return true
    default: return false
    }
  }

  static func seconds(_ amount: TimeAmount) -> String {
    let milliseconds = amount.nanoseconds / 1_000_000
    return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
  }
}
