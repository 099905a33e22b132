import FoundationEssentials
import HotswapCore
import HotswapJSON

/// The `/status` document, shared by the REST route and `hotswap status`.
public struct StatusDocument: Sendable {
  let environment: ServingEnvironment

  /// Creates the document for an environment.
  public init(environment: ServingEnvironment) {
    self.environment = environment
  }

  /// Writes it.
  public func write(into writer: inout JSONWriter) {
    let state = environment.state.value
    let snapshot = environment.store.snapshot
    let observability = environment.observer as? ServerObservability
    let now = DeliveryInstant.now
    writer.beginObject()
    writer.key("generated_at")
    writer.string(Self.iso(now.wall))
    writer.key("server")
    writer.beginObject()
    writer.key("version")
    writer.string(environment.serverVersion)
    writer.key("model_name")
    writer.string(environment.modelName)
    writer.key("listen")
    // The address really bound (port 0 resolved, an inherited socket's own), else the config's.
    writer.string(environment.boundAddress.description ?? environment.settings.listen.description)
    writer.key("started_at")
    writer.string(Self.iso(environment.startedAt))
    writer.key("uptime_seconds")
    writer.number(Date().timeIntervalSince(environment.startedAt))
    writer.endObject()
    writer.key("config_path")
    writer.string(state.configPath)
    writer.key("generation")
    writer.integer(orNull: snapshot.map { Int64($0.generation) })
    writer.key("sticky_header")
    writer.string(orNull: snapshot?.stickyHeader)
    writer.key("slots")
    writer.beginArray()
    for slot in snapshot?.slots ?? [] {
      writer.beginObject()
      writer.key("name")
      writer.string(slot.name)
      writer.key("version")
      writer.string(slot.version)
      writer.key("model")
      writer.string(slot.spec.configuredModel)
      writer.key("model_path")
      writer.string(slot.model.path)
      writer.key("sha256")
      writer.string(slot.model.sha256)
      writer.key("size_bytes")
      writer.integer(Int64(slot.model.fileSize))
      writer.key("loaded_at")
      writer.string(Self.iso(slot.model.loadedAt))
      writer.key("load_ms")
      writer.number(slot.model.loadDuration.milliseconds)
      writer.key("weight")
      writer.number(slot.weight)
      writer.key("share")
      writer.number(slot.share)
      writer.key("features")
      writer.strings(slot.model.schema.featureNames)
      writer.key("stats")
      Self.writeStats(slot: slot.name, observability, now: now, into: &writer)
      writer.endObject()
    }
    writer.endArray()
    writer.key("last_change")
    if let change = state.lastApplied {
      writer.beginObject()
      writer.key("time")
      writer.string(Self.iso(change.time))
      writer.key("generation")
      writer.integer(Int64(change.generation))
      writer.key("summary")
      writer.string(change.summary)
      writer.key("config_sha256")
      writer.string(change.configSHA256)
      writer.endObject()
    } else {
      writer.null()
    }
    writer.key("last_error")
    if let error = state.lastError {
      writer.beginObject()
      writer.key("time")
      writer.string(Self.iso(error.time))
      writer.key("config_sha256")
      writer.string(orNull: error.configSHA256)
      writer.key("errors")
      writer.strings(error.errors)
      writer.endObject()
    } else {
      writer.null()
    }
    writer.key("restart_required")
    writer.string(orNull: state.restartRequired)
    let delivery = observability?.delivery.status(now: now.wall) ?? .idle
    writer.key("metrics_enabled")
    writer.bool(observability?.recording ?? false)
    writer.key("guard")
    Self.writeGuard(delivery, into: &writer)
    writer.key("rollout")
    Self.writeRollout(delivery, into: &writer)
    writer.key("shadow")
    Self.writeShadow(observability, snapshot: snapshot, delivery: delivery, into: &writer)
    writer.key("history")
    Self.writeHistory(observability, into: &writer)
    writer.key("reloads")
    writer.beginObject()
    writer.key("applied")
    writer.integer(Int64(state.appliedCount))
    writer.key("rejected")
    writer.integer(Int64(state.rejectedCount))
    writer.endObject()
    writer.endObject()
  }

  /// A time as the document writes it: ISO 8601, UTC, milliseconds.
  static func iso(_ date: Date) -> String {
    ISO8601Time.string(from: date, fractionalSeconds: true)
  }

}
