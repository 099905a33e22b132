import NIOCore
import NIOHPACK
import NIOHTTP2

/// The gRPC calls of one HTTP/2 connection, as a value: frames and clock readings in, actions
/// out. It holds the connection's limits — concurrent calls (REFUSED_STREAM past the announced
/// maximum, never a connection error), request bytes buffered across the connection's unfinished
/// calls, deadlines (`request_timeout` and `grpc-timeout`, both from the first HEADERS, whether the
/// request is complete or not), the idle time with no call open — and the graceful drain. Pure:
/// `GRPCConnectionHandler` carries the actions out.
struct GRPCConnectionStateMachine {
  /// The limits, from `[server]`.
  struct Configuration: Sendable {
    /// Calls open at once (`max_concurrent_streams`).
    var maxConcurrentStreams: Int
    /// The largest request message (`max_message_bytes`).
    var maxMessageBytes: Int
    /// Request bytes all unfinished calls of the connection may hold together.
    var maxBufferedBytes: Int
    /// How long a call may take to be read and answered (`request_timeout`).
    var requestTimeout: Duration
    /// How long the connection may stay open with no call (`idle_timeout`).
    var idleTimeout: Duration
  }

  /// What a call is doing.
  enum Phase {
    /// Collecting the request message.
    case receiving(GRPCRequestHead, GRPCMessageReader)
    /// The request is complete; its answer is being computed (here or on the thread pool).
    case answering
    /// Health/Watch: statuses are being streamed.
    case streaming
    /// Its answer ended the stream; waiting for HTTP/2 to close it.
    case answered
  }

  /// One open stream.
  struct Call {
    var phase: Phase
    /// The client sent END_STREAM.
    var clientEnded: Bool
    /// `request_timeout` from the first HEADERS; ends reading and unary answering.
    var requestDeadline: NIODeadline
    /// The client's `grpc-timeout`, if any; ends any call.
    var clientDeadline: NIODeadline?
    /// The client's timeout as sent, for the message.
    var clientTimeout: Duration?
  }

  /// What to do about a frame.
  enum Action {
    case none
    /// Reset the new stream with REFUSED_STREAM: the connection has its maximum of calls open.
    case refuse
    /// The client keeps opening streams past the announced limit (more than `maxRefusals` in
    /// `refusalWindow`): end the connection with GOAWAY ENHANCE_YOUR_CALM. Refusing costs the
    /// event loop as much as answering, and clients that respect the limit are never refused
    /// once they have acknowledged it; swift-nio-http2 cuts off RST_STREAM floods the same way.
    case tooManyRefused
    /// Answer with this rejection (trailers-only, or an HTTP error status); then, if `reset`,
    /// reset the stream with NO_ERROR so the client stops sending the rest of its request.
    case reject(GRPCRejection, reset: Bool)
    /// Call the method with the complete request message.
    case dispatch(GRPCRequestHead, ByteBuffer)
  }

  /// A call whose deadline passed: answer DEADLINE_EXCEEDED (then reset if `reset`).
  struct Expiry: Equatable {
    let stream: HTTP2StreamID
    let status: GRPCStatus
    let reset: Bool
  }

  let configuration: Configuration
  private(set) var calls: [HTTP2StreamID: Call] = [:]
  /// Request bytes held by calls still receiving.
  private(set) var bufferedBytes = 0
  /// When the last call closed; nil while one is open.
  private var idleSince: NIODeadline?
  /// The server is draining: close once no call is open.
  private(set) var draining = false
  /// When recent streams were refused, oldest first (at most `maxRefusals`).
  private var refusals = CircularBuffer<NIODeadline>(initialCapacity: 8)
  /// Refusals tolerated within `refusalWindow`.
  static let maxRefusals = 200
  /// The window refusals are counted in.
  static let refusalWindow = TimeAmount.seconds(30)

  init(configuration: Configuration, now: NIODeadline) {
    self.configuration = configuration
    self.idleSince = now
  }

  /// Calls open now (as HTTP/2 counts them: until both sides ended the stream).
  var openCalls: Int { calls.count }

  // MARK: Frames

