import NIOCore
import NIOHPACK
import NIOHTTP2
import Testing

@testable import HotswapServer

/// The per-connection gRPC state, without sockets: stream limits, buffered bytes, deadlines from
/// the first HEADERS, idleness and the drain.
@Suite("gRPC connection state")
struct GRPCConnectionStateMachineTests {
  static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

  static func machine(
    streams: Int = 2,
    maxMessageBytes: Int = 100,
    maxBufferedBytes: Int = 150,
    requestTimeout: Duration = .seconds(30),
    idleTimeout: Duration = .seconds(60)
  ) -> GRPCConnectionStateMachine {
    GRPCConnectionStateMachine(
      configuration: .init(
        maxConcurrentStreams: streams,
        maxMessageBytes: maxMessageBytes,
        maxBufferedBytes: maxBufferedBytes,
        requestTimeout: requestTimeout,
        idleTimeout: idleTimeout
      ),
      now: start
    )
  }

  static func stream(_ id: Int) -> HTTP2StreamID { HTTP2StreamID(id) }

  static func open(
    _ machine: inout GRPCConnectionStateMachine,
    _ id: Int,
    extra: [(String, String)] = [],
    at now: NIODeadline = start
  ) -> GRPCConnectionStateMachine.Action {
    machine.headersReceived(stream(id), GRPCWireTests.headers(extra: extra), endStream: false, now: now)
  }

  @Test("a complete request is dispatched with its message")
  func dispatch() {
    var machine = Self.machine()
    guard case .none = Self.open(&machine, 1) else { Issue.record("headers not accepted"); return }
    let action = machine.dataReceived(Self.stream(1), GRPCWireTests.framed([1, 2, 3]), endStream: true)
    guard case .dispatch(let head, let message) = action else {
      Issue.record("not dispatched: \(action)"); return
    }
    #expect(head.method == .predict)
    #expect(Array(message.readableBytesView) == [1, 2, 3])
    #expect(machine.isAnswering(Self.stream(1)))
    #expect(machine.answered(Self.stream(1)) == false, "the client had ended its side")
    #expect(machine.bufferedBytes == 0)
  }

  @Test("a stream past max_concurrent_streams is refused, the others go on")
  func refusedStream() {
    var machine = Self.machine(streams: 2)
    _ = Self.open(&machine, 1)
    _ = Self.open(&machine, 3)
    guard case .refuse = Self.open(&machine, 5) else { Issue.record("stream 5 was not refused"); return }
    #expect(machine.openCalls == 2)
    machine.streamClosed(Self.stream(1), now: Self.start)
    guard case .none = Self.open(&machine, 7) else { Issue.record("stream 7 was not accepted"); return }
    guard case .dispatch = machine.dataReceived(Self.stream(3), GRPCWireTests.framed([]), endStream: true)
    else {
      Issue.record("stream 3 stopped working")
      return
    }
  }

  @Test("a client that keeps opening streams past the limit is cut off; refusals age out")
  func refusalFlood() {
    var machine = Self.machine(streams: 1)
    _ = Self.open(&machine, 1)
    var stream = 3
    for _ in 0..<GRPCConnectionStateMachine.maxRefusals {
      guard case .refuse = Self.open(&machine, stream) else {
        Issue.record("stream \(stream) was not refused")
        return
      }
      stream += 2
    }
    guard case .tooManyRefused = Self.open(&machine, stream) else {
      Issue.record("refusal \(GRPCConnectionStateMachine.maxRefusals + 1) did not end the connection")
      return
    }
    let later = Self.start + GRPCConnectionStateMachine.refusalWindow + .seconds(1)
    guard case .refuse = Self.open(&machine, stream + 2, at: later) else {
      Issue.record("old refusals did not age out")
      return
    }
  }

  @Test("a bad head is rejected, and the stream reset when the client is still sending")
  func rejectedHead() {
    var machine = Self.machine()
    let action = Self.open(&machine, 1, extra: [("grpc-timeout", "-1S")])
    guard case .reject(let rejection, let reset) = action else { Issue.record("accepted: \(action)"); return }
    #expect(rejection.status.code == .invalidArgument)
    #expect(reset)
    #expect(machine.openCalls == 1, "counted until HTTP/2 closes the stream")
  }

  @Test("HEADERS with END_STREAM and no message is INTERNAL")
  func noMessage() {
    var machine = Self.machine()
    let action = machine.headersReceived(
      Self.stream(1),
      GRPCWireTests.headers(),
      endStream: true,
      now: Self.start
    )
    guard case .reject(let rejection, reset: false) = action else { Issue.record("\(action)"); return }
    #expect(rejection.status.code == .internal)
  }

