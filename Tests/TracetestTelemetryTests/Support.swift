import Foundation
import Logging
import ServiceLifecycle
import TestSupport
import Testing
import TracetestConfig
import TracetestModel
import TracetestTelemetry

/// A configuration whose `server.telemetry.exporter` (and `applicationExporter`) name the given exporters.
func telemetryConfiguration(
    internal internalExporter: ExporterSettings? = nil,
    application: ExporterSettings? = nil
) -> ServerConfiguration {
    var configuration = ServerConfiguration()
    if let internalExporter {
        configuration.telemetry.exporters["internal"] = internalExporter
        configuration.server.telemetry.exporter = "internal"
    }
    if let application {
        configuration.telemetry.exporters["application"] = application
        configuration.server.telemetry.applicationExporter = "application"
    }
    return configuration
}

/// An exporter sending to `receiver` over OTLP/gRPC.
func collector(
    _ receiver: OTLPTestReceiver,
    serviceName: String = "tracetest",
    sampling: Double? = 100,
    metricsInterval: GoDuration = .seconds(10)
) -> ExporterSettings {
    ExporterSettings(
        serviceName: serviceName, sampling: sampling, metricsReaderInterval: metricsInterval,
        exporterType: "collector", collectorEndpoint: receiver.grpcEndpoint)
}

/// Bootstraps telemetry from `configuration`, runs its services while `body` runs, then shuts them down, which
/// flushes everything recorded to the receivers before this returns.
func withTelemetry<R>(
    _ configuration: ServerConfiguration,
    logger: Logger = quietLogger(),
    _ body: (Telemetry) async throws -> R
) async throws -> R {
    let telemetry = try Telemetry.bootstrap(configuration: configuration, logger: logger)
    let group = ServiceGroup(configuration: .init(services: telemetry.services, logger: logger))
    let running = Task { try await group.run() }
    do {
        let result = try await body(telemetry)
        await group.triggerGracefulShutdown()
        try await running.value
        return result
    } catch {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        throw error
    }
}

func quietLogger() -> Logger {
    var logger = Logger(label: "tracetest.telemetry.test")
    logger.logLevel = .critical
    return logger
}
