import Testing

@testable import HotswapSystem

@Suite("WatchTable: watch descriptors and libinotifytools keys")
struct WatchTableTests {
  @Test("the plan adds missing directories and removes unneeded descriptors")
  func plan() {
    var table = WatchTable()
    table.insert(directory: "/a", descriptor: 1, key: "/a/")
    table.insert(directory: "/b", descriptor: 2, key: "/b/")
    let plan = table.plan(needed: ["/b", "/c", "/d"])
    #expect(plan.add == ["/c", "/d"])
    #expect(plan.remove == [1])
    #expect(table.directories(for: 2) == ["/b"])
    #expect(table.directories(for: 9).isEmpty)
  }

  @Test("a directory the kernel dropped gets a fresh library key when watched again")
  func staleKeys() {
    var table = WatchTable()
    #expect(table.libraryKey(for: "/c") == "/c/")
    table.insert(directory: "/c", descriptor: 1, key: "/c/")
    table.died(1)
    #expect(table.watchedDirectories.isEmpty)
    #expect(table.libraryKey(for: "/c") == "/c/./")
    table.insert(directory: "/c", descriptor: 2, key: "/c/./")
    table.died(2)
    #expect(table.libraryKey(for: "/c") == "/c/././")
    #expect(table.libraryKey(for: "/") == "/")
  }

  @Test("a watch removed successfully frees its key; a failed removal does not")
  func removal() {
    var table = WatchTable()
    table.insert(directory: "/c", descriptor: 1, key: "/c/")
    table.removed(1, librarySucceeded: true)
    #expect(table.libraryKey(for: "/c") == "/c/")
    table.insert(directory: "/c", descriptor: 2, key: "/c/")
    table.removed(2, librarySucceeded: false)
    #expect(table.libraryKey(for: "/c") == "/c/./")
  }

  @Test("the backoff doubles up to its bound and resets")
  func backoff() {
    var backoff = RetryBackoff()
    let delays = (0..<10).map { _ in backoff.next() }
    #expect(delays.prefix(3) == [.milliseconds(10), .milliseconds(20), .milliseconds(40)])
    #expect(delays.last == RetryBackoff.maximum)
    #expect(delays.allSatisfy { $0 <= RetryBackoff.maximum })
    backoff.reset()
    #expect(backoff.next() == RetryBackoff.initial)
  }
}
