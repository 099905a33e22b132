import CInotifyTools

#if canImport(Glibc)
import Glibc
#endif

/// The process's one libinotifytools instance. The library keeps global, unsynchronized state, so
/// ``InotifyHub`` makes every call through this type while holding its lock.
struct InotifyTools: Sendable {
  /// The inotify descriptor libinotifytools reads, when it could be identified in `/proc/self/fd`.
  /// With it the hub sleeps in `poll` until an event arrives; without it, it polls the library.
  let fileDescriptor: CInt?

  /// Starts libinotifytools (idempotent in the library) and identifies its descriptor.
  static func initialize() throws(WatcherError) -> InotifyTools {
    let before = Self.inotifyDescriptors()
    guard inotifytools_initialize() != 0 else {
      throw WatcherError.initialization(
        errno: inotifytools_error(),
        maxUserInstances: Self.positive(inotifytools_get_max_user_instances())
      )
    }
    let created = Self.inotifyDescriptors().subtracting(before)
    guard created.count == 1, let descriptor = created.first else {
      return InotifyTools(fileDescriptor: nil)
    }
    // libinotifytools opens the descriptor without close-on-exec; children must not inherit it.
    let flags = fcntl(descriptor, F_GETFD)
    if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
    return InotifyTools(fileDescriptor: descriptor)
  }

  /// Watches `key` (a directory path ending in `/`, see ``WatchTable/libraryKey(for:)``) and
  /// returns its watch descriptor.
  func addWatch(directory: String, key: String, mask: InotifyMask) throws(WatcherError) -> CInt {
    guard inotifytools_watch_file(key, CInt(bitPattern: mask.rawValue)) != 0 else {
      throw WatcherError.watch(
        directory: directory,
        errno: inotifytools_error(),
        maxUserWatches: Self.positive(inotifytools_get_max_user_watches())
      )
    }
    let descriptor = inotifytools_wd_from_filename(key)
    guard descriptor >= 0 else {
      throw WatcherError(
        .watchFailed,
        "libinotifytools added a watch on '\(directory)' but does not know its descriptor"
      )
    }
    return descriptor
  }

  /// Removes a watch; `false` when the kernel had already dropped it (the library keeps a stale
  /// entry then).
  func removeWatch(_ descriptor: CInt) -> Bool {
    inotifytools_remove_watch_by_wd(descriptor) != 0
  }

  /// The next pending event without blocking, or `nil` when none is pending.
  func nextEvent() throws(WatcherError) -> InotifyEvent? {
    // A timeout of 0 makes libinotifytools `select` without waiting (`inotifytools_next_event(0)`
    // would block forever instead).
    guard let event = inotifytools_next_events(0, 1) else {
      let code = inotifytools_error()
      if code == 0 || code == EINTR || code == EAGAIN { return nil }
      throw WatcherError(
        .watchFailed,
        "reading inotify events failed: \(WatcherError.describe(errno: code))",
        errno: code
      )
    }
    var name = ""
    if event.pointee.len > 0 {
      let bytes = UnsafeRawPointer(event) + MemoryLayout<inotify_event>.size
      name = String(cString: bytes.assumingMemoryBound(to: CChar.self))
    }
    return InotifyEvent(
      watchDescriptor: event.pointee.wd,
      mask: InotifyMask(rawValue: event.pointee.mask),
      name: name
    )
  }

  /// The open descriptors of this process that are inotify instances.
  private static func inotifyDescriptors() -> Set<CInt> {
    guard let directory = opendir("/proc/self/fd") else { return [] }
    defer { closedir(directory) }
    var result: Set<CInt> = []
    var target = [CChar](repeating: 0, count: 64)
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
      }
      guard let descriptor = CInt(name) else { continue }
      let count = target.withUnsafeMutableBufferPointer {
        readlink("/proc/self/fd/\(descriptor)", $0.baseAddress!, $0.count - 1)
      }
      guard count > 0 else { continue }
      let link = String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      if link == "anon_inode:inotify" { result.insert(descriptor) }
    }
    return result
  }

  private static func positive(_ value: CInt) -> Int? {
    value > 0 ? Int(value) : nil
  }
}
