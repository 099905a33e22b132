import HotswapCore
import Synchronization
import Testing

@Suite("Shadow queue: bounded, lock-free, loses nothing it accepted")
struct ShadowQueueTests {
  final class Box: Sendable {
    let value: Int
    init(_ value: Int) { self.value = value }
  }

  @Test func firstInFirstOutAndFull() {
    let queue = ShadowQueue<Box>(capacity: 3)
    #expect(queue.push(Box(1)))
    #expect(queue.push(Box(2)))
    #expect(queue.push(Box(3)))
    #expect(!queue.push(Box(4)))
    #expect(queue.count == 3)
    #expect(queue.pop()?.value == 1)
    #expect(queue.push(Box(5)))
    #expect([queue.pop(), queue.pop(), queue.pop()].map { $0?.value } == [2, 3, 5])
    #expect(queue.pop() == nil)
    #expect(queue.count == 0)
  }

  @Test func elementsAreReleased() {
    weak var weakBox: Box?
    do {
      let queue = ShadowQueue<Box>(capacity: 2)
      let box = Box(7)
      weakBox = box
      #expect(queue.push(box))
    }
    #expect(weakBox == nil)
  }

  final class Counters: Sendable {
    let accepted = Atomic<Int>(0)
    let acceptedSum = Atomic<Int>(0)
    let done = Atomic<Int>(0)
  }

  @Test func concurrentProducersAndAConsumer() async {
    let queue = ShadowQueue<Box>(capacity: 64)
    let counters = Counters()
    let producers = 4
    let perProducer = 20_000
    let consumer = Task {
      var consumed = 0
      var sum = 0
      while counters.done.load(ordering: .acquiring) < producers || queue.count > 0 {
        if let box = queue.pop() {
          consumed += 1
          sum += box.value
        } else {
          await Task.yield()
        }
      }
      while let box = queue.pop() {
        consumed += 1
        sum += box.value
      }
      return (consumed, sum)
    }
    await withTaskGroup(of: Void.self) { group in
      for producer in 0..<producers {
        group.addTask {
          for index in 0..<perProducer {
            let value = producer * perProducer + index
            if queue.push(Box(value)) {
              counters.accepted.add(1, ordering: .relaxed)
              counters.acceptedSum.add(value, ordering: .relaxed)
            }
          }
          counters.done.add(1, ordering: .releasing)
        }
      }
    }
    let (consumed, sum) = await consumer.value
    #expect(consumed == counters.accepted.load(ordering: .relaxed))
    #expect(sum == counters.acceptedSum.load(ordering: .relaxed))
    #expect(consumed > 0)
  }
}
