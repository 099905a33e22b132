#if canImport(Glibc)
import Glibc
#endif

/// The local address a listening socket is bound to (`getsockname`), and whether it is the address
/// a config asks for. Under socket activation systemd binds the socket (`ListenStream=`), so
/// `[server] listen` can only be compared, never applied.
public struct SocketName: Sendable, Equatable, CustomStringConvertible {
  /// The numeric host, without brackets: `127.0.0.1`, `::`, `::1`.
  public let host: String
  /// The TCP port.
  public let port: Int

  /// Creates a name from its parts.
  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  /// The address `fileDescriptor` is bound to; `nil` for a socket that is not IPv4 or IPv6 (a
  /// Unix socket) or when `getsockname` fails.
  public static func bound(to fileDescriptor: CInt) -> SocketName? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let result = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
    }
    guard result == 0 else { return nil }
    let family = CInt(storage.ss_family)
    return withUnsafePointer(to: storage) { pointer -> SocketName? in
      switch family {
      case AF_INET:
        return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
          var raw = address.pointee.sin_addr
          let port = Int(UInt16(bigEndian: address.pointee.sin_port))
          return numeric(AF_INET, &raw).map { SocketName(host: $0, port: port) }
        }
      case AF_INET6:
        return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
          var raw = address.pointee.sin6_addr
          let port = Int(UInt16(bigEndian: address.pointee.sin6_port))
          return numeric(AF_INET6, &raw).map { SocketName(host: $0, port: port) }
        }
      default:
        return nil
      }
    }
  }

  private static func numeric<Address>(_ family: CInt, _ address: inout Address) -> String? {
    let capacity = Int(INET6_ADDRSTRLEN) + 1
    var buffer = [CChar](repeating: 0, count: capacity)
    let done = withUnsafePointer(to: &address) { inet_ntop(family, $0, &buffer, socklen_t(capacity)) }
    guard done != nil else { return nil }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Whether a server configured for `host`:`port` would listen here. Pure.
  ///
  /// Port 0 (any free port) matches every port. `0.0.0.0`, `::` and `*` all mean every interface;
  /// `localhost` is either loopback address; an IPv4-mapped IPv6 address is its IPv4 address. A
  /// host that is a name other than `localhost` cannot be compared without resolving it, so only
  /// its port is compared.
  public func serves(host configuredHost: String, port configuredPort: Int) -> Bool {
    if configuredPort != 0, configuredPort != port { return false }
    let bound = Self.kind(of: host)
    let configured = Self.kind(of: configuredHost)
    switch (configured, bound) {
    case (.name, _): return true
    case (.loopbackName, .address(let address)): return address == "127.0.0.1" || address == "::1"
    default: return configured == bound
    }
  }

  /// `host:port`, with the host in brackets when it is an IPv6 address.
  public var description: String {
    host.contains(":" as Character) ? "[\(host)]:\(port)" : "\(host):\(port)"
  }

  private enum HostKind: Equatable {
    case everyInterface
    case loopbackName
    case address(String)
    case name
  }

  private static func kind(of host: String) -> HostKind {
    let lowered = host.lowercased()
    if lowered == "*" || lowered.isEmpty { return .everyInterface }
    if lowered == "localhost" { return .loopbackName }
    guard let canonical = canonicalAddress(lowered) else { return .name }
    if canonical == "0.0.0.0" || canonical == "::" { return .everyInterface }
    return .address(canonical)
  }

  /// The address in `inet_ntop`'s spelling (an IPv4-mapped IPv6 address as IPv4), or `nil` when
  /// `text` is not a numeric address.
  private static func canonicalAddress(_ text: String) -> String? {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 { return numeric(AF_INET, &v4) }
    var v6 = in6_addr()
    guard inet_pton(AF_INET6, text, &v6) == 1, let spelled = numeric(AF_INET6, &v6) else { return nil }
    if spelled.hasPrefix("::ffff:"), spelled.contains("." as Character) {
      return String(spelled.dropFirst("::ffff:".count))
    }
    return spelled
  }
}
