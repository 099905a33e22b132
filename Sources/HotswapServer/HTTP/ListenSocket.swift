import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The listening socket, made with the system calls themselves so that a failure names the call
/// and its errno (NIO's bootstrap reports them all alike), and its accept queue (backlog) kept:
/// NIO's `withBoundSocket` calls `listen(fd, 128)` on every socket it is given, which shrank the
/// `Backlog=` of systemd's socket (measured: `ss -ltn` showed 128 with `Backlog=1024`).
enum ListenSocket {
  /// The accept queue of sockets we create (the kernel caps it at `net.core.somaxconn`).
  static let backlog: Int32 = 1024

  /// A socket bound to `host:port` and listening; the caller owns the descriptor.
  static func open(host: String, port: Int, described address: String) throws(ListenError) -> CInt {
    let resolved: SocketAddress
    do {
      resolved = try SocketAddress.makeAddressResolvingHost(host, port: port)
    } catch {
      throw ListenError(address: address, call: .resolve, errno: nil, detail: "\(error)")
    }
    let descriptor = socket(
      resolved.protocol.rawValue,
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
      0
    )
    guard descriptor >= 0 else { throw ListenError(address: address, call: .socket, errno: errno) }
    var one: CInt = 1
    guard setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size)) == 0
    else {
      let code = errno
      close(descriptor)
      throw ListenError(address: address, call: .setsockopt, errno: code, detail: "SO_REUSEADDR")
    }
    let bound = resolved.withSockAddr { pointer, length in bind(descriptor, pointer, socklen_t(length)) }
    guard bound == 0 else {
      let code = errno
      close(descriptor)
      throw ListenError(address: address, call: .bind, errno: code, port: port)
    }
    guard listen(descriptor, backlog) == 0 else {
      let code = errno
      close(descriptor)
      throw ListenError(address: address, call: .listen, errno: code)
    }
    return descriptor
  }

  /// The accept queue length of a listening TCP socket, read back from the kernel (`TCP_INFO`
  /// reports it as `tcpi_sacked` for listeners); nil if the socket does not say.
  static func backlog(of descriptor: CInt) -> Int32? {
    var info = tcp_info()
    var length = socklen_t(MemoryLayout<tcp_info>.size)
    guard getsockopt(descriptor, CInt(IPPROTO_TCP), TCP_INFO, &info, &length) == 0,
      info.tcpi_state == UInt8(TCP_LISTEN), info.tcpi_sacked > 0
    else { return nil }
    return Int32(clamping: info.tcpi_sacked)
  }

  /// The port `descriptor` is bound to (`getsockname`), nil if it is not an IP socket.
  static func boundPort(_ descriptor: CInt) -> Int? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let status = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard status == 0 else { return nil }
    return withUnsafePointer(to: &storage) { pointer -> Int? in
      switch Int32(pointer.pointee.ss_family) {
      case AF_INET:
        pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
          Int(UInt16(bigEndian: $0.pointee.sin_port))
        }
      case AF_INET6:
        pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
          Int(UInt16(bigEndian: $0.pointee.sin6_port))
        }
      default:
        nil
      }
    }
  }

  /// Listens again with `backlog`, after NIO's own `listen` replaced it.
  static func restore(backlog: Int32, on descriptor: CInt, described address: String) throws(ListenError) {
    guard listen(descriptor, backlog) == 0 else {
      throw ListenError(address: address, call: .listen, errno: errno, detail: "backlog \(backlog)")
    }
  }
}
