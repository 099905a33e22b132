import NIOCore
import NIOHTTP1
import NIOPosix

/// Adds the HTTP/1.1 REST handlers to a connection the sniffer decided is not HTTP/2:
/// `HTTP1InputMonitor`, NIO's request decoder (llhttp), and `HTTP1ConnectionHandler`, which
/// enforces the limits and timeouts and writes complete responses itself.
struct HTTP1Pipeline: Sendable {
  let router: RESTRouter
  let threadPool: NIOThreadPool
  let maxBodyBytes: Int
  let maxHeaderBytes: Int
  let idleTimeout: TimeAmount
  let requestTimeout: TimeAmount

  static let reads = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 16 << 10)

  func configure(_ channel: any Channel) throws {
    let connection = HTTP1ConnectionHandler(
      router: router,
      threadPool: threadPool,
      configuration: HTTP1ConnectionStateMachine.Configuration(
        maxBodyBytes: maxBodyBytes,
        maxHeaderBytes: maxHeaderBytes,
        idleTimeout: idleTimeout,
        requestTimeout: requestTimeout
      )
    )
    // A client that sends its requests and then closes its side still reads the answers.
    try channel.syncOptions?.setOption(.allowRemoteHalfClosure, value: true)
    // At most 16 KiB per read (NIO's default grows to 64 KiB): the decoder parses a whole read
    // at once, so this bounds what one client's pipelined requests cost the event loop in one go
    // (about 450 heads) — bodies just take more, smaller reads.
    try channel.syncOptions?.setOption(.recvAllocator, value: Self.reads)
    let operations = channel.pipeline.syncOperations
    try operations.addHandler(HTTP1InputMonitor(connection: connection))
    try operations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
    try operations.addHandler(connection)
  }
}
