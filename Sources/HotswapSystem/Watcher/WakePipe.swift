#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking pipe that wakes the watcher thread out of `poll` (a new subscriber, `stop()`).
struct WakePipe: Sendable {
  /// The end the watcher thread polls.
  let readEnd: CInt
  /// The end other threads write a byte to.
  let writeEnd: CInt

  /// Opens the pipe, close-on-exec and non-blocking.
  static func open() throws(WatcherError) -> WakePipe {
    var ends: [CInt] = [-1, -1]
    // `pipe2` is not visible to Swift without _GNU_SOURCE; set the flags right after `pipe`.
    guard pipe(&ends) == 0, ends.allSatisfy(Self.makeNonBlockingCloseOnExec) else {
      let code = errno
      for end in ends where end >= 0 { close(end) }
      throw WatcherError(
        .initializationFailed,
        "cannot create the watcher's wake-up pipe: \(WatcherError.describe(errno: code))",
        errno: code
      )
    }
    return WakePipe(readEnd: ends[0], writeEnd: ends[1])
  }

  private static func makeNonBlockingCloseOnExec(_ descriptor: CInt) -> Bool {
    let status = fcntl(descriptor, F_GETFL)
    let descriptorFlags = fcntl(descriptor, F_GETFD)
    return status >= 0 && descriptorFlags >= 0
      && fcntl(descriptor, F_SETFL, status | O_NONBLOCK) == 0
      && fcntl(descriptor, F_SETFD, descriptorFlags | FD_CLOEXEC) == 0
  }

  /// Wakes the thread; a full pipe already holds a pending wake-up, so `EAGAIN` is fine.
  func wake() {
    var byte: UInt8 = 1
    _ = write(writeEnd, &byte, 1)
  }

  /// Empties the pipe after a wake-up.
  func drain() {
    var buffer = [UInt8](repeating: 0, count: 64)
    while buffer.withUnsafeMutableBytes({ read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
  }
}
