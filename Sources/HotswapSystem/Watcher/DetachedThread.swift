#if canImport(Glibc)
import Glibc
#endif

/// A detached POSIX thread running one closure, for the work that must not sit on the Swift
/// concurrency pool (the inotify loop blocks in `poll`).
enum DetachedThread {
  /// Starts `body` on a new detached thread named `name` (the kernel keeps 15 bytes); returns 0,
  /// or the `pthread_create` error code when no thread was started.
  static func start(name: String, _ body: @escaping @Sendable () -> Void) -> CInt {
    let context = Unmanaged.passRetained(DetachedThreadContext(name: name, body: body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, nil, runDetachedThread, context)
    guard result == 0 else {
      Unmanaged<DetachedThreadContext>.fromOpaque(context).release()
      return result
    }
    pthread_detach(thread)
    return 0
  }
}

/// What a ``DetachedThread`` runs.
private final class DetachedThreadContext {
  let name: String
  let body: @Sendable () -> Void

  init(name: String, body: @escaping @Sendable () -> Void) {
    self.name = name
    self.body = body
  }
}

/// The thread's entry point: names the thread, then runs the body.
private func runDetachedThread(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
  let context = Unmanaged<DetachedThreadContext>.fromOpaque(raw!).takeRetainedValue()
  nameCurrentThread(context.name)
  context.body()
  return nil
}

/// Names the calling thread (what `ps -L` and debuggers show) through `/proc/thread-self/comm`,
/// as `pthread_setname_np` does.
private func nameCurrentThread(_ name: String) {
  let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
  guard descriptor >= 0 else { return }
  let bytes = Array(name.utf8.prefix(15))
  _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
  close(descriptor)
}
