import Foundation
import Logging
import SQLiteNIO
import ServiceLifecycle
import Synchronization

/// An embedded SQLite database file in WAL mode: one writer connection, used by one transaction at a time
/// (`BEGIN IMMEDIATE`), and a few read-only connections that read beside it.
///
/// Run it as a `Service` (or call ``close()``) so its connections are closed at shutdown.
package final class SQLiteDatabase: SQLDatabase, Service {
    /// The database file.
    package let path: String
    private let writer: LeasePool<SQLiteConnection>
    private let readers: LeasePool<SQLiteConnection>
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let closed = Mutex(false)
    private let serverLock: SQLiteServerLock

    package var dialect: SQLDialect { .sqlite }

    private init(
        path: String, writer: SQLiteConnection, readers: [SQLiteConnection], threadPool: NIOThreadPool,
        serverLock: SQLiteServerLock, logger: Logger
    ) {
        self.path = path
        self.serverLock = serverLock
        self.writer = LeasePool([writer])
        self.readers = LeasePool(readers)
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Opens the database file at `path`, creating the file and its parent directory if needed, with `readers`
    /// (at least 1) read-only connections. Fails when another server (or another `SQLiteDatabase`) has it open.
    package static func open(path: String, readers: Int = 4, logger: Logger) async throws -> SQLiteDatabase {
        let readerCount = max(readers, 1)
        try createParentDirectory(of: path)
        let serverLock = try SQLiteServerLock.acquire(for: path)
        let threadPool = NIOThreadPool(numberOfThreads: readerCount + 1)
        threadPool.start()
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await connect(path, threadPool, logger, pragmas: SQLitePragmas.writer)
            opened.append(writer)
            let modes = try await SQLiteExecutor(connection: writer).query("PRAGMA journal_mode")
            let journalMode = modes.first?["journal_mode"]
            if journalMode != .text("wal") {
                logger.warning(
                    "SQLite could not switch to WAL mode; reads will wait for writes",
                    metadata: ["path": "\(path)", "journal_mode": "\(journalMode ?? .null)"])
            }
            for _ in 0..<readerCount {
                opened.append(try await connect(path, threadPool, logger, pragmas: SQLitePragmas.reader))
            }
            logger.info("Opened SQLite database", metadata: ["path": "\(path)"])
            return SQLiteDatabase(
                path: path, writer: writer, readers: Array(opened.dropFirst()), threadPool: threadPool,
                serverLock: serverLock, logger: logger)
        } catch {
            for connection in opened { try? await connection.close() }
            try? await threadPool.shutdownGracefully()
            serverLock.release()
            throw error
        }
    }

    package func read<R: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> R) async throws -> R {
        try await readers.withLease { try await body(SQLiteExecutor(connection: $0)) }
    }

    package func transaction<R: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> R) async throws -> R {
        try await writer.withLease { connection in
            let executor = SQLiteExecutor(connection: connection)
            try await executor.execute("BEGIN IMMEDIATE")
            let result: R
            do {
                result = try await body(executor)
                try await executor.execute("COMMIT")
            } catch {
                await rollback(executor)
                throw error
            }
            return result
        }
    }

    /// Waits for a graceful shutdown, then closes the database.
    package func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Waits for running reads and transactions, then closes every connection. Later calls fail with
    /// ``StorageError/Code/closed``.
    package func close() async {
        let alreadyClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !alreadyClosed else { return }
        // In a task of its own: a cancelled caller (a service group cancelled after a failure) must still close
        // every connection, or SQLite's handles would leak.
        await Task { await closeConnections() }.value
    }

    private func closeConnections() async {
        let connections = await writer.drain() + readers.drain()
        for connection in connections {
            do { try await connection.close() } catch {
                logger.warning(
                    "Closing a SQLite connection failed", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
        try? await threadPool.shutdownGracefully()
        serverLock.release()
        logger.info("Closed SQLite database", metadata: ["path": "\(path)"])
    }

    /// Rolls back in a separate task, so it runs even when this task is cancelled and the writer never stays
    /// inside a transaction.
    private func rollback(_ executor: SQLiteExecutor) async {
        let (logger, path) = (logger, path)
        await Task {
            do { try await executor.execute("ROLLBACK") } catch {
                logger.warning("SQLite rollback failed", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }.value
    }

    private static func createParentDirectory(of path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StorageError(
                .cannotOpen,
                "cannot create the directory \(directory.path) for the SQLite database \(path): "
                    + "\(error.localizedDescription). Check the storage path and that tracetest may write there.")
        }
    }

    private static func connect(
        _ path: String, _ threadPool: NIOThreadPool, _ logger: Logger, pragmas: [String]
    ) async throws -> SQLiteConnection {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threadPool, logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.any())
        } catch {
            throw cannotOpen(path, error)
        }
        do {
            let executor = SQLiteExecutor(connection: connection)
            for pragma in pragmas { try await executor.execute(pragma) }
        } catch {
            try? await connection.close()
            throw cannotOpen(path, error)
        }
        return connection
    }

    private static func cannotOpen(_ path: String, _ error: any Error) -> StorageError {
        let reason = (error as? StorageError)?.message ?? "\(error)"
        return StorageError(
            .cannotOpen,
            "cannot open the SQLite database \(path): \(reason). Check the storage path, that it is a file "
                + "(not a directory) and that tracetest may read and write it and its directory.")
    }
}

/// Connection settings, applied when each connection opens.
private enum SQLitePragmas {
    static let common = ["PRAGMA busy_timeout = 5000", "PRAGMA foreign_keys = ON"]
    static let writer = common + ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"]
    static let reader = common + ["PRAGMA query_only = ON"]
}

/// An exclusive lock on `<database>.lock`, held while one server has the SQLite file open: SQLite serves a single
/// server (several servers share a PostgreSQL database instead), so a second server on the same file stops at start-up
/// saying so. The lock goes with the process, however it ends.
final class SQLiteServerLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    static func acquire(for path: String) throws -> SQLiteServerLock {
        let lockPath = path + ".lock"
        let descriptor = Foundation.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StorageError(.cannotOpen, "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder =
                (try? String(contentsOfFile: lockPath, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            Foundation.close(descriptor)
            throw StorageError(
                .cannotOpen,
                "the SQLite database \(path) is in use by another tracetest server"
                    + (holder.isEmpty ? "" : " (process \(holder))")
                    + ": an embedded database serves one server. Stop the other server, give this one another "
                    + "sqlite.path, or configure postgres to run several servers on one database")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return SQLiteServerLock(descriptor: descriptor)
    }

    /// Gives the lock up (closing the file releases it).
    func release() {
        Foundation.close(descriptor)
    }
}
