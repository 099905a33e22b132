import Foundation

/// Runs blocking file I/O (writers that pause on purpose) on a dedicated thread, so it never
/// occupies the Swift concurrency pool that the event consumers run on.
enum BlockingWork {
  static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
      let thread = Thread {
        continuation.resume(with: Swift.Result { try body() })
      }
      thread.start()
    }
  }
}