  /// HEADERS on `stream`: a new call, or the client's trailers.
  mutating func headersReceived(
    _ stream: HTTP2StreamID,
    _ headers: HPACKHeaders,
    endStream: Bool,
    now: NIODeadline
  ) -> Action {
    if calls[stream] != nil {
      // Trailers from the client: only END_STREAM matters.
      return endStream ? dataReceived(stream, ByteBuffer(), endStream: true) : .none
    }
    guard calls.count < configuration.maxConcurrentStreams else { return refuse(now: now) }
    idleSince = nil
    var call = Call(
      phase: .answered,
      clientEnded: endStream,
      requestDeadline: now + TimeAmount.clamped(configuration.requestTimeout),
      clientDeadline: nil,
      clientTimeout: nil
    )
    switch GRPCRequestHead.parse(headers) {
    case .failure(let rejection):
      calls[stream] = call
      return .reject(rejection, reset: !endStream)
    case .success(let head):
      guard !endStream else {
        calls[stream] = call
        return .reject(
          GRPCRejection(
            GRPCStatus(.internal, "the call ended without a request message; a unary call sends one")
          ),
          reset: false
        )
      }
      if let timeout = head.timeout {
        call.clientDeadline = now + TimeAmount.clamped(timeout)
        call.clientTimeout = timeout
      }
      call.phase = .receiving(head, GRPCMessageReader(maxMessageBytes: configuration.maxMessageBytes))
      calls[stream] = call
      return .none
    }
  }

  private mutating func refuse(now: NIODeadline) -> Action {
    while let oldest = refusals.first, oldest + Self.refusalWindow < now { refusals.removeFirst() }
    guard refusals.count < Self.maxRefusals else { return .tooManyRefused }
    refusals.append(now)
    return .refuse
  }

  /// DATA on `stream`.
  mutating func dataReceived(_ stream: HTTP2StreamID, _ data: ByteBuffer, endStream: Bool) -> Action {
    guard let index = calls.index(forKey: stream) else { return .none }
    let (action, buffered) = Self.receive(
      data,
      endStream: endStream,
      into: &calls.values[index],
      bufferedElsewhere: bufferedBytes,
      configuration: configuration
    )
    bufferedBytes = buffered
    return action
  }

  /// Adds `data` to `call` (changed in place, so its buffered bytes are never copied); returns the
  /// action and the connection's buffered bytes afterwards.
  private static func receive(
    _ data: ByteBuffer,
    endStream: Bool,
    into call: inout Call,
    bufferedElsewhere: Int,
    configuration: Configuration
  ) -> (Action, Int) {
    if endStream { call.clientEnded = true }
    guard case .receiving(let head, var reader) = call.phase else {
      // The call is already answered or being answered: the rest of its request is dropped.
      return (.none, bufferedElsewhere)
    }
    // Only `reader` refers to the buffered bytes now, so appending does not copy them.
    call.phase = .answered
    let before = reader.bufferedBytes
    let total = bufferedElsewhere - before
    if let failure = reader.append(data) {
      return (.reject(GRPCRejection(failure), reset: !call.clientEnded), total)
    }
    let after = reader.bufferedBytes
    guard total + after <= configuration.maxBufferedBytes else {
      let held = total + after
      let status = GRPCStatus(
        .resourceExhausted,
        "this connection's unfinished requests hold \(held) bytes; the limit is \(configuration.maxBufferedBytes) "
          + "(2 × max_message_bytes): send fewer large messages at once"
      )
      return (.reject(GRPCRejection(status), reset: !call.clientEnded), total)
    }
    guard endStream else {
      call.phase = .receiving(head, reader)
      return (.none, total + after)
    }
    switch reader.finish() {
    case .success(let message):
      call.phase = .answering
      return (.dispatch(head, message), total)
    case .failure(let status):
      return (.reject(GRPCRejection(status), reset: false), total)
    }
  }

  // MARK: Answers

  /// The call's answer ended the stream (END_STREAM written). True when the client is still
  /// sending, so the stream should be reset with NO_ERROR to stop it.
  mutating func answered(_ stream: HTTP2StreamID) -> Bool {
    guard let index = calls.index(forKey: stream) else { return false }
    if case .receiving = calls.values[index].phase { return false }
    calls.values[index].phase = .answered
    return !calls.values[index].clientEnded
  }

