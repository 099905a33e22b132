import HotswapCore
import Testing

/// SHA-256 against the known answers of FIPS 180-4's examples and NIST's CAVP byte-oriented
/// vectors (SHA256ShortMsg), whole and fed in pieces that straddle block boundaries.
@Suite("SHA256")
struct SHA256Tests {
  struct Vector: Sendable, CustomStringConvertible {
    let name: String
    let message: [UInt8]
    let digest: String
    var description: String { name }
  }

  static func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
      let next = text.index(index, offsetBy: 2)
      bytes.append(UInt8(text[index..<next], radix: 16)!)
      index = next
    }
    return bytes
  }

  static let vectors: [Vector] = [
    Vector(
      name: "empty (FIPS 180-4)",
      message: [],
      digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    ),
    Vector(
      name: "abc, one block (FIPS 180-4)",
      message: Array("abc".utf8),
      digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    ),
    Vector(
      name: "448 bits, two blocks (FIPS 180-4)",
      message: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
      digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
    Vector(
      name: "896 bits",
      message: Array(
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
          .utf8
      ),
      digest: "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
    ),
    Vector(
      name: "CAVP ShortMsg Len=8",
      message: hex("d3"),
      digest: "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1"
    ),
    Vector(
      name: "CAVP ShortMsg Len=16",
      message: hex("11af"),
      digest: "5ca7133fa735326081558ac312c620eeca9970d1e70a4b95533d956f072d1f98"
    ),
    Vector(
      name: "CAVP ShortMsg Len=24",
      message: hex("b4190e"),
      digest: "dff2e73091f6c05e528896c4c831b9448653dc2ff043528f6769437bc7b975c2"
    ),
    Vector(
      name: "one million 'a' (FIPS 180-4)",
      message: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000),
      digest: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    ),
  ]

  @Test(arguments: vectors)
  func knownAnswer(_ vector: Vector) {
    #expect(SHA256.hexDigest(of: vector.message) == vector.digest)
  }

  @Test("pieces of any size give the same digest", arguments: [1, 3, 55, 56, 63, 64, 65, 127, 4096])
  func pieces(size: Int) {
    let vector = Self.vectors[3]
    var hasher = SHA256()
    var offset = 0
    while offset < vector.message.count {
      let end = min(offset + size, vector.message.count)
      hasher.update(vector.message[offset..<end])
      offset = end
    }
    #expect(hasher.finalizeHex() == vector.digest)
  }

  @Test func aNonContiguousCollectionHashesLikeItsBytes() {
    let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    #expect(SHA256.hexDigest(of: message.lazy.map { $0 }) == Self.vectors[2].digest)
    var hasher = SHA256()
    hasher.update(message.lazy.map { $0 })
    #expect(hasher.finalize().count == 32)
  }
}
