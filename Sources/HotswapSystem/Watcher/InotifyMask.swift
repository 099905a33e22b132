#if canImport(Glibc)
import Glibc
#endif

/// The inotify event bits the watcher uses, as a typed set.
struct InotifyMask: OptionSet, Hashable, Sendable {
  let rawValue: UInt32

  static let modify = InotifyMask(rawValue: UInt32(IN_MODIFY))
  static let attributes = InotifyMask(rawValue: UInt32(IN_ATTRIB))
  static let closeWrite = InotifyMask(rawValue: UInt32(IN_CLOSE_WRITE))
  static let movedFrom = InotifyMask(rawValue: UInt32(IN_MOVED_FROM))
  static let movedTo = InotifyMask(rawValue: UInt32(IN_MOVED_TO))
  static let create = InotifyMask(rawValue: UInt32(IN_CREATE))
  static let delete = InotifyMask(rawValue: UInt32(IN_DELETE))
  static let deleteSelf = InotifyMask(rawValue: UInt32(IN_DELETE_SELF))
  static let moveSelf = InotifyMask(rawValue: UInt32(IN_MOVE_SELF))
  static let unmount = InotifyMask(rawValue: UInt32(IN_UNMOUNT))
  static let queueOverflow = InotifyMask(rawValue: UInt32(IN_Q_OVERFLOW))
  static let ignored = InotifyMask(rawValue: UInt32(IN_IGNORED))
  static let onlyDirectory = InotifyMask(rawValue: UInt32(IN_ONLYDIR))
  static let isDirectory = InotifyMask(rawValue: UInt32(IN_ISDIR))

  /// Entry events that may change what the config path reads. `IN_MODIFY` is deliberately absent:
  /// a writer still holding the file open is mid-write, and its `IN_CLOSE_WRITE` follows.
  static let configEntry: InotifyMask = [.closeWrite, .movedTo, .movedFrom, .create, .delete, .attributes]
  /// Entry events that mean a model file (or a symlink on its path) has been replaced.
  static let modelEntry: InotifyMask = [.closeWrite, .movedTo, .create]
  /// Entry events that end a save: after them the entry holds its new content.
  static let endsSave: InotifyMask = [.closeWrite, .movedTo, .attributes]
  /// Events on a watched directory itself that end or invalidate its watch.
  static let directoryGone: InotifyMask = [.deleteSelf, .moveSelf, .ignored, .unmount]
  /// What every directory watch asks the kernel for.
  static let directoryWatch: InotifyMask =
    configEntry.union(modelEntry).union([.deleteSelf, .moveSelf, .onlyDirectory])
}

/// One inotify event copied out of libinotifytools' static buffer.
struct InotifyEvent: Equatable, Sendable {
  /// The watch descriptor, `-1` for a queue overflow.
  var watchDescriptor: CInt
  /// The event bits.
  var mask: InotifyMask
  /// The entry's name inside the watched directory, empty for events on the directory itself.
  var name: String
}
