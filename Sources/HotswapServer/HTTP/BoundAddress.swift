import NIOCore
import Synchronization

/// The address the server really listens on — from `getsockname`, so port 0 shows the port the
/// kernel picked and an inherited socket shows its own address — once it is bound. Read by the
/// startup log line and `/status`.
public final class BoundAddress: Sendable {
  private enum State {
    case waiting([Int: CheckedContinuation<SocketAddress?, Never>])
    case settled(SocketAddress?)
  }

  private let state = Mutex<(State, next: Int)>((.waiting([:]), 0))

  /// Creates an address not yet known.
  public init() {}

  /// The bound address; nil while not bound yet or if binding failed.
  public var address: SocketAddress? {
    state.withLock { state in
      if case .settled(let address) = state.0 { return address }
      return nil
    }
  }

  /// `127.0.0.1:8080` or `[::1]:8080`, once bound.
  public var description: String? {
    address.map(Self.describe)
  }

  /// Waits until the server is bound (the address) or failed to bind (nil).
  public func wait() async -> SocketAddress? {
    await withCheckedContinuation { continuation in
      let settled: SocketAddress?? = state.withLock { state in
        switch state.0 {
        case .settled(let address):
          return .some(address)
        case .waiting(var waiters):
          waiters[state.next] = continuation
          state.next += 1
          state.0 = .waiting(waiters)
          return nil
        }
      }
      if let settled { continuation.resume(returning: settled) }
    }
  }

  /// Records the outcome of binding (nil: it failed); later calls do nothing.
  func settle(_ address: SocketAddress?) {
    let waiters: [CheckedContinuation<SocketAddress?, Never>] = state.withLock { state in
      guard case .waiting(let waiters) = state.0 else { return [] }
      state.0 = .settled(address)
      return Array(waiters.values)
    }
    for waiter in waiters { waiter.resume(returning: address) }
  }

  /// `host:port`, IPv6 hosts in brackets.
  public static func describe(_ address: SocketAddress) -> String {
    let host = address.ipAddress ?? "\(address)"
    let port = address.port.map(String.init) ?? "?"
    // A Character, not a String: Foundation's `contains(_: StringProtocol)` would link all of Foundation
    // and ICU (+40 MB in the static binary).
    return host.contains(":" as Character) ? "[\(host)]:\(port)" : "\(host):\(port)"
  }
}
