/// The request header (and gRPC metadata key) that pins a request to a slot or a version.
enum SlotHeader {
  /// `x-hotswap-slot`, lowercased as HTTP/2 and NIO's header lookup expect it.
  static let pin = "x-hotswap-slot"
}