  @Test("partial messages across the connection are capped")
  func bufferCap() {
    var machine = Self.machine(maxMessageBytes: 100, maxBufferedBytes: 150)
    _ = Self.open(&machine, 1)
    _ = Self.open(&machine, 3)
    let partial = GRPCWireTests.framed(Array(repeating: 7, count: 90), length: 100)
    guard case .none = machine.dataReceived(Self.stream(1), partial, endStream: false) else {
      Issue.record("first partial message refused")
      return
    }
    #expect(machine.bufferedBytes == 90)
    let action = machine.dataReceived(Self.stream(3), partial, endStream: false)
    guard case .reject(let rejection, reset: true) = action else { Issue.record("\(action)"); return }
    #expect(rejection.status.code == .resourceExhausted)
    #expect(rejection.status.message.contains("the limit is 150"))
    #expect(machine.bufferedBytes == 90, "the refused call's bytes are dropped")
    machine.streamClosed(Self.stream(1), now: Self.start)
    #expect(machine.bufferedBytes == 0, "a reset call's bytes are released")
  }

  @Test("request_timeout runs from the first HEADERS, complete request or not")
  func requestTimeout() {
    var machine = Self.machine(requestTimeout: .seconds(3))
    _ = Self.open(&machine, 1)
    #expect(machine.nextDeadline == Self.start + .seconds(3))
    #expect(machine.expire(now: Self.start + .seconds(2)).isEmpty)
    let expired = machine.expire(now: Self.start + .seconds(3))
    #expect(expired.map(\.stream) == [Self.stream(1)])
    #expect(expired.first?.status.code == .deadlineExceeded)
    #expect(expired.first?.status.message.contains("request_timeout (3s)") == true)
    #expect(expired.first?.reset == true)
    #expect(machine.expire(now: Self.start + .seconds(10)).isEmpty, "expires once")
  }

  @Test("grpc-timeout applies when shorter, also while the answer is computed")
  func clientTimeout() {
    var machine = Self.machine(requestTimeout: .seconds(30))
    _ = Self.open(&machine, 1, extra: [("grpc-timeout", "50m")])
    _ = machine.dataReceived(Self.stream(1), GRPCWireTests.framed([]), endStream: true)
    #expect(machine.isAnswering(Self.stream(1)))
    #expect(machine.nextDeadline == Self.start + .milliseconds(50))
    let expired = machine.expire(now: Self.start + .milliseconds(50))
    #expect(expired.first?.status.message.contains("grpc-timeout 50ms") == true)
    #expect(expired.first?.reset == false)
    #expect(!machine.isAnswering(Self.stream(1)), "a late answer is dropped")
  }

  @Test("a watch outlives request_timeout but not its grpc-timeout")
  func streamingDeadlines() {
    var machine = Self.machine(requestTimeout: .seconds(1))
    _ = Self.open(&machine, 1, extra: [("grpc-timeout", "10S")])
    _ = machine.dataReceived(Self.stream(1), GRPCWireTests.framed([]), endStream: true)
    machine.startedStreaming(Self.stream(1))
    #expect(machine.expire(now: Self.start + .seconds(5)).isEmpty)
    #expect(machine.expire(now: Self.start + .seconds(10)).count == 1)
  }

  @Test("idle only with no call open, for idle_timeout")
  func idle() {
    var machine = Self.machine(idleTimeout: .seconds(2))
    #expect(machine.nextDeadline == Self.start + .seconds(2))
    #expect(machine.isIdle(now: Self.start + .seconds(2)))
    _ = Self.open(&machine, 1, at: Self.start + .seconds(1))
    #expect(!machine.isIdle(now: Self.start + .seconds(5)))
    machine.streamClosed(Self.stream(1), now: Self.start + .seconds(5))
    #expect(!machine.isIdle(now: Self.start + .seconds(6)))
    #expect(machine.isIdle(now: Self.start + .seconds(7)))
  }

  @Test("draining closes once the last call closes")
  func drain() {
    var machine = Self.machine()
    _ = Self.open(&machine, 1)
    #expect(machine.beginDrain() == false)
    #expect(!machine.canClose)
    machine.streamClosed(Self.stream(1), now: Self.start)
    #expect(machine.canClose)
  }

  @Test("the preamble's SETTINGS announce our stream limit")
  func announcedLimit() {
    var buffer = ByteBuffer()
    buffer.writeBytes([0, 0, 12, 0x4, 0, 0, 0, 0, 0])
    buffer.writeInteger(UInt16(3))
    buffer.writeInteger(UInt32(216))
    buffer.writeInteger(UInt16(6))
    buffer.writeInteger(UInt32(16384))
    #expect(AnnouncedStreamLimit.rewrite(&buffer, announced: 100))
    #expect(buffer.getInteger(at: 11, as: UInt32.self) == 100)
    #expect(buffer.getInteger(at: 17, as: UInt32.self) == 16384)
    var ack = ByteBuffer(bytes: [0, 0, 0, 0x4, 0x1, 0, 0, 0, 0])
    #expect(!AnnouncedStreamLimit.rewrite(&ack, announced: 100))
  }
}
