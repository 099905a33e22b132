#if canImport(Glibc)
import Glibc
#endif

/// What `stat(2)` says about a file: its kind, size, permissions and owner. Read through
/// symlinks (`stat`), from an open descriptor (`fstat`), or of a symlink itself (`lstat`).
public struct FileAttributes: Sendable, Equatable {
  /// The kind of file, from the mode's type bits.
  public enum Kind: Sendable, Equatable, CustomStringConvertible {
    case regular
    case directory
    case symbolicLink
    case fifo
    case characterDevice
    case blockDevice
    case socket
    case unknown

    init(mode: mode_t) {
      switch mode & S_IFMT {
      case S_IFREG: self = .regular
      case S_IFDIR: self = .directory
      case S_IFLNK: self = .symbolicLink
      case S_IFIFO: self = .fifo
      case S_IFCHR: self = .characterDevice
      case S_IFBLK: self = .blockDevice
      case S_IFSOCK: self = .socket
      default: self = .unknown
      }
    }

    /// The kind in words, with its article: "a FIFO (named pipe)".
    public var description: String {
      switch self {
      case .regular: "a regular file"
      case .directory: "a directory"
      case .symbolicLink: "a symbolic link"
      case .fifo: "a FIFO (named pipe)"
      case .characterDevice: "a character device"
      case .blockDevice: "a block device"
      case .socket: "a socket"
      case .unknown: "a file of unknown type"
      }
    }
  }

  /// The kind of file.
  public let kind: Kind
  /// Size in bytes (regular files; 0 or meaningless for others).
  public let size: Int
  /// Permission bits (`0o640`), without the type.
  public let permissions: Int
  /// Owner's user id.
  public let userID: UInt32
  /// Owner's group id.
  public let groupID: UInt32

  init(_ status: stat) {
    kind = Kind(mode: status.st_mode)
    size = Int(status.st_size)
    permissions = Int(status.st_mode & 0o7777)
    userID = status.st_uid
    groupID = status.st_gid
  }

  /// The attributes of what `path` names, following symlinks.
  public static func of(path: String) throws(FileError) -> FileAttributes {
    var status = stat()
    guard stat(path, &status) == 0 else { throw .lookup(path, "cannot be inspected", errno: errno) }
    return FileAttributes(status)
  }

  /// The attributes of `path` itself: a symlink is reported as one.
  public static func ofLink(path: String) throws(FileError) -> FileAttributes {
    var status = stat()
    guard lstat(path, &status) == 0 else { throw .lookup(path, "cannot be inspected", errno: errno) }
    return FileAttributes(status)
  }

  /// The attributes of an open file; `path` names it in errors.
  public static func of(descriptor: Int32, path: String) throws(FileError) -> FileAttributes {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw .lookup(path, "cannot be inspected", errno: errno) }
    return FileAttributes(status)
  }

  /// `user:group` by name, falling back to the numeric id for an id with no name.
  public var owner: String {
    "\(Self.userName(userID) ?? String(userID)):\(Self.groupName(groupID) ?? String(groupID))"
  }

  private static func userName(_ id: uid_t) -> String? {
    var entry = passwd()
    var result: UnsafeMutablePointer<passwd>? = nil
    var buffer = [CChar](repeating: 0, count: 16_384)
    guard getpwuid_r(id, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name
    else { return nil }
    return String(cString: name)
  }

  private static func groupName(_ id: gid_t) -> String? {
    var entry = group()
    var result: UnsafeMutablePointer<group>? = nil
    var buffer = [CChar](repeating: 0, count: 16_384)
    guard getgrgid_r(id, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.gr_name
    else { return nil }
    return String(cString: name)
  }
}
