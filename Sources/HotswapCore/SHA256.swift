/// SHA-256 (FIPS 180-4), used to identify model and config file contents in `/status`, the audit
/// trail and the reload check. Self-contained so the core needs no crypto dependency.
///
/// Blocks are compressed straight from the caller's bytes (no copy unless a block straddles two
/// `update` calls) with the message schedule in one stack buffer per call: no allocation per
/// block. `bench/core/sha256_throughput.sh` measures it against coreutils' `sha256sum`.
public struct SHA256: Sendable {
  private static let roundConstants: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  /// The eight working hash words.
  private struct State {
    var h0: UInt32 = 0x6a09_e667
    var h1: UInt32 = 0xbb67_ae85
    var h2: UInt32 = 0x3c6e_f372
    var h3: UInt32 = 0xa54f_f53a
    var h4: UInt32 = 0x510e_527f
    var h5: UInt32 = 0x9b05_688c
    var h6: UInt32 = 0x1f83_d9ab
    var h7: UInt32 = 0x5be0_cd19
  }

  private var state = State()
  /// The bytes of an incomplete block (fewer than 64), carried to the next `update`.
  private var pending: [UInt8] = []
  private var totalBytes: UInt64 = 0

  /// Creates an empty hash state.
  public init() {}

  /// The lowercase hex digest of `bytes`.
  public static func hexDigest(of bytes: some Collection<UInt8>) -> String {
    var hasher = SHA256()
    hasher.update(bytes)
    return hasher.finalizeHex()
  }

  /// Feeds more bytes.
  public mutating func update(_ bytes: some Collection<UInt8>) {
    let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
      update(UnsafeRawBufferPointer(buffer))
    }
    guard done == nil else { return }
    // Not contiguous (a lazy view, a set): hash it in 4 KiB pieces.
    var chunk: [UInt8] = []
    chunk.reserveCapacity(4096)
    for byte in bytes {
      chunk.append(byte)
      if chunk.count == 4096 {
        chunk.withUnsafeBytes { update($0) }
        chunk.removeAll(keepingCapacity: true)
      }
    }
    chunk.withUnsafeBytes { update($0) }
  }

  /// Feeds the bytes of `buffer`, compressing whole blocks in place.
  public mutating func update(_ buffer: UnsafeRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    totalBytes &+= UInt64(buffer.count)
    var offset = 0
    if !pending.isEmpty {
      let take = min(64 - pending.count, buffer.count)
      pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
      offset = take
      guard pending.count == 64 else { return }
      pending.withUnsafeBytes { Self.compress(&state, blocks: $0.baseAddress!, count: 1) }
      pending.removeAll(keepingCapacity: true)
    }
    let whole = (buffer.count - offset) / 64
    if whole > 0 {
      Self.compress(&state, blocks: base + offset, count: whole)
      offset += whole * 64
    }
    if offset < buffer.count {
      pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: buffer.count - offset))
    }
  }

  /// Finishes the hash and returns the 32-byte digest.
  public mutating func finalize() -> [UInt8] {
    let bitLength = totalBytes &* 8
    var tail = pending
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    for shift in stride(from: 56, through: 0, by: -8) {
      tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }
    tail.withUnsafeBytes { Self.compress(&state, blocks: $0.baseAddress!, count: $0.count / 64) }
    pending = []
    var digest: [UInt8] = []
    digest.reserveCapacity(32)
    for word in [state.h0, state.h1, state.h2, state.h3, state.h4, state.h5, state.h6, state.h7] {
      digest.append(UInt8(truncatingIfNeeded: word >> 24))
      digest.append(UInt8(truncatingIfNeeded: word >> 16))
      digest.append(UInt8(truncatingIfNeeded: word >> 8))
      digest.append(UInt8(truncatingIfNeeded: word))
    }
    return digest
  }

  /// Finishes the hash and returns the digest as lowercase hex.
  public mutating func finalizeHex() -> String {
    let hexDigits = Array("0123456789abcdef".utf8)
    var chars: [UInt8] = []
    chars.reserveCapacity(64)
    for byte in finalize() {
      chars.append(hexDigits[Int(byte >> 4)])
      chars.append(hexDigits[Int(byte & 0x0f)])
    }
    return String(decoding: chars, as: UTF8.self)
  }

  /// Compresses `count` consecutive 64-byte blocks starting at `blocks`.
  private static func compress(_ state: inout State, blocks: UnsafeRawPointer, count: Int) {
    roundConstants.withUnsafeBufferPointer { constants in
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { words in
        var (a0, b0, c0, d0) = (state.h0, state.h1, state.h2, state.h3)
        var (e0, f0, g0, k0) = (state.h4, state.h5, state.h6, state.h7)
        for blockIndex in 0..<count {
          let block = blocks + blockIndex * 64
          for index in 0..<16 {
            words[index] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
          }
          for index in 16..<64 {
            let w15 = words[index - 15]
            let w2 = words[index - 2]
            let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)
            let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)
            words[index] = words[index - 16] &+ s0 &+ words[index - 7] &+ s1
          }
          var (a, b, c, d) = (a0, b0, c0, d0)
          var (e, f, g, h) = (e0, f0, g0, k0)
          for index in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let choice = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ choice &+ constants[index] &+ words[index]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            h = g
            g = f
            f = e
            e = d &+ t1
            d = c
            c = b
            b = a
            a = t1 &+ s0 &+ majority
          }
          a0 &+= a
          b0 &+= b
          c0 &+= c
          d0 &+= d
          e0 &+= e
          f0 &+= f
          g0 &+= g
          k0 &+= h
        }
        (state.h0, state.h1, state.h2, state.h3) = (a0, b0, c0, d0)
        (state.h4, state.h5, state.h6, state.h7) = (e0, f0, g0, k0)
      }
    }
  }
}

@inline(__always)
private func rotr(_ value: UInt32, _ count: UInt32) -> UInt32 {
  (value >> count) | (value << (32 - count))
}
