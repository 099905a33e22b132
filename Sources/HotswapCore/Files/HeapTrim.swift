#if canImport(Glibc)
import Glibc
#endif

/// Hands freed heap pages back to the system (glibc's `malloc_trim`), after work that allocated
/// much and freed it all — a large config file parsed. Without it glibc keeps the pages, and a
/// process that once parsed a large file stays that much larger.
enum HeapTrim {
  private typealias Trim = @convention(c) (Int) -> Int32

  /// `malloc_trim`, looked up once; nil where the C library has none (it is a glibc extension that
  /// Swift's Glibc module does not import).
  private static let trim: Trim? = {
    #if canImport(Glibc)
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
    return unsafeBitCast(symbol, to: Trim.self)
    #else
    return nil
    #endif
  }()

  /// Returns free heap memory to the system; a no-op where that is not possible.
  static func releaseFreeMemory() {
    _ = trim?(0)
  }
}
