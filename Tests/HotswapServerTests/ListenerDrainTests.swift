import NIOCore
import NIOEmbedded
import Testing

@testable import HotswapServer

/// The listener's close waits for connections it accepted and is still setting up; closing it
/// under them would reset requests their clients have already sent.
@Suite struct ListenerDrainTests {
  private func listener(_ drain: ListenerDrain) throws -> EmbeddedChannel {
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addHandler(drain.makeHandler())
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    return channel
  }

  /// Whether `future` has succeeded; `EmbeddedEventLoop` runs everything inline, so no waiting.
  private func succeeded(_ future: EventLoopFuture<Void>) -> Bool {
    var result = false
    future.assumeIsolated().whenSuccess { result = true }
    return result
  }

  @Test func closesAtOnceWhenNothingIsBeingSetUp() throws {
    let drain = ListenerDrain()
    let listener = try listener(drain)
    let closed = listener.close()
    listener.embeddedEventLoop.run()
    #expect(succeeded(closed))
    #expect(!listener.isActive)
    #expect(drain.isDraining)
  }

  @Test func closeWaitsUntilEveryAcceptedConnectionIsActiveOrClosed() throws {
    let drain = ListenerDrain()
    let listener = try listener(drain)
    let first = EmbeddedChannel()
    let second = EmbeddedChannel()
    try second.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2)).wait()
    try listener.writeInbound(first as any Channel)
    try listener.writeInbound(second as any Channel)
    #expect(drain.settingUpCount == 2)

    let closed = listener.close()
    listener.embeddedEventLoop.run()
    #expect(listener.isActive, "closed while two connections were still being set up")
    #expect(!succeeded(closed))
    #expect(drain.isDraining)

    drain.settled(first)
    listener.embeddedEventLoop.run()
    #expect(listener.isActive)

    second.close(promise: nil)  // the other one was dropped before it became active
    second.embeddedEventLoop.run()
    listener.embeddedEventLoop.run()
    #expect(!listener.isActive)
    #expect(succeeded(closed))
    #expect(drain.settingUpCount == 0)
  }

  @Test func closeGoesThroughAfterTheSettleLimit() throws {
    let drain = ListenerDrain()
    let listener = try listener(drain)
    try listener.writeInbound(EmbeddedChannel() as any Channel)
    let closed = listener.close()
    listener.embeddedEventLoop.advanceTime(by: ListenerDrain.settleLimit - .milliseconds(1))
    #expect(listener.isActive)
    listener.embeddedEventLoop.advanceTime(by: .milliseconds(1))
    #expect(!listener.isActive)
    #expect(succeeded(closed))
  }
}
