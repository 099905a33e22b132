/// What `GET /v2` and gRPC ServerMetadata report besides the version.
public enum ServerMetadataDocument {
  /// The server's name.
  public static let name = "hotswap"
  /// The protocol extensions served: the binary tensor data extension of the REST protocol.
  public static let extensions = ["binary_tensor_data"]
}
