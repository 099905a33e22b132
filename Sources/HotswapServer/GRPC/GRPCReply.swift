import NIOCore
import NIOHPACK
import NIOHTTP2

/// What a unary call answers: its status, its one response message (already length-prefixed) on
/// success, and the metadata sent in both the initial and the trailing metadata (the serving slot
/// and version).
struct GRPCReply {
  /// The call's status.
  var status: GRPCStatus
  /// The framed response message; nil for errors.
  var message: ByteBuffer?
  /// `x-hotswap-slot` and `x-model-version` once the call was routed; empty before.
  var metadata: [(String, String)]

  /// A successful reply.
  init(message: ByteBuffer, metadata: [(String, String)] = []) {
    self.status = .ok
    self.message = message
    self.metadata = metadata
  }

  /// A failed call.
  init(_ status: GRPCStatus, metadata: [(String, String)] = []) {
    self.status = status
    self.message = nil
    self.metadata = metadata
  }

  /// The HTTP/2 frame payloads of this reply: HEADERS, DATA and trailers for a message, or one
  /// trailers-only HEADERS for an error.
  var payloads: [HTTP2Frame.FramePayload] {
    guard let message else {
      return [GRPCFrames.trailersOnly(status, metadata: metadata)]
    }
    return [
      GRPCFrames.responseHeaders(metadata: metadata),
      .data(.init(data: .byteBuffer(message))),
      GRPCFrames.trailers(status, metadata: metadata),
    ]
  }
}

/// Builds the HEADERS payloads of gRPC responses.
enum GRPCFrames {
  /// The response's first HEADERS: `:status 200`, the gRPC content type, and `metadata`.
  static func responseHeaders(metadata: [(String, String)]) -> HTTP2Frame.FramePayload {
    var headers = HPACKHeaders()
    headers.reserveCapacity(2 + metadata.count)
    headers.add(name: ":status", value: "200")
    headers.add(name: "content-type", value: "application/grpc")
    for (name, value) in metadata { headers.add(name: name, value: value) }
    return .headers(.init(headers: headers))
  }

  /// The trailers ending a response: `grpc-status`, `grpc-message` unless OK, and `metadata`.
  static func trailers(_ status: GRPCStatus, metadata: [(String, String)]) -> HTTP2Frame.FramePayload {
    var headers = HPACKHeaders()
    headers.reserveCapacity(2 + metadata.count)
    add(status, to: &headers)
    for (name, value) in metadata { headers.add(name: name, value: value) }
    return .headers(.init(headers: headers, endStream: true))
  }

  /// A whole response in one HEADERS frame (gRPC's "Trailers-Only"), for calls that fail before
  /// sending a message. `httpStatus` is 200 except for requests that are not gRPC calls at all.
  static func trailersOnly(
    _ status: GRPCStatus,
    httpStatus: Int = 200,
    metadata: [(String, String)]
  ) -> HTTP2Frame.FramePayload {
    var headers = HPACKHeaders()
    headers.reserveCapacity(4 + metadata.count)
    headers.add(name: ":status", value: String(httpStatus))
    headers.add(name: "content-type", value: "application/grpc")
    add(status, to: &headers)
    for (name, value) in metadata { headers.add(name: name, value: value) }
    return .headers(.init(headers: headers, endStream: true))
  }

  private static func add(_ status: GRPCStatus, to headers: inout HPACKHeaders) {
    headers.add(name: "grpc-status", value: status.code == .ok ? "0" : String(status.code.rawValue))
    if !status.message.isEmpty {
      headers.add(name: "grpc-message", value: status.encodedMessage, indexing: .nonIndexable)
    }
  }
}
