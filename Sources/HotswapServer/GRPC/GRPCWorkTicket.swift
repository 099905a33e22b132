import Synchronization

/// Shared between a call answered off the event loop and its connection: the connection marks it
/// when the deadline passes or the client resets the stream, and the work checks it before it
/// starts (dropped unstarted) and when it ends (a model that ran past the deadline counts as the
/// slot's error).
final class GRPCWorkTicket: Sendable {
  /// Why the call no longer wants its answer.
  enum Abandonment: UInt8 {
    case none = 0
    /// The deadline (`grpc-timeout` or `request_timeout`) passed.
    case deadline = 1
    /// The client reset the stream or the connection closed.
    case cancelled = 2
  }

  private let state = Atomic<UInt8>(Abandonment.none.rawValue)

  init() {}

  /// Records why the answer is no longer wanted (the first reason wins).
  func abandon(_ reason: Abandonment) {
    _ = state.compareExchange(
      expected: Abandonment.none.rawValue,
      desired: reason.rawValue,
      ordering: .relaxed
    )
  }

  /// Why the answer is no longer wanted, if it is not.
  var abandonment: Abandonment {
    Abandonment(rawValue: state.load(ordering: .relaxed)) ?? .none
  }
}
