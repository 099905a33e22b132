import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import HotswapServer

/// Whatever fails while a connection is accepted or set up stays that connection's failure: the
/// listener keeps accepting, refusals are counted, and the log says so without flooding.
@Suite("Listener guard and connection limit")
struct ListenerGuardTests {
  struct SetupFailed: Error {}

  @Test("an error on the listening channel is logged once per interval and never closes it")
  func errorsStayOnTheListener() throws {
    let log = RecordingLogHandler()
    let listener = EmbeddedChannel()
    try listener.pipeline.syncOperations.addHandler(ListenerGuard(logger: log.logger))
    try listener.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    for _ in 0..<50 { listener.pipeline.fireErrorCaught(SetupFailed()) }
    listener.pipeline.fireErrorCaught(TooManyConnections())
    #expect(listener.isActive)
    #expect(log.messages.count == 1)
    #expect(log.messages.first?.contains("the server goes on") == true)
    #expect(throws: Never.self) { try listener.throwIfErrorCaught() }
  }

  @Test("connections over the limit are refused, counted and logged once per interval")
  func limit() {
    let log = RecordingLogHandler()
    let counters = ConnectionCounters()
    let limit = ConnectionLimit(maximum: 2, counters: counters, logger: log.logger)
    #expect(limit.acquire())
    #expect(limit.acquire())
    for _ in 0..<30 { #expect(!limit.acquire()) }
    #expect(counters.open == 2)
    #expect(counters.rejected == 30)
    #expect(log.messages.count == 1)
    #expect(log.messages.first?.contains("connections.max=2") == true)
    limit.release()
    #expect(limit.acquire())
  }
}
