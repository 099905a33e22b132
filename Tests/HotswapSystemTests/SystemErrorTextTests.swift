import Testing

@testable import HotswapSystem

/// The system errors print snake_case codes (`watch_limit_reached: …`, as docs/watcher.md shows
/// them); the one `CodedError` shape keeps every character.
@Suite("System errors print as before")
struct SystemErrorTextTests {
  @Test(
    "code: message, with the snake_case code",
    arguments: [
      ("\(WatcherError(.watchLimitReached, "raise it", errno: 28))", "watch_limit_reached: raise it"),
      (
        "\(WatcherError.invalidPath("", reason: "the path is empty"))",
        "invalid_path: cannot watch '': the path is empty"
      ),
      (
        "\(SocketActivationError(.descriptorNotOpen, "check the unit"))",
        "descriptor_not_open: check the unit"
      ),
      ("\(SystemdNotifyError(.invalidAddress, "NOTIFY_SOCKET"))", "invalid_address: NOTIFY_SOCKET"),
      ("\(WatcherError.Code.initializationFailed)", "initialization_failed"),
    ]
  )
  func printed(_ printed: String, _ expected: String) {
    #expect(printed == expected)
  }
}
