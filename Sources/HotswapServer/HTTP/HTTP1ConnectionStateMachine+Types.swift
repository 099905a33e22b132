import NIOCore
import NIOHTTP1

extension HTTP1ConnectionStateMachine {
  /// Limits and timeouts.
  struct Configuration: Sendable {
    /// Largest request body (`max_body_bytes`).
    var maxBodyBytes: Int
    /// Largest header block, URI included (`max_header_bytes`).
    var maxHeaderBytes: Int
    /// Closes a connection with nothing in progress (`idle_timeout`).
    var idleTimeout: TimeAmount
    /// Bounds reading and answering one request (`request_timeout`).
    var requestTimeout: TimeAmount
    /// How long a closing connection keeps discarding input after its last response.
    var lingerTimeout: TimeAmount = .seconds(2)
    /// How long an idle connection waits for one more request once draining starts.
    var drainGrace: TimeAmount = DrainEvent.idleGrace

    /// The longest the handler's timer may wait between checks: a deadline set later is never
    /// earlier than a timer armed now (see `HTTP1ConnectionHandler.syncTimer`).
    var timerPeriod: TimeAmount { min(idleTimeout, requestTimeout) }
  }

  /// One event from the request decoder.
  enum Input {
    case part(HTTPServerRequestPart)
    /// The bytes are not HTTP/1.1; the description says why.
    case malformed(String)
  }

  /// How a response's bytes frame it.
  struct Framing: Equatable {
    var version: HTTPVersion
    /// HEAD: the headers of the response without its body.
    var headOnly: Bool
    var connection: HTTP1ResponseEncoder.ConnectionHeader

    /// Whether the connection ends after this response.
    var closes: Bool { connection == .close }
  }

  /// What the handler does next.
  enum Action: Equatable {
    /// Nothing to do (input held or dropped, or more of the request to come).
    case nothing
    /// Send `100 Continue`: the client waits for it before sending the body.
    case writeContinue
    /// Route the complete request, then call `responded` or `offloaded`.
    case route(HTTPRequestHead, ByteBuffer)
    /// Write the response. When its framing closes the connection, call `finalResponseWritten`
    /// once it is written.
    case write(RESTResponse, Framing)
    /// Close the output (the client reads the end of the stream after every answer) and keep
    /// reading, to discard.
    case closeOutput
    /// Close once everything written so far has been sent.
    case closeWhenFlushed
    /// The offloaded work ran out of time: try to expire it (`OffloadedWork.expire()`), and if
    /// that succeeds, call `offloadExpired`.
    case expireOffload
    /// Close the connection now.
    case close
  }

  /// A request whose head has arrived.
  struct Request {
    var head: HTTPRequestHead
    /// When its first byte arrived: `request_timeout` runs from here.
    var started: NIODeadline
  }
}
