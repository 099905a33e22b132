// Service lifecycle logs every service by its description ("Starting service", "Service
// finished"); without these, a debug log printed each struct's stored properties in full.

extension DeliveryService: CustomStringConvertible {
  /// The name in lifecycle logs.
  var description: String { "delivery (guard and rollout)" }
}

extension StatusHistoryService: CustomStringConvertible {
  /// The name in lifecycle logs.
  var description: String { "status history" }
}

extension ReloadService: CustomStringConvertible {
  /// The name in lifecycle logs.
  var description: String { "reload (config watcher)" }
}

extension ServerService: CustomStringConvertible {
  /// The name in lifecycle logs.
  var description: String { "server" }
}

extension WatchdogService: CustomStringConvertible {
  /// The name in lifecycle logs.
  var description: String { "systemd watchdog" }
}

extension ShadowService: CustomStringConvertible {
  /// The name in lifecycle logs.
  var description: String { "shadow" }
}
