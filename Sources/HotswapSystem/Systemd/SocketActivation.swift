#if canImport(Glibc)
import Glibc
#endif

/// systemd socket activation (`LISTEN_FDS`, `LISTEN_PID`, `LISTEN_FDNAMES`): the server serves on
/// the sockets systemd holds, so restarting the binary refuses no connection.
public enum SocketActivation {
  /// The first passed descriptor (`SD_LISTEN_FDS_START`).
  public static let firstDescriptor: CInt = 3
  /// The variables of the protocol; they are removed once read so children do not inherit them.
  public static let variableNames = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]

  /// The listening sockets passed by systemd (descriptors 3…3+n-1), only when `LISTEN_PID` is this
  /// process; marks them close-on-exec and unsets the variables. Returns `[]` when not activated
  /// or when the variables are malformed — use ``takeInheritedSockets()`` to see why.
  public static func inheritedSockets() -> [InheritedSocket] {
    (try? takeInheritedSockets()) ?? []
  }

  /// Like ``inheritedSockets()``, but reports malformed variables and unopened descriptors.
  public static func takeInheritedSockets() throws(SocketActivationError) -> [InheritedSocket] {
    try take(firstDescriptor: firstDescriptor)
  }

  /// The sockets `environment` announces for process `pid`. Pure.
  ///
  /// Not activated (`[]`): `LISTEN_PID` or `LISTEN_FDS` unset, `LISTEN_PID` another process, or
  /// `LISTEN_FDS=0`. Names come from `LISTEN_FDNAMES` (colon-separated); when their count differs
  /// from `LISTEN_FDS` they are ignored, and an empty name is `nil`.
  public static func parse(
    environment: [String: String],
    pid: pid_t
  ) throws(SocketActivationError)
    -> [InheritedSocket]
  {
    try parse(environment: environment, pid: pid, firstDescriptor: firstDescriptor)
  }

  static func parse(
    environment: [String: String],
    pid: pid_t,
    firstDescriptor: CInt
  ) throws(SocketActivationError) -> [InheritedSocket] {
    guard let pidText = environment["LISTEN_PID"], let countText = environment["LISTEN_FDS"] else {
      return []
    }
    guard let owner = pid_t(pidText), owner > 0 else {
      throw SocketActivationError(
        .malformedVariable,
        "LISTEN_PID='\(pidText)' is not a process id; check the unit's socket activation setup"
      )
    }
    guard owner == pid else { return [] }
    let limit = Int(CInt.max - firstDescriptor)
    guard let count = Int(countText), count >= 0, count <= limit else {
      throw SocketActivationError(
        .malformedVariable,
        "LISTEN_FDS='\(countText)' is not a number of descriptors between 0 and \(limit)"
      )
    }
    let names = environment["LISTEN_FDNAMES"].map {
      $0.split(separator: ":", omittingEmptySubsequences: false)
    }
    let usableNames = names?.count == count ? names : nil
    return (0..<count).map { index in
      let name = usableNames.map { String($0[index]) }
      return InheritedSocket(
        fileDescriptor: firstDescriptor + CInt(index),
        name: name?.isEmpty == false ? name : nil
      )
    }
  }

  /// Reads the live variables, unsets them, checks each descriptor is open and marks it
  /// close-on-exec. `firstDescriptor` is 3 except in tests.
  static func take(firstDescriptor: CInt) throws(SocketActivationError) -> [InheritedSocket] {
    let environment = ProcessEnvironment.values(of: variableNames)
    ProcessEnvironment.unset(variableNames)
    let sockets = try parse(environment: environment, pid: getpid(), firstDescriptor: firstDescriptor)
    for socket in sockets {
      let flags = fcntl(socket.fileDescriptor, F_GETFD)
      guard flags >= 0, fcntl(socket.fileDescriptor, F_SETFD, flags | FD_CLOEXEC) == 0 else {
        throw SocketActivationError(
          .descriptorNotOpen,
          "LISTEN_FDS announces descriptor \(socket.fileDescriptor), but it is not open:"
            + " \(String(cString: strerror(errno))); check that the service was started by its .socket unit"
        )
      }
    }
    return sockets
  }
}
