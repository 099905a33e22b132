import NIOCore
import NIOHPACK
import Testing

@testable import HotswapServer

/// The pure parts of the gRPC wire format: `grpc-timeout`, `grpc-message` encoding, the request
/// head checks and the message reader.
@Suite("gRPC wire format")
struct GRPCWireTests {
  @Test(
    "grpc-timeout in every unit",
    arguments: [
      ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("5S", .seconds(5)),
      ("250m", .milliseconds(250)),
      ("7u", .microseconds(7)), ("9n", .nanoseconds(9)), ("0S", .zero),
      ("99999999H", .seconds(99_999_999 * 3600)),
    ]
  )
  func timeouts(_ text: String, _ expected: Duration) throws {
    #expect(try GRPCTimeout.parse(text).get() == expected)
  }

  @Test(
    "malformed grpc-timeout is INVALID_ARGUMENT, never a trap",
    arguments: [
      "-1S", "-5S", "-1n", "-99999H", "", "S", "1", "123456789S", "1s", "1.5S", "1 S", "+1S", "１S", "1X",
    ]
  )
  func malformedTimeouts(_ text: String) {
    guard case .failure(let status) = GRPCTimeout.parse(text) else {
      Issue.record("'\(text)' was accepted")
      return
    }
    #expect(status.code == .invalidArgument)
    #expect(status.message.contains("is not a timeout"))
  }

  @Test(
    "durations in messages",
    arguments: [
      (Duration.milliseconds(50), "50ms"), (.seconds(30), "30s"), (.milliseconds(1500), "1.5s"),
      (.milliseconds(2050), "2.05s"),
    ]
  )
  func describe(_ duration: Duration, _ text: String) {
    #expect(GRPCTimeout.describe(duration) == text)
  }

  @Test("grpc-message is percent-encoded UTF-8 and decodes back")
  func percentEncoding() {
    let message = "100% of 'grün' ✓\n"
    let encoded = GRPCStatus.percentEncode(message)
    #expect(encoded == "100%25 of 'gr%C3%BCn' %E2%9C%93%0A")
    #expect(GRPCStatus.percentDecode(encoded) == message)
    #expect(GRPCStatus.percentEncode("plain text") == "plain text")
  }

  static func headers(
    method: String = "POST",
    path: String = "/hotswap.v1.PredictionService/Predict",
    contentType: String? = "application/grpc",
    extra: [(String, String)] = []
  ) -> HPACKHeaders {
    var headers: HPACKHeaders = [":method": method, ":scheme": "http", ":path": path]
    if let contentType { headers.add(name: "content-type", value: contentType) }
    for (name, value) in extra { headers.add(name: name, value: value) }
    return headers
  }

  @Test("a well-formed head names its method, timeout and metadata")
  func head() throws {
    let head = try GRPCRequestHead.parse(
      Self.headers(extra: [
        ("grpc-timeout", "100m"), ("x-hotswap-slot", "green"), ("grpc-encoding", "identity"),
      ])
    ).get()
    #expect(head.method == .predict)
    #expect(head.timeout == .milliseconds(100))
    #expect(head.pin == "green")
  }

  @Test(
    "every malformed head gets the answer the protocol prescribes",
    arguments: [
      (headers(method: "GET"), 405, GRPCStatus.Code.internal),
      (headers(contentType: "application/json"), 415, .internal),
      (headers(contentType: nil), 415, .internal),
      (headers(contentType: "application/grpc+json"), 415, .internal),
      (headers(path: "/hotswap.v1.PredictionService/Nope"), 200, .unimplemented),
      (headers(path: "/inference.GRPCInferenceService/ModelConfig"), 200, .unimplemented),
      (headers(path: "/x.Y/Z"), 200, .unimplemented),
      (headers(path: "*"), 200, .unimplemented),
      (headers(extra: [("grpc-encoding", "gzip")]), 200, .unimplemented),
      (headers(extra: [("grpc-timeout", "-1S")]), 200, .invalidArgument),
    ]
  )
  func rejections(_ headers: HPACKHeaders, _ httpStatus: Int, _ code: GRPCStatus.Code) {
    guard case .failure(let rejection) = GRPCRequestHead.parse(headers) else {
      Issue.record("accepted \(headers)")
      return
    }
    #expect(rejection.httpStatus == httpStatus)
    #expect(rejection.status.code == code)
    #expect(!rejection.status.message.isEmpty)
  }

  @Test("a compressed call is told which encodings are accepted")
  func acceptEncoding() {
    guard
      case .failure(let rejection) = GRPCRequestHead.parse(Self.headers(extra: [("grpc-encoding", "gzip")]))
    else {
      Issue.record("gzip was accepted")
      return
    }
    #expect(rejection.headers.contains { $0 == ("grpc-accept-encoding", "identity") })
    #expect(rejection.status.message.contains("'gzip' is not supported"))
  }

  @Test(
    "content types",
    arguments: [
      ("application/grpc", true), ("application/grpc+proto", true), ("application/grpc; charset=utf-8", true),
      ("Application/GRPC", true), ("application/grpc-web", false), ("text/plain", false), ("", false),
    ]
  )
  func contentTypes(_ value: String, _ accepted: Bool) {
    #expect(GRPCRequestHead.isGRPCContentType(value) == accepted)
  }

  static func framed(_ payload: [UInt8], flag: UInt8 = 0, length: UInt32? = nil) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeInteger(flag)
    buffer.writeInteger(length ?? UInt32(payload.count))
    buffer.writeBytes(payload)
    return buffer
  }

  @Test("a message split over many DATA frames is reassembled")
  func splitMessage() throws {
    var reader = GRPCMessageReader(maxMessageBytes: 1000)
    var whole = Self.framed(Array(0..<200))
    while whole.readableBytes > 0 {
      let chunk = whole.readSlice(length: min(7, whole.readableBytes))!
      #expect(reader.append(chunk) == nil)
    }
    let message = try reader.finish().get()
    #expect(Array(message.readableBytesView) == Array(0..<200))
  }

  @Test("flag bytes, sizes and message counts are checked")
  func readerErrors() {
    func status(_ chunks: [ByteBuffer], max: Int = 100) -> GRPCStatus? {
      var reader = GRPCMessageReader(maxMessageBytes: max)
      for chunk in chunks {
        if let failure = reader.append(chunk) { return failure }
      }
      if case .failure(let failure) = reader.finish() { return failure }
      return nil
    }
    #expect(status([Self.framed([1, 2], flag: 2)])?.code == .internal)
    #expect(status([Self.framed([1, 2], flag: 2)])?.message.contains("flag byte is 2") == true)
    #expect(status([Self.framed([1, 2], flag: 1)])?.message.contains("no grpc-encoding") == true)
    let oversize = status([Self.framed([], length: 5000)])
    #expect(oversize?.code == .resourceExhausted)
    #expect(oversize?.message == "request message is 5000 bytes; the limit is 100 (max_message_bytes)")
    #expect(status([])?.message.contains("without a request message") == true)
    #expect(status([Self.framed([1, 2]), Self.framed([3])])?.message.contains("second one") == true)
    #expect(status([Self.framed([1, 2, 3], length: 10)])?.message.contains("3 of 10 bytes") == true)
    #expect(status([ByteBuffer(bytes: [0, 0])])?.message.contains("message prefix") == true)
    #expect(status([Self.framed([])]) == nil, "an empty message is one message")
  }
}
