extension Duration {
  /// The duration in milliseconds, with its fraction (what logs, `/status` and the prediction log
  /// print as `…_ms`).
  public var milliseconds: Double {
    let (seconds, attoseconds) = components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
  }
}
