/// Where a `GET` goes: host (brackets removed from IPv6 literals), port, request target.
struct HTTPTarget: Equatable {
  var host: String
  var port: UInt16
  var path: String

  /// A target from its parts.
  init(host: String, port: UInt16, path: String) {
    self.host = host
    self.port = port
    self.path = path
  }

  /// The `Host` header: the host, in brackets for IPv6, and the port.
  var hostHeader: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

  /// Parses `http://host[:port][/path][?query]`; port 80 by default, path `/` by default.
  init(_ url: String) throws(HTTPGetError) {
    guard url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .invalidURL(url) }
    guard let schemeEnd = url.firstRange(of: "://") else { throw .invalidURL(url) }
    guard url[..<schemeEnd.lowerBound].lowercased() == "http" else { throw .unsupportedScheme(url) }
    let rest = url[schemeEnd.upperBound...].prefix { $0 != "#" }
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    let target = rest[authorityEnd...]
    path = target.hasPrefix("/") ? String(target) : "/" + target
    var portText: Substring = ""
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(url) }
      host = String(authority[authority.index(after: authority.startIndex)..<close])
      let after = authority[authority.index(after: close)...]
      guard after.isEmpty || after.hasPrefix(":") else { throw .invalidURL(url) }
      portText = after.dropFirst()
    } else if let colon = authority.lastIndex(of: ":") {
      host = String(authority[..<colon])
      portText = authority[authority.index(after: colon)...]
    } else {
      host = String(authority)
    }
    guard !host.isEmpty, !host.contains("@"), !host.contains("[") else { throw .invalidURL(url) }
    if portText.isEmpty {
      port = 80
    } else {
      guard let number = UInt16(portText), number > 0 else { throw .invalidURL(url) }
      port = number
    }
  }
}
