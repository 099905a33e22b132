#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 `GET` over a TCP socket, for the command line talking to a running
/// server (`hotswap status`, confirming an edit): plain `http://` only, IPv4, IPv6 and host names,
/// `Connection: close`, a body delimited by `Content-Length`, chunked encoding or the end of the
/// stream. No redirects, no TLS, no proxies.
public enum HTTPGet {
  /// The largest response read.
  public static let maximumResponseBytes = 16 << 20

  /// Fetches `url`; `timeout` bounds connecting and every wait for the socket.
  public static func fetch(_ url: String, timeout: Duration) throws(HTTPGetError) -> HTTPGetResponse {
    let target = try HTTPTarget(url)
    let descriptor = try openConnection(to: target, timeout: timeout)
    defer { close(descriptor) }
    let request =
      "GET \(target.path) HTTP/1.1\r\nHost: \(target.hostHeader)\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    try sendAll(Array(request.utf8), on: descriptor, timeout: timeout)
    return try HTTPGetResponse(parsing: receive(on: descriptor, timeout: timeout))
  }

  /// A connected socket to the first of the host's addresses that accepts.
  private static func openConnection(to target: HTTPTarget, timeout: Duration) throws(HTTPGetError) -> CInt {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = CInt(SOCK_STREAM.rawValue)
    hints.ai_protocol = CInt(IPPROTO_TCP)
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(target.host, String(target.port), &hints, &list) == 0, list != nil else {
      throw .cannotResolve(host: target.host)
    }
    defer { freeaddrinfo(list) }
    var failure = HTTPGetError.cannotConnect(host: target.host, port: target.port, reason: "no address")
    var cursor = list
    while let info = cursor?.pointee {
      cursor = info.ai_next
      let descriptor = socket(
        info.ai_family,
        info.ai_socktype | CInt(SOCK_CLOEXEC.rawValue),
        info.ai_protocol
      )
      guard descriptor >= 0 else {
        failure = .cannotConnect(host: target.host, port: target.port, reason: errnoText())
        continue
      }
      setTimeout(timeout, on: descriptor)
      var result: CInt
      repeat {
        result = connect(descriptor, info.ai_addr, info.ai_addrlen)
      } while result < 0 && errno == EINTR
      if result == 0 { return descriptor }
      let code = errno
      close(descriptor)
      failure =
        code == EINPROGRESS || code == EAGAIN
        ? .timedOut(timeout) : .cannotConnect(host: target.host, port: target.port, reason: errnoText(code))
    }
    throw failure
  }

  /// Bounds every send, receive and connect on `descriptor` by `timeout`.
  private static func setTimeout(_ timeout: Duration, on descriptor: CInt) {
    let (seconds, attoseconds) = timeout.components
    var value = timeval(tv_sec: Int(max(0, seconds)), tv_usec: Int(max(0, attoseconds) / 1_000_000_000_000))
    if value.tv_sec == 0, value.tv_usec == 0 { value.tv_usec = 1 }
    let size = socklen_t(MemoryLayout<timeval>.size)
    _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, size)
    _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, size)
  }

  private static func sendAll(_ bytes: [UInt8], on descriptor: CInt, timeout: Duration) throws(HTTPGetError) {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        send(descriptor, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL))
      }
      if sent >= 0 {
        offset += sent
      } else if errno == EAGAIN || errno == EWOULDBLOCK {
        throw .timedOut(timeout)
      } else if errno != EINTR {
        throw .connectionFailed("cannot send the request: \(errnoText())")
      }
    }
  }

  /// Everything the server sends until it closes the connection, or until the body announced by
  /// `Content-Length` is complete.
  private static func receive(on descriptor: CInt, timeout: Duration) throws(HTTPGetError) -> [UInt8] {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count == 0 { return received }
      if count < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut(timeout) }
        throw .connectionFailed("cannot read the response: \(errnoText())")
      }
      received += buffer[..<count]
      guard received.count <= maximumResponseBytes else {
        throw .invalidResponse("larger than \(maximumResponseBytes) bytes")
      }
      if HTTPGetResponse.isComplete(received) { return received }
    }
  }

  private static func errnoText(_ code: CInt = errno) -> String {
    String(cString: strerror(code))
  }
}

