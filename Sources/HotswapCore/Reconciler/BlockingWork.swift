import Dispatch

/// Runs blocking work — reading and parsing the config file, reading, hashing and warming up
/// models — on a serial dispatch queue of its own, and lets an async caller await the result.
///
/// A private serial queue gets a thread of its own when the work blocks (it targets an
/// overcommitting root queue), so a model that takes seconds to load holds none of the Swift
/// concurrency pool's threads — two on this hardware — and no event loop.
struct BlockingWork: Sendable {
  private let queue: DispatchQueue

  /// A queue named `label` (shown in debuggers and `top -H`).
  init(label: String) {
    queue = DispatchQueue(label: label)
  }

  /// Runs `body` on the queue without waiting for it.
  func start(_ body: @escaping @Sendable () -> Void) {
    queue.async(execute: body)
  }

  /// The result of `body`, run on the queue.
  func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
      queue.async { continuation.resume(returning: body()) }
    }
  }
}