  /// Whether `stream` is still waiting for its answer (so a late answer may be written).
  func isAnswering(_ stream: HTTP2StreamID) -> Bool {
    if case .answering = calls[stream]?.phase { return true }
    return false
  }

  /// Whether `stream` is an open Health/Watch.
  func isStreaming(_ stream: HTTP2StreamID) -> Bool {
    if case .streaming = calls[stream]?.phase { return true }
    return false
  }

  /// The call's answers stream from now on (Health/Watch): `request_timeout` no longer applies.
  mutating func startedStreaming(_ stream: HTTP2StreamID) {
    guard calls[stream] != nil else { return }
    calls[stream]?.phase = .streaming
  }

  /// HTTP/2 closed the stream (both sides ended it, or a reset). Returns the phase it was in.
  @discardableResult
  mutating func streamClosed(_ stream: HTTP2StreamID, now: NIODeadline) -> Phase? {
    guard let call = calls.removeValue(forKey: stream) else { return nil }
    if case .receiving(_, let reader) = call.phase { bufferedBytes -= reader.bufferedBytes }
    if calls.isEmpty { idleSince = now }
    return call.phase
  }

  // MARK: Time

  /// The calls whose deadline has passed at `now`; they are answered from here on.
  mutating func expire(now: NIODeadline) -> [Expiry] {
    var expired: [Expiry] = []
    for (stream, call) in calls {
      guard let status = Self.deadlineStatus(call, now: now, configuration: configuration) else { continue }
      expired.append(Expiry(stream: stream, status: status, reset: !call.clientEnded))
    }
    for expiry in expired {
      if case .receiving(_, let reader) = calls[expiry.stream]?.phase {
        bufferedBytes -= reader.bufferedBytes
      }
      calls[expiry.stream]?.phase = .answered
    }
    return expired
  }

  /// True when the connection has had no call for `idle_timeout` at `now`.
  func isIdle(now: NIODeadline) -> Bool {
    guard let idleSince else { return false }
    return idleSince + TimeAmount.clamped(configuration.idleTimeout) <= now
  }

  /// The next moment something times out (a call's deadline or the idle timeout), if any.
  var nextDeadline: NIODeadline? {
    if let idleSince { return idleSince + TimeAmount.clamped(configuration.idleTimeout) }
    var next: NIODeadline?
    for call in calls.values {
      let deadline: NIODeadline?
      switch call.phase {
      case .receiving, .answering: deadline = min(call.requestDeadline, call.clientDeadline ?? .distantFuture)
      case .streaming: deadline = call.clientDeadline
      case .answered: deadline = nil
      }
      if let deadline, deadline < (next ?? .distantFuture) { next = deadline }
    }
    return next
  }

  private static func deadlineStatus(
    _ call: Call,
    now: NIODeadline,
    configuration: Configuration
  ) -> GRPCStatus? {
    let requestBound: Bool
    switch call.phase {
    case .receiving, .answering: requestBound = true
    case .streaming: requestBound = false
    case .answered: return nil
    }
    if let clientDeadline = call.clientDeadline, clientDeadline <= now,
      !requestBound || clientDeadline <= call.requestDeadline
    {
      let timeout = call.clientTimeout.map(GRPCTimeout.describe) ?? "?"
      return GRPCStatus(
        .deadlineExceeded,
        "the call's deadline (grpc-timeout \(timeout)) passed before it was answered"
      )
    }
    if requestBound, call.requestDeadline <= now {
      let timeout = GRPCTimeout.describe(configuration.requestTimeout)
      return GRPCStatus(
        .deadlineExceeded,
        "the call was not complete and answered within request_timeout (\(timeout))"
      )
    }
    return nil
  }

  // MARK: Drain

  /// The server is shutting down; true when nothing is open and the connection can close now.
  mutating func beginDrain() -> Bool {
    draining = true
    return calls.isEmpty
  }

  /// Draining and nothing open: close.
  var canClose: Bool { draining && calls.isEmpty }
}
