/// A gRPC call's outcome as the `grpc-status` and `grpc-message` trailers carry it: a code and a
/// message a user can act on. Every gRPC error Hotswap answers is one of these; REST has
/// `HTTPError`.
public struct GRPCStatus: Error, Sendable, Equatable, CustomStringConvertible {
  /// The status codes of the gRPC protocol (`grpc-status`).
  public enum Code: Int, Sendable, CaseIterable {
    case ok = 0
    case cancelled = 1
    case unknown = 2
    case invalidArgument = 3
    case deadlineExceeded = 4
    case notFound = 5
    case alreadyExists = 6
    case permissionDenied = 7
    case resourceExhausted = 8
    case failedPrecondition = 9
    case aborted = 10
    case outOfRange = 11
    case unimplemented = 12
    case `internal` = 13
    case unavailable = 14
    case dataLoss = 15
    case unauthenticated = 16
  }

  /// The code.
  public let code: Code
  /// What went wrong and what to do instead; empty for OK.
  public let message: String

  /// Creates a status.
  public init(_ code: Code, _ message: String = "") {
    self.code = code
    self.message = message
  }

  /// Success.
  public static let ok = GRPCStatus(.ok)

  /// `CODE: message`, as grpcio prints it.
  public var description: String { "\(code): \(message)" }

  /// The message as the `grpc-message` trailer carries it: percent-encoded UTF-8, every byte
  /// outside printable ASCII and `%` itself as `%XX` (gRPC over HTTP/2, "Responses").
  public var encodedMessage: String {
    Self.percentEncode(message)
  }

  /// Percent-encodes `text` for `grpc-message`.
  static func percentEncode(_ text: String) -> String {
    let utf8 = text.utf8
    guard utf8.contains(where: { !isUnreserved($0) }) else { return text }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count + 16)
    for byte in utf8 {
      if isUnreserved(byte) {
        bytes.append(byte)
      } else {
        bytes.append(UInt8(ascii: "%"))
        bytes.append(hexDigit(byte >> 4))
        bytes.append(hexDigit(byte & 0x0F))
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Decodes a percent-encoded `grpc-message`; invalid escapes are kept as they are.
  static func percentDecode(_ text: String) -> String {
    let utf8 = Array(text.utf8)
    guard utf8.contains(UInt8(ascii: "%")) else { return text }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count)
    var index = 0
    while index < utf8.count {
      if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
        let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2])
      {
        bytes.append(high << 4 | low)
        index += 3
      } else {
        bytes.append(utf8[index])
        index += 1
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func isUnreserved(_ byte: UInt8) -> Bool {
    byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%")
  }

  private static func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    default: nil
    }
  }
}
