import Logging

/// One ``ConfigWatcher`` as the hub sees it: its paths, what they resolve through, its stream.
struct HubSubscriber: Sendable {
  /// The config file's absolute path.
  let configPath: String
  /// Model paths as given, mapped to their absolute form.
  var modelPaths: [String: String] = [:]
  /// The directory entries the paths currently depend on.
  var interests = SubscriberInterests()
  /// When to re-try watches that could not be added, if any are missing.
  var retryAt: ContinuousClock.Instant?
  /// The delay before the next re-try.
  var backoff = RetryBackoff()
  /// Where the subscriber's events go.
  let continuation: AsyncStream<WatchEvent>.Continuation
  /// The subscriber's logger.
  let logger: Logger
}
