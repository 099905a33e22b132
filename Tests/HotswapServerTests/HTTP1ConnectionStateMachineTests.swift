import NIOCore
import NIOHTTP1
import Testing

@testable import HotswapServer

/// The HTTP/1.1 connection's decisions, without a socket: events in, actions out, the clock
/// passed by hand.
@Suite struct HTTP1ConnectionStateMachineTests {
  typealias Machine = HTTP1ConnectionStateMachine

  static let configuration = Machine.Configuration(
    maxBodyBytes: 100,
    maxHeaderBytes: 200,
    idleTimeout: .seconds(60),
    requestTimeout: .seconds(30),
    lingerTimeout: .seconds(2),
    drainGrace: .seconds(1)
  )
  static let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

  static func at(_ seconds: Int64) -> NIODeadline { start + .seconds(seconds) }

  static func head(
    _ method: HTTPMethod = .GET,
    _ uri: String = "/health",
    version: HTTPVersion = .http1_1,
    _ headers: HTTPHeaders = [:]
  ) -> Machine.Input {
    .part(.head(HTTPRequestHead(version: version, method: method, uri: uri, headers: headers)))
  }

  static func body(_ text: String) -> Machine.Input { .part(.body(ByteBuffer(string: text))) }
  static let end = Machine.Input.part(.end(nil))

  /// A machine with one request read up to its end: returns the `.route` action's request.
  static func routed(
    _ machine: inout Machine,
    _ head: Machine.Input = head(),
    at now: NIODeadline = at(0)
  ) -> (HTTPRequestHead, ByteBuffer)? {
    _ = machine.bytesArrived(now: now)
    _ = machine.receive(head, now: now)
    guard case .route(let head, let body) = machine.receive(end, now: now) else { return nil }
    return (head, body)
  }

  static func written(_ action: Machine.Action) -> (RESTResponse, Machine.Framing)? {
    guard case .write(let response, let framing) = action else { return nil }
    return (response, framing)
  }

  static func message(_ response: RESTResponse) -> String { String(decoding: response.body, as: UTF8.self) }

  static let ok = RESTResponse(status: .ok, body: Array("{}".utf8))

  // MARK: - Requests and pipelining

