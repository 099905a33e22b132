/// Where the server listens.
public enum ListenBinding: Sendable, Equatable {
  /// Bind this host and port (port 0 picks a free one).
  case address(host: String, port: Int)
  /// Serve on a listening socket inherited from systemd socket activation.
  case inheritedSocket(fileDescriptor: Int32)
}
