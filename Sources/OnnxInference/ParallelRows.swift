import Dispatch
import FoundationEssentials

/// Splits the rows of a large batch across the machine's cores.
enum ParallelRows {
  /// The number of chunks a large batch is split into.
  static let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

  /// Runs `body` over `0..<rows`, split into per-core chunks when `work` (an estimate of the
  /// elementary steps) is large enough to pay for the thread hand-off, else inline.
  static func run(rows: Int, work: Int, _ body: @Sendable (Range<Int>) -> Void) {
    let chunks = work >= 200_000 && rows >= 32 ? min(workers, rows / 16) : 1
    guard chunks > 1 else {
      body(0..<rows)
      return
    }
    let size = (rows + chunks - 1) / chunks
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
      let start = chunk * size
      let end = min(rows, start + size)
      if start < end { body(start..<end) }
    }
  }
}

/// A pointer handed to the chunks of `ParallelRows`, which read shared rows and write disjoint ones.
struct SharedPointer<Pointer>: @unchecked Sendable {
  let base: Pointer
}