  @Test func aRequestIsRoutedWithItsBodyAndAnsweredKeepingTheConnection() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    let accepted = machine.bytesArrived(now: Self.at(0))
    #expect(accepted)
    #expect(machine.receive(Self.head(.POST, "/predict"), now: Self.at(0)) == .nothing)
    #expect(machine.receive(Self.body("{\"a\":"), now: Self.at(0)) == .nothing)
    #expect(machine.receive(Self.body("1}"), now: Self.at(0)) == .nothing)
    guard case .route(let head, let body) = machine.receive(Self.end, now: Self.at(0)) else {
      Issue.record("the complete request is routed")
      return
    }
    #expect(head.uri == "/predict")
    #expect(String(buffer: body) == "{\"a\":1}")
    let (response, framing) = try #require(Self.written(machine.responded(Self.ok, now: Self.at(1))))
    #expect(response.status == .ok)
    #expect(framing == Machine.Framing(version: .http1_1, headOnly: false, connection: .implicit))
    #expect(machine.wantsToRead)
    #expect(machine.deadline == Self.at(1) + Self.configuration.idleTimeout)
  }

  @Test func pipelinedRequestsWaitWhileOneIsAnsweredOffTheEventLoop() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = try #require(Self.routed(&machine))
    let token = machine.offloaded()
    #expect(!machine.wantsToRead, "reading stops while the response is computed")
    #expect(machine.receive(Self.head(.GET, "/second"), now: Self.at(0)) == .nothing)
    #expect(machine.receive(Self.end, now: Self.at(0)) == .nothing)
    #expect(machine.nextHeld(now: Self.at(0)) == nil, "held until the first is answered")
    #expect(Self.written(machine.offloadFinished(token: token, Self.ok, now: Self.at(1))) != nil)
    #expect(machine.nextHeld(now: Self.at(1)) == .nothing)
    guard case .route(let second, _) = machine.nextHeld(now: Self.at(1)) else {
      Issue.record("the held request is served next")
      return
    }
    #expect(second.uri == "/second")
    #expect(machine.nextHeld(now: Self.at(1)) == nil)
  }

  @Test func headGetsItsHeadersOnlyAndHTTP10SaysKeepAliveOutLoud() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = try #require(Self.routed(&machine, Self.head(.HEAD, "/health")))
    let (_, head) = try #require(Self.written(machine.responded(Self.ok, now: Self.at(0))))
    #expect(head.headOnly)
    _ = try #require(
      Self.routed(&machine, Self.head(.GET, "/health", version: .http1_0, ["Connection": "keep-alive"]))
    )
    let (_, http10) = try #require(Self.written(machine.responded(Self.ok, now: Self.at(0))))
    #expect(http10 == Machine.Framing(version: .http1_0, headOnly: false, connection: .keepAlive))
  }

  @Test func connectionCloseEndsTheConnectionAfterTheAnswerAndDropsWhatFollows() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = try #require(Self.routed(&machine, Self.head(.GET, "/health", ["Connection": "close"])))
    let (_, framing) = try #require(Self.written(machine.responded(Self.ok, now: Self.at(0))))
    #expect(framing.closes)
    let accepted = machine.bytesArrived(now: Self.at(0))
    #expect(!accepted, "input after the last answer is discarded")
    #expect(machine.receive(Self.head(), now: Self.at(0)) == .nothing)
    #expect(machine.wantsToRead, "a closing connection keeps reading, to discard")
  }

  // MARK: - 100-continue, 413, 431, malformed input

  @Test func expectContinueIsAnsweredBeforeTheBody() {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = machine.bytesArrived(now: Self.at(0))
    let head = Self.head(.POST, "/predict", ["Expect": "100-continue", "Content-Length": "10"])
    #expect(machine.receive(head, now: Self.at(0)) == .writeContinue)
    let http10 = Self.head(.POST, "/predict", version: .http1_0, ["Expect": "100-continue"])
    var old = Machine(configuration: Self.configuration, now: Self.at(0))
    #expect(old.receive(http10, now: Self.at(0)) == .nothing, "HTTP/1.0 has no 100 Continue")
  }

  @Test(arguments: [
    (["Content-Length": "101"], [String](), 413, "exceeds the limit of 100 bytes"),
    (["Expect": "100-continue", "Content-Length": "1000"], [], 413, "exceeds the limit of 100 bytes"),
    (
      ["Transfer-Encoding": "chunked"],
      [String(repeating: "x", count: 60), String(repeating: "y", count: 60)], 413, "exceeds"
    ),
    (["X-Big": String(repeating: "h", count: 300)], [], 431, "the limit is 200"),
  ])
  func oversizeRequestsGetTheirStatusAndEndTheConnection(
    headers: [String: String],
    chunks: [String],
    status: Int,
    message: String
  ) throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = machine.bytesArrived(now: Self.at(0))
    var actions = [
      machine.receive(
        Self.head(.POST, "/predict", HTTPHeaders(headers.map { ($0.key, $0.value) })),
        now: Self.at(0)
      )
    ]
    for chunk in chunks { actions.append(machine.receive(Self.body(chunk), now: Self.at(0))) }
    let (response, framing) = try #require(actions.compactMap(Self.written).first)
    #expect(Int(response.status.code) == status)
    #expect(Self.message(response).contains(message))
    #expect(framing.closes)
    #expect(machine.receive(Self.end, now: Self.at(0)) == .nothing, "the rest of the request is dropped")
    #expect(machine.isClosing)
  }

  @Test func malformedInputGetsA400AfterTheAnswersBeforeIt() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = try #require(Self.routed(&machine))
    machine.writabilityChanged(isWritable: false, now: Self.at(0))
    #expect(Self.written(machine.responded(Self.ok, now: Self.at(0))) != nil)
    // The client is not reading: what follows waits, in order, the garbage too.
    for input in [Self.head(), Self.end, .malformed("invalid method")] {
      #expect(machine.receive(input, now: Self.at(0)) == .nothing)
    }
    #expect(!machine.wantsToRead)
    machine.writabilityChanged(isWritable: true, now: Self.at(1))
    #expect(machine.nextHeld(now: Self.at(1)) == .nothing)
    guard case .route = machine.nextHeld(now: Self.at(1)) else {
      Issue.record("the pipelined request is answered first")
      return
    }
    #expect(Self.written(machine.responded(Self.ok, now: Self.at(1)))?.1.closes == false)
    let (error, framing) = try #require(machine.nextHeld(now: Self.at(1)).flatMap(Self.written))
    #expect(error.status == .badRequest)
    #expect(Self.message(error).contains("malformed HTTP request: invalid method"))
    #expect(framing.closes)
  }

  // MARK: - Timeouts

  @Test func anIdleConnectionClosesAtTheIdleTimeout() {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    #expect(machine.deadline == Self.at(60))
    #expect(machine.timerFired(now: Self.at(59)) == .nothing)
    #expect(machine.timerFired(now: Self.at(60)) == .close)
  }

  @Test func aHeadThatNeverCompletesGets408AtTheRequestTimeout() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = machine.bytesArrived(now: Self.at(10))
    #expect(machine.deadline == Self.at(40), "the clock starts with the first byte")
    _ = machine.bytesArrived(now: Self.at(39))
    #expect(machine.timerFired(now: Self.at(39)) == .nothing, "more bytes do not extend it")
    let (response, framing) = try #require(Self.written(machine.timerFired(now: Self.at(40))))
    #expect(response.status.code == 408)
    #expect(Self.message(response).contains("request_timeout (30s)"))
    #expect(framing.closes)
  }

  @Test func aBodyThatStopsGets408WithTheRequestsVersion() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = machine.bytesArrived(now: Self.at(0))
    _ = machine.receive(
      Self.head(.POST, "/predict", version: .http1_0, ["Content-Length": "50"]),
      now: Self.at(0)
    )
    _ = machine.receive(Self.body("{"), now: Self.at(29))
    #expect(machine.timerFired(now: Self.at(29)) == .nothing)
    let (response, framing) = try #require(Self.written(machine.timerFired(now: Self.at(30))))
    #expect(response.status.code == 408)
    #expect(framing.version == .http1_0)
  }

  @Test func offloadedWorkPastTheDeadlineIsExpiredAndAnswered503() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = try #require(Self.routed(&machine, at: Self.at(5)))
    let token = machine.offloaded()
    #expect(machine.deadline == Self.at(35))
    #expect(machine.timerFired(now: Self.at(35)) == .expireOffload)
    #expect(machine.deadline == nil, "no second expiry while the first is decided")
    let (response, framing) = try #require(Self.written(machine.offloadExpired(now: Self.at(35))))
    #expect(response.status == .serviceUnavailable)
    #expect(Self.message(response).contains("request_timeout (30s)"))
    #expect(framing.closes)
    #expect(
      machine.offloadFinished(token: token, Self.ok, now: Self.at(36)) == .nothing,
      "the late answer is dropped"
    )
  }

  @Test func aWorkThatFinishedJustBeforeItsExpiryIsStillAnswered() {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = Self.routed(&machine)
    let token = machine.offloaded()
    #expect(machine.timerFired(now: Self.at(30)) == .expireOffload)
    // `OffloadedWork.expire()` said no: its answer is on the way.
    #expect(Self.written(machine.offloadFinished(token: token, Self.ok, now: Self.at(30)))?.0.status == .ok)
  }

  // MARK: - Back-pressure

  @Test func aClientThatDoesNotReadStopsReadingAndIsClosedAfterTheRequestTimeout() {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = Self.routed(&machine)
    _ = machine.responded(Self.ok, now: Self.at(0))
    machine.writabilityChanged(isWritable: false, now: Self.at(1))
    #expect(!machine.wantsToRead)
    let accepted = machine.bytesArrived(now: Self.at(1))
    #expect(accepted, "bytes still reach the decoder; what it decodes is held")
    #expect(machine.receive(Self.head(), now: Self.at(1)) == .nothing)
    #expect(machine.nextHeld(now: Self.at(2)) == nil, "nothing is answered while the client does not read")
    #expect(machine.deadline == Self.at(31))
    #expect(machine.timerFired(now: Self.at(31)) == .close)
  }

  @Test func readingResumesOnceTheClientCatchesUp() {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    machine.writabilityChanged(isWritable: false, now: Self.at(0))
    #expect(!machine.wantsToRead)
    machine.writabilityChanged(isWritable: true, now: Self.at(1))
    #expect(machine.wantsToRead)
    #expect(machine.deadline == Self.at(60))
  }

  // MARK: - Draining and closing

  @Test func drainingClosesAnIdleConnectionAfterTheGrace() {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    machine.quiesce(now: Self.at(10))
    #expect(machine.deadline == Self.at(11))
    #expect(machine.timerFired(now: Self.at(11)) == .close)
  }

  @Test func drainingAnswersTheRequestInFlightWithConnectionClose() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = try #require(Self.routed(&machine))
    machine.quiesce(now: Self.at(0))
    let (_, framing) = try #require(Self.written(machine.responded(Self.ok, now: Self.at(0))))
    #expect(framing.connection == .close)
  }

  @Test func theLastResponseLingersThenCloses() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = try #require(Self.routed(&machine, Self.head(.GET, "/", ["Connection": "close"])))
    _ = machine.responded(Self.ok, now: Self.at(0))
    #expect(machine.deadline == Self.at(30), "a last response that is never read is bounded too")
    #expect(machine.finalResponseWritten(now: Self.at(3)) == .closeOutput)
    #expect(machine.deadline == Self.at(5))
    #expect(machine.timerFired(now: Self.at(5)) == .close)
  }

  @Test func theTimerPeriodIsTheShorterTimeout() {
    #expect(Self.configuration.timerPeriod == .seconds(30))
  }
}

