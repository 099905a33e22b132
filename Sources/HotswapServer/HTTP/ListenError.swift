#if canImport(Glibc)
import Glibc
#endif

/// Why the server could not listen, naming the system call that failed and its errno, with a
/// hint where one helps: "ports below 1024" only for a bind to such a port that was refused,
/// "already in use" for EADDRINUSE.
public struct ListenError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The step that failed.
  public enum Call: String, Sendable {
    /// Resolving the host name.
    case resolve = "getaddrinfo"
    case socket
    case setsockopt
    case bind
    case listen
    case getsockname
    /// NIO taking over the socket.
    case register = "register"
  }

  /// Where it was to listen, as configured (`127.0.0.1:8080`, or the inherited descriptor).
  public let address: String
  /// The call that failed.
  public let call: Call
  /// Its errno, when it set one.
  public let errno: Int32?
  /// The port, for binds (the privileged-port hint).
  public let port: Int?
  /// Extra detail (the socket option, NIO's error).
  public let detail: String?

  /// Creates an error.
  public init(address: String, call: Call, errno: Int32?, port: Int? = nil, detail: String? = nil) {
    self.address = address
    self.call = call
    self.errno = errno
    self.port = port
    self.detail = detail
  }

  public var description: String {
    // "bind failed: Permission denied (errno 13)", "setsockopt SO_REUSEADDR failed: …",
    // "getaddrinfo failed: <resolver's words>"
    var text = "cannot listen on \(address): \(call.rawValue)"
    if let errno {
      if let detail { text += " \(detail)" }
      text += " failed: \(String(cString: strerror(errno))) (errno \(errno))"
    } else {
      text += " failed" + (detail.map { ": \($0)" } ?? "")
    }
    if let hint { text += "; \(hint)" }
    return text
  }

  /// What to do about it, when it is clear.
  public var hint: String? {
    switch (call, errno) {
    case (.bind, EADDRINUSE?):
      return
        "another process has the port (is another hotswap or nginx running? --listen HOST:PORT picks another)"
    case (.bind, EACCES?) where (port.map { $0 > 0 && $0 < 1024 } ?? false):
      return "ports below 1024 need privileges: use a port ≥ 1024, socket activation (hotswap.socket), "
        + "or grant CAP_NET_BIND_SERVICE"
    case (.bind, EADDRNOTAVAIL?):
      return "no interface of this machine has that address; use 127.0.0.1, 0.0.0.0 or one of its addresses"
    case (.resolve, _):
      return "use an IP address or a host name this machine resolves"
    default:
      return nil
    }
  }
}
