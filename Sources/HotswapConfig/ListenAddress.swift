/// The host and TCP port the server listens on, written `host:port` or `[ipv6]:port`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
  /// The host name or IP address, without brackets.
  public let host: String
  /// The TCP port, 0…65535 (0 asks the system for a free port).
  public let port: Int

  /// Creates an address from its parts.
  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  /// Parses `host:port`, `[ipv6]:port`; `nil` if the text has another shape or the port is out of
  /// range.
  public init?(parsing text: String) {
    let host: Substring
    let portText: Substring
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { return nil }
      host = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      guard rest.hasPrefix(":") else { return nil }
      portText = rest.dropFirst()
      guard host.contains(":" as Character) else { return nil }
    } else {
      guard let colon = text.lastIndex(of: ":") else { return nil }
      host = text[..<colon]
      portText = text[text.index(after: colon)...]
      guard !host.contains(":" as Character) else { return nil }
    }
    guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
    guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit),
      let port = Int(portText), port <= 65_535
    else { return nil }
    self.init(host: String(host), port: port)
  }

  /// `host:port`, with the host in brackets when it is an IPv6 address.
  public var description: String {
    host.contains(":" as Character) ? "[\(host)]:\(port)" : "\(host):\(port)"
  }
}

extension Character {
  var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
