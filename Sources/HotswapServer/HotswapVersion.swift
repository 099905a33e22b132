/// The version of this build of Hotswap.
public enum HotswapVersion {
  /// Semantic version of the server.
  public static let current = "0.1.0"
}