extension HTTP1ConnectionStateMachineTests {
  @Test(arguments: [
    (HTTPMethod.CONNECT, ["Host": "x:443"], true),
    (.GET, ["Connection": "keep-alive, Upgrade", "Upgrade": "websocket"], true),
    (.GET, ["Upgrade": "h2c"], false),
    (.GET, ["Connection": "upgrade"], false),
  ])
  func aProtocolSwitchIsAnsweredAndEndsTheConnection(
    method: HTTPMethod,
    headers: [String: String],
    switches: Bool
  )
    throws
  {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = try #require(
      Self.routed(&machine, Self.head(method, "/health", HTTPHeaders(headers.map { ($0.key, $0.value) })))
    )
    let (_, framing) = try #require(Self.written(machine.responded(Self.ok, now: Self.at(0))))
    #expect(framing.closes == switches)
  }
}

extension HTTP1ConnectionStateMachineTests {
  @Test func aClientThatClosesItsSideIsAnsweredEverythingItSentThenClosed() throws {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = try #require(Self.routed(&machine))
    let token = machine.offloaded()
    for input in [Self.head(.GET, "/second"), Self.end] { _ = machine.receive(input, now: Self.at(0)) }
    #expect(machine.inputClosed(now: Self.at(0)) == .nothing, "answers are still owed")
    let (_, first) = try #require(
      Self.written(machine.offloadFinished(token: token, Self.ok, now: Self.at(1)))
    )
    #expect(!first.closes, "one more answer follows")
    #expect(machine.nextHeld(now: Self.at(1)) == .nothing)
    #expect(machine.nextHeld(now: Self.at(1)).map { if case .route = $0 { true } else { false } } == true)
    let (_, last) = try #require(Self.written(machine.responded(Self.ok, now: Self.at(1))))
    #expect(last.closes, "the last answer says so")
    #expect(
      machine.finalResponseWritten(now: Self.at(1)) == .close,
      "no linger: the client sends nothing more"
    )
  }

  @Test func aHalfClosedIdleConnectionClosesOnceItsAnswersAreSent() {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = Self.routed(&machine)
    _ = machine.responded(Self.ok, now: Self.at(0))
    #expect(machine.inputClosed(now: Self.at(0)) == .closeWhenFlushed)
    #expect(machine.deadline == Self.at(30), "a client that does not read those answers is still bounded")
  }

  @Test func aHalfCloseWhileLingeringEndsTheLinger() {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = Self.routed(&machine, Self.head(.GET, "/", ["Connection": "close"]))
    _ = machine.responded(Self.ok, now: Self.at(0))
    _ = machine.finalResponseWritten(now: Self.at(0))
    #expect(machine.inputClosed(now: Self.at(1)) == .close)
  }
}

