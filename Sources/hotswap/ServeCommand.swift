import ArgumentParser
import FoundationEssentials
import HotswapConfig
import HotswapCore
import HotswapServer
import HotswapSystem
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// `hotswap serve`: load every slot, bind the port, serve, and apply every saved change.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the plan in the config file and apply every change saved to it."
  )

  @OptionGroup var options: ConfigOptions

  @Option(help: "Serve only this slot, at 100 % (one colour of the nginx blue/green variant).")
  var onlySlot: String?

  @Option(help: "Listen on HOST:PORT instead of [server] listen (port 0 picks a free port).")
  var listen: String?

  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel: String = "info"

  @Flag(
    help: "Do not observe requests: no /metrics, no live numbers, the guard cannot judge (for benchmarks)."
  )
  var noMetrics = false

  func run() async throws {
    let level = Logger.Level(rawValue: logLevel) ?? .info
    let withTime = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] == nil
    LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, level: level, includeTime: withTime) }
    let logger = Logger(label: "hotswap")
    let configPath = options.path
    let started = ContinuousClock.now
    let startedAt = Date()

    // Watch before the first read, so a save made while the models load is not missed.
    let watcher: ConfigWatcher
    do {
      watcher = try ConfigWatcher(configPath: configPath, logger: logger)
    } catch {
      StandardStream.error("hotswap: cannot watch \(configPath): \(error)\n")
      throw ExitCode(1)
    }
    // Read once: the state directory comes from this read, and the first reload applies it.
    let initial = ConfigRead.read(configPath)
    let stateDirectory = ConfigLocation.stateDirectory(for: initial, configPath: configPath)
    let store = SnapshotStore()
    let state = DeploymentState(configPath: configPath)
    let audit = Self.openAudit(directory: stateDirectory, logger: logger)
    let observability = Self.makeObservability(
      directory: stateDirectory,
      recording: !noMetrics,
      logger: logger
    )
    let reconciler = Reconciler(
      configPath: configPath,
      store: store,
      state: state,
      onlySlot: onlySlot,
      audit: audit,
      delivery: observability.delivery,
      logger: logger
    )
    guard case .applied = await reconciler.reload(.startup, using: initial),
      let settings = await reconciler.serverSettings
    else {
      let errors = state.value.lastError?.errors ?? ["the config could not be applied"]
      watcher.stop()
      StandardStream.error(
        "hotswap: cannot start:\n" + errors.map { "  " + $0 }.joined(separator: "\n") + "\n"
      )
      throw ExitCode(1)
    }
    // The shadow begins with the first plan, before the first request can be served.
    observability.shadow?.update(store.snapshot)
    let binding = try Self.binding(settings: settings, override: listen, logger: logger)
    let predictionLog = PredictionLog(directory: stateDirectory, store: store, logger: logger)
    let environment = ServingEnvironment(
      store: store,
      state: state,
      settings: settings,
      startedAt: startedAt,
      observer: observability,
      predictions: PredictionTap(consumers: [predictionLog] + (observability.shadow.map { [$0] } ?? []))
    )
    let server = HotswapServer(
      environment: environment,
      binding: binding,
      logger: logger
    )
    watcher.setModelPaths(await reconciler.watchedModelPaths)
    let notifier = SystemdNotifier.fromEnvironment(logger: logger)

    let serverService = ServerService(
      server: server,
      notifier: notifier,
      store: store,
      started: started,
      listenDescription: Self.describe(binding),
      logger: logger
    )
    let reloadService = ReloadService(
      reconciler: reconciler,
      watcher: watcher,
      store: store,
      notifier: notifier,
      logger: logger
    )
    // Services stop in reverse order: the shadow and the history stop after the server drained.
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
    if let shadow = observability.shadow {
      services.append(
        .init(
          service: ShadowService(mirror: shadow, store: store, logger: logger),
          successTerminationBehavior: .ignore
        )
      )
    }
    if let history = observability.history {
      services.append(
        .init(
          service: StatusHistoryService(
            history: history,
            observability: observability,
            store: store,
            state: state
          ),
          successTerminationBehavior: .ignore
        )
      )
    }
    services += [
      .init(service: serverService, successTerminationBehavior: .gracefullyShutdownGroup),
      .init(service: reloadService, successTerminationBehavior: .ignore),
      .init(
        service: DeliveryService(
          reconciler: reconciler,
          interval: .milliseconds(250),
          history: observability.history,
          logger: logger
        ),
        successTerminationBehavior: .ignore
      ),
    ]
    if let notifier, let interval = SystemdNotifier.watchdogInterval() {
      let watchdog = WatchdogService(
        notifier: notifier,
        interval: interval,
        eventLoops: MultiThreadedEventLoopGroup.singletonMultiThreadedEventLoopGroup,
        logger: logger
      )
      services.append(.init(service: watchdog, successTerminationBehavior: .ignore))
    }
    var configuration = ServiceGroupConfiguration(
      services: services,
      gracefulShutdownSignals: [.sigterm, .sigint],
      cancellationSignals: [],
      logger: logger
    )
    configuration.maximumGracefulShutdownDuration = settings.drainTimeout
    configuration.maximumCancellationDuration = .seconds(5)
    let group = ServiceGroup(configuration: configuration)
    do {
      try await group.run()
    } catch {
      watcher.stop()
      audit?.flush()
      DeliveryRecordFile.flush()
      predictionLog.close()
      StandardStream.error("hotswap: \(error)\n")
      throw ExitCode(1)
    }
    watcher.stop()
    audit?.flush()
    DeliveryRecordFile.flush()
    predictionLog.close()
    logger.info("stopped")
  }

  private static func openAudit(directory: String, logger: Logger) -> AuditTrail? {
    do {
      return try AuditTrail(directory: directory)
    } catch {
      logger.warning(
        "no audit trail: the state directory is not writable; rollback by history is unavailable",
        metadata: ["state.directory": "\(directory)", "error": "\(error)"]
      )
      return nil
    }
  }

  private static func describe(_ binding: ListenBinding) -> String {
    switch binding {
    case .address(let host, let port):
      return host.contains(":" as Character) ? "[\(host)]:\(port)" : "\(host):\(port)"
    case .inheritedSocket(let descriptor): return "the socket passed by systemd (fd \(descriptor))"
    }
  }

  private static func binding(
    settings: ServerSettings,
    override: String?,
    logger: Logger
  ) throws -> ListenBinding {
    let configured: ListenAddress
    if let override {
      guard let address = ListenAddress(parsing: override) else {
        throw ValidationError("--listen '\(override)' is not HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)")
      }
      configured = address
    } else {
      configured = settings.listen
    }
    let inherited: [InheritedSocket]
    do {
      inherited = try SocketActivation.takeInheritedSockets()
    } catch {
      throw ValidationError("socket activation: \(error)")
    }
    guard let socket = inherited.first else {
      return .address(host: configured.host, port: configured.port)
    }
    let bound = SocketName.bound(to: socket.fileDescriptor)
    logger.info(
      "serving on a socket passed by systemd",
      metadata: [
        "listen.fd": "\(socket.fileDescriptor)", "listen.socket": "\(bound?.description ?? "unknown")",
      ]
    )
    if let bound, !bound.serves(host: configured.host, port: configured.port) {
      warnListenDiffers(configured: configured, fromOption: override != nil, bound: bound, logger: logger)
    }
    return .inheritedSocket(fileDescriptor: socket.fileDescriptor)
  }

  /// systemd bound the socket (`ListenStream=`), so the configured address is not applied; the
  /// CLI (`hotswap status`, `switch`) still looks for the server there, so say so.
  private static func warnListenDiffers(
    configured: ListenAddress,
    fromOption: Bool,
    bound: SocketName,
    logger: Logger
  ) {
    let source = fromOption ? "--listen" : "[server] listen"
    let hint =
      "make them agree: \(source) = \"\(bound)\", or ListenStream= in hotswap.socket (systemctl edit hotswap.socket);"
      + " hotswap status and switch look for the server at [server] listen"
    logger.warning(
      "\(source) differs from the socket systemd passed; serving on the passed socket",
      metadata: ["listen.configured": "\(configured)", "listen.socket": "\(bound)", "hint": .string(hint)]
    )
  }
}
