import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The API's TLS (`server.tls.certFile` and `keyFile`, PEM): read at start-up and again on SIGHUP, so a renewed
/// certificate is used by new connections without a restart.
package final class ServerTLS: Sendable {
    let certFile: String
    let keyFile: String
    private let context: Mutex<NIOSSLContext>

    /// nil without `server.tls`; throws when only one of the files is set or they cannot be used.
    init?(certFile: String, keyFile: String) throws(LoadError) {
        guard !certFile.isEmpty || !keyFile.isEmpty else { return nil }
        guard !certFile.isEmpty, !keyFile.isEmpty else {
            throw LoadError("server.tls needs both certFile and keyFile (PEM files), or neither to serve plain HTTP")
        }
        self.certFile = certFile
        self.keyFile = keyFile
        context = Mutex(try Self.context(certFile: certFile, keyFile: keyFile))
    }

    /// The context new connections use.
    var current: NIOSSLContext { context.withLock { $0 } }

    /// Reads the files again; when they cannot be used, the previous certificate stays and the log says why.
    func reload(logger: Logger) {
        do {
            let fresh = try Self.context(certFile: certFile, keyFile: keyFile)
            context.withLock { $0 = fresh }
            logger.info("SIGHUP: reloaded the API's TLS certificate from \(certFile)")
        } catch {
            logger.error("SIGHUP: \(error); the previous certificate stays in use")
        }
    }

    private static func context(certFile: String, keyFile: String) throws(LoadError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certFile)
        } catch {
            throw LoadError("server.tls.certFile \(certFile) is not a readable PEM certificate: \(error)")
        }
        guard !chain.isEmpty else { throw LoadError("server.tls.certFile \(certFile) holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw LoadError("server.tls.keyFile \(keyFile) is not a readable PEM private key: \(error)")
        }
        do {
            return try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        } catch {
            throw LoadError("server.tls: the certificate and the key cannot be used together: \(error)")
        }
    }

    /// Why the TLS files cannot be used.
    package struct LoadError: Error, CustomStringConvertible {
        package var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Reloads the API's TLS files on every SIGHUP until shutdown.
struct TLSReloader: Service {
    let tls: ServerTLS
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals { tls.reload(logger: logger) }
        }
    }
}

/// A server child channel behind TLS, with the context that is current when each connection is accepted.
struct TLSChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    let base: Base
    let tls: ServerTLS

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Base.Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.current))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