extension HTTP1ConnectionStateMachineTests {
  @Test func aPausedConnectionHoldsItsPipelinedRequestsUntilTheNextTurn() {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = Self.routed(&machine)
    _ = machine.responded(Self.ok, now: Self.at(0))
    machine.pauseForTurn()
    #expect(!machine.wantsToRead)
    #expect(machine.receive(Self.head(), now: Self.at(0)) == .nothing)
    #expect(machine.receive(Self.end, now: Self.at(0)) == .nothing)
    #expect(machine.nextHeld(now: Self.at(0)) == nil)
    machine.resumeTurn()
    #expect(machine.nextHeld(now: Self.at(0)) == .nothing)
    #expect(machine.nextHeld(now: Self.at(0)).map { if case .route = $0 { true } else { false } } == true)
  }
}

extension HTTP1ConnectionStateMachineTests {
  @Test func bytesAfterADecodingErrorAreDroppedEvenWhileItsAnswerWaits() {
    var machine = Machine(configuration: Self.configuration, now: Self.at(0))
    _ = Self.routed(&machine)
    _ = machine.offloaded()
    #expect(
      machine.receive(.malformed("invalid method"), now: Self.at(0)) == .nothing,
      "held behind the answer"
    )
    let accepted = machine.bytesArrived(now: Self.at(0))
    #expect(!accepted, "the decoder parses nothing more")
  }
}
