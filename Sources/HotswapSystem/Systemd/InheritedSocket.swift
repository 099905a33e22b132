/// A listening socket passed by systemd socket activation.
public struct InheritedSocket: Sendable, Equatable, Hashable {
  /// The descriptor, `3` for the first socket.
  public let fileDescriptor: CInt
  /// The socket's name from `FileDescriptorName=` (`LISTEN_FDNAMES`), if systemd sent names.
  public let name: String?

  /// Creates a socket description.
  public init(fileDescriptor: CInt, name: String?) {
    self.fileDescriptor = fileDescriptor
    self.name = name
  }
}
