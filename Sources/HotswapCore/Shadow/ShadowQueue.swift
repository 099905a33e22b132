import Synchronization

/// A bounded multi-producer queue without locks (Dmitry Vyukov's bounded MPMC ring): each cell
/// carries a sequence number that says whether it is free for the producer at a position or full
/// for the consumer at it; a push or a pop is one compare-and-exchange on its position plus one
/// load and one store on the cell. A full queue refuses the push at once — the request path never
/// waits. Elements are moved in and out; the storage is allocated once.
public final class ShadowQueue<Element: Sendable>: @unchecked Sendable {
  // @unchecked: `cells` is written only by the producer that won a position and read only by the
  // consumer that won it, ordered by the cell's sequence number (release store, acquire load).

  /// The most elements the queue holds.
  public let capacity: Int
  private let sequences: UnsafeMutablePointer<Atomic<Int>>
  private let cells: UnsafeMutablePointer<Element?>
  private let enqueuePosition = Atomic<Int>(0)
  private let dequeuePosition = Atomic<Int>(0)

  /// Creates an empty queue of `capacity` elements (at least 1).
  public init(capacity: Int) {
    self.capacity = max(1, capacity)
    sequences = .allocate(capacity: self.capacity)
    cells = .allocate(capacity: self.capacity)
    for index in 0..<self.capacity {
      (sequences + index).initialize(to: Atomic(index))
    }
    cells.initialize(repeating: nil, count: self.capacity)
  }

  deinit {
    for index in 0..<capacity { _ = (sequences + index).move() }
    sequences.deallocate()
    cells.deinitialize(count: capacity)
    cells.deallocate()
  }

  /// Adds `element` at the back; false (and the element is dropped) when the queue is full.
  public func push(_ element: consuming Element) -> Bool {
    var position = enqueuePosition.load(ordering: .relaxed)
    while true {
      let cell = position % capacity
      let sequence = sequences[cell].load(ordering: .acquiring)
      let lag = sequence &- position
      if lag == 0 {
        let (won, current) = enqueuePosition.weakCompareExchange(
          expected: position,
          desired: position &+ 1,
          ordering: .relaxed
        )
        if won {
          cells[cell] = element
          sequences[cell].store(position &+ 1, ordering: .releasing)
          return true
        }
        position = current
      } else if lag < 0 {
        return false
      } else {
        position = enqueuePosition.load(ordering: .relaxed)
      }
    }
  }

  /// Takes the front element, nil when the queue is empty.
  public func pop() -> Element? {
    var position = dequeuePosition.load(ordering: .relaxed)
    while true {
      let cell = position % capacity
      let sequence = sequences[cell].load(ordering: .acquiring)
      let lag = sequence &- (position &+ 1)
      if lag == 0 {
        let (won, current) = dequeuePosition.weakCompareExchange(
          expected: position,
          desired: position &+ 1,
          ordering: .relaxed
        )
        if won {
          let element = cells[cell].take()
          sequences[cell].store(position &+ capacity, ordering: .releasing)
          return element
        }
        position = current
      } else if lag < 0 {
        return nil
      } else {
        position = dequeuePosition.load(ordering: .relaxed)
      }
    }
  }

  /// Elements in the queue now (a moment's estimate while others push and pop).
  public var count: Int {
    let pushed = enqueuePosition.load(ordering: .relaxed)
    let popped = dequeuePosition.load(ordering: .relaxed)
    return min(capacity, max(0, pushed &- popped))
  }
}
