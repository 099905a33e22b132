#if canImport(Glibc)
import Glibc
#endif

/// A `sockaddr_un` for a filesystem path or an abstract name (`@name`, stored with a leading NUL
/// byte and no terminator, as systemd writes it in `$NOTIFY_SOCKET`).
struct UnixSocketAddress: Sendable {
  /// The bytes `sun_path` holds.
  static let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

  /// The bytes of `sun_path` that are used (with the terminating NUL for a path).
  let pathBytes: [UInt8]

  /// The address for `text`, or `nil` when it is not absolute, not `@name`, or too long.
  init?(_ text: String) {
    if text.hasPrefix("@") {
      pathBytes = [0] + Array(text.utf8.dropFirst())
      guard text.utf8.count > 1 else { return nil }
    } else if text.hasPrefix("/") {
      pathBytes = Array(text.utf8) + [0]
    } else {
      return nil
    }
    guard pathBytes.count <= Self.capacity, !pathBytes.dropFirst().dropLast().contains(0) else { return nil }
  }

  /// Calls `body` with the address and its exact length.
  func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      raw.copyBytes(from: pathBytes)
    }
    let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + pathBytes.count)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
    }
  }
}