/// Why ``HTTPGet/fetch(_:timeout:)`` failed.
public enum HTTPGetError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The URL is not `http://host[:port][/path]`.
  case invalidURL(String)
  /// The URL's scheme is not `http`.
  case unsupportedScheme(String)
  /// The host name did not resolve.
  case cannotResolve(host: String)
  /// No address of the host accepted the connection.
  case cannotConnect(host: String, port: UInt16, reason: String)
  /// The server did not answer in time.
  case timedOut(Duration)
  /// Sending or receiving failed.
  case connectionFailed(String)
  /// The answer is not HTTP.
  case invalidResponse(String)

  /// A sentence for the user.
  public var description: String {
    switch self {
    case .invalidURL(let url): return "invalid URL \(url)"
    case .unsupportedScheme(let url): return "only http:// URLs are supported: \(url)"
    case .cannotResolve(let host): return "Could not resolve host: \(host)"
    case .cannotConnect(let host, let port, let reason):
      return "Failed to connect to \(host) port \(port): \(reason)"
    case .timedOut(let timeout): return "no answer within \(timeout)"
    case .connectionFailed(let reason): return reason
    case .invalidResponse(let reason): return "not an HTTP response: \(reason)"
    }
  }
}

/// A response: status code, headers in order, body (chunked encoding already decoded).
public struct HTTPGetResponse: Sendable, Equatable {
  /// The status code.
  public var status: Int
  /// Header fields in order, names as sent.
  public var headers: [HTTPGetHeader]
  /// The body.
  public var body: [UInt8]

  /// The first value of header `name` (any case).
  public func header(_ name: String) -> String? {
    Self.value(of: name, in: headers)
  }

  private static func value(of name: String, in headers: [HTTPGetHeader]) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  private static let headerEnd: [UInt8] = Array("\r\n\r\n".utf8)

  /// Parses a whole response as read until the connection closed.
  init(parsing bytes: [UInt8]) throws(HTTPGetError) {
    guard !bytes.isEmpty else { throw .invalidResponse("the server closed the connection without answering") }
    guard let end = bytes.firstRange(of: Self.headerEnd) else { throw .invalidResponse("incomplete header") }
    let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
      .split(separator: "\r\n", omittingEmptySubsequences: false)
    let statusLine = lines[0].split(separator: " ", maxSplits: 2)
    guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
      throw .invalidResponse("bad status line '\(lines[0].prefix(80))'")
    }
    let headers = lines.dropFirst().compactMap { line -> HTTPGetHeader? in
      guard let colon = line.firstIndex(of: ":") else { return nil }
      return HTTPGetHeader(
        name: String(line[..<colon]),
        value: Self.trimmed(line[line.index(after: colon)...])
      )
    }
    self.status = status
    self.headers = headers
    let rest = Array(bytes[end.upperBound...])
    if Self.value(of: "Transfer-Encoding", in: headers)?.lowercased().contains("chunked") == true {
      body = try Self.dechunked(rest)
    } else if let text = Self.value(of: "Content-Length", in: headers) {
      guard let length = Int(text), length >= 0 else {
        throw .invalidResponse("bad Content-Length '\(text)'")
      }
      guard rest.count >= length else {
        throw .invalidResponse("the body ended after \(rest.count) of \(length) bytes")
      }
      body = Array(rest.prefix(length))
    } else {
      body = rest
    }
  }

  /// Whether `bytes` hold a header with `Content-Length` and the whole body it announces.
  static func isComplete(_ bytes: [UInt8]) -> Bool {
    guard let end = bytes.firstRange(of: headerEnd) else { return false }
    let header = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).lowercased()
    guard !header.contains("transfer-encoding:"),
      let line = header.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
      let length = Int(trimmed(line.dropFirst("content-length:".count)))
    else { return false }
    return bytes.count - end.upperBound >= length
  }

  /// The body of a chunked response: hex size lines, each chunk followed by CRLF, a zero size last.
  private static func dechunked(_ bytes: [UInt8]) throws(HTTPGetError) -> [UInt8] {
    var body: [UInt8] = []
    var index = 0
    while true {
      guard let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) else {
        throw .invalidResponse("truncated chunked body")
      }
      let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
      guard let size = Int(trimmed(sizeText.prefix { $0 != ";" }), radix: 16), size >= 0 else {
        throw .invalidResponse("bad chunk size '\(sizeText.prefix(20))'")
      }
      index = lineEnd.upperBound
      if size == 0 { return body }
      guard bytes.count - index >= size + 2 else { throw .invalidResponse("truncated chunked body") }
      body += bytes[index..<(index + size)]
      index += size + 2
    }
  }

  private static func trimmed(_ text: some StringProtocol) -> String {
    String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
  }
}

/// One header field of an ``HTTPGetResponse``.
public struct HTTPGetHeader: Sendable, Equatable {
  /// The name as sent.
  public var name: String
  /// The value without surrounding blanks.
  public var value: String
}

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
