import TracetestModel
import TracetestStorage

/// The other servers of one PostgreSQL database, over the `tracetest_runs` channel: every run a server saves is
/// announced with its events, so that each server can pass the runs the others execute on to its own WebSocket
/// subscribers; a stop for a run another server executes is sent to that server; a run put in the queue wakes the
/// servers with free slots. With a database only this server uses (SQLite), there is no one to tell.
struct ServerPeers: Sendable {
    static let channel = "tracetest_runs"

    /// The shared database; nil when this server is alone.
    let database: PostgresDatabase?
    /// This server's name (its lease owner), so that it skips its own announcements.
    let name: String

    /// What another server said.
    enum Message: Equatable, Sendable {
        /// It saved the run.
        case saved(testID: String, runID: Int)
        /// It recorded an event of the run.
        case event(testID: String, runID: Int, WireValue)
        /// It asks this server, which executes the run, to stop it.
        case stop(testID: String, runID: Int)
        /// It put a run in the queue, having no free slot.
        case queued
    }

    /// Tells the other servers that the run changed; a failure only costs them an update.
    func announce(testID: String, runID: Int) async {
        _ = await send(.object(["t": .string(testID), "r": .integer(Int64(runID)), "s": .string(name)]))
    }

    /// Tells the other servers of the run's new event (small enough for a notification: at most a few KB).
    func announce(event: WireValue, testID: String, runID: Int) async {
        _ = await send(
            .object(["t": .string(testID), "r": .integer(Int64(runID)), "s": .string(name), "event": event]))
    }

    /// Tells the other servers that a run waits in the queue.
    func announceQueued() async {
        _ = await send(.object(["s": .string(name), "queued": .bool(true)]))
    }

    /// Asks `server`, which executes the run, to stop it; false when the request could not be sent.
    func requestStop(testID: String, runID: Int, by server: String) async -> Bool {
        await send(
            .object([
                "t": .string(testID), "r": .integer(Int64(runID)), "s": .string(name), "stop": .string(server),
            ]))
    }

    private func send(_ message: WireValue) async -> Bool {
        guard let database else { return false }
        do {
            try await database.notify(Self.channel, message.jsonText)
            return true
        } catch {
            return false
        }
    }

    /// The message in `payload`, unless it is this server's own, meant for another server, or not one.
    func message(in payload: String) -> Message? {
        guard let value = JSONParser.parse(payload), let server = value["s"]?.plainText, server != name else {
            return nil
        }
        if value["queued"] != nil { return .queued }
        guard let testID = value["t"]?.plainText, let runID = Int(value["r"]?.plainText ?? "") else { return nil }
        if let event = value["event"] { return .event(testID: testID, runID: runID, .raw(event.jsonText)) }
        guard let stop = value["stop"]?.plainText else { return .saved(testID: testID, runID: runID) }
        return stop == name ? .stop(testID: testID, runID: runID) : nil
    }
}
