/// Bounds on a config file, checked before the TOML library sees it, so that a pathological file
/// (100 MB, 200 000 keys, a key 50 000 levels deep) is rejected in milliseconds with a message
/// naming the limit instead of taking minutes and gigabytes to parse. A real config — even one
/// with the 256 slots a plan may have — is a few hundred keys, a few levels deep, tens of KiB.
public enum ConfigLimits {
  /// The largest config file read: 1 MiB.
  public static let maxFileBytes = 1 << 20
  /// The most keys and table headers in one file.
  public static let maxKeys = 10_000
  /// The deepest nesting: the parts of a table header or dotted key, plus the arrays and inline
  /// tables around a value (`[a.b]` then `c.d = [[1]]` is 6 levels).
  public static let maxNesting = 32
  /// The most problems reported for one file; the rest are counted in one closing line.
  public static let maxReportedErrors = 20
  /// The longest problem message kept; longer ones (quoting a huge key) are cut.
  public static let maxMessageBytes = 512
}
