/// A stable 64-bit hash of a sticky key and a slot name.
///
/// The value depends only on the bytes, never on the process (unlike Swift's `Hasher`, which is
/// seeded per process), so a user keeps their slot across restarts and across replicas.
/// It is FNV-1a over `slot name, 0xFF, key` (UTF-8), finished with the MurmurHash3 64-bit mixer so
/// that every input bit affects every output bit.
public enum StickyHash {
  @usableFromInline static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
  @usableFromInline static let prime: UInt64 = 0x0000_0100_0000_01b3

  /// The hash of `key` for the slot named `slot`.
  @inlinable
  public static func hash(key: some StringProtocol, slot: some StringProtocol) -> UInt64 {
    withBytes(of: key) { key in
      withBytes(of: slot) { slot in hash(key: key, slot: slot) }
    }
  }

  /// The hash of the UTF-8 bytes of a key for the UTF-8 bytes of a slot name.
  public static func hash(key: UnsafeBufferPointer<UInt8>, slot: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var state = offsetBasis
    for byte in slot {
      state = (state ^ UInt64(byte)) &* prime
    }
    state = (state ^ 0xFF) &* prime
    for byte in key {
      state = (state ^ UInt64(byte)) &* prime
    }
    return mix(state)
  }

  /// Calls `body` with the text's UTF-8 bytes, without copying when the text is stored contiguously
  /// (native strings and substrings always are).
  @inlinable
  public static func withBytes<Result>(
    of text: some StringProtocol,
    _ body: (UnsafeBufferPointer<UInt8>) -> Result
  ) -> Result {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) {
      return result
    }
    return Array(text.utf8).withUnsafeBufferPointer(body)
  }

  static func mix(_ value: UInt64) -> UInt64 {
    var x = value
    x ^= x >> 33
    x &*= 0xff51_afd7_ed55_8ccd
    x ^= x >> 33
    x &*= 0xc4ce_b9fe_1a85_ec53
    x ^= x >> 33
    return x
  }

  /// Maps a hash to a number strictly between 0 and 1, uniformly.
  public static func unitInterval(_ hash: UInt64) -> Double {
    (Double(hash >> 11) + 0.5) * 0x1p-53
  }
}
