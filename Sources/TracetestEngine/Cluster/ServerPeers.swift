import TracetestModel
import TracetestStorage

/// The other servers of one PostgreSQL database: every run a server saves is announced on the `tracetest_runs`
/// channel, so that each server can pass the runs the others execute on to its own WebSocket subscribers. With a
/// database only this server uses (SQLite), there is no one to tell.
struct ServerPeers: Sendable {
    static let channel = "tracetest_runs"

    /// The shared database; nil when this server is alone.
    let database: PostgresDatabase?
    /// This server's name (its lease owner), so that it skips its own announcements.
    let name: String

    /// A run saved by a server.
    struct Announcement: Equatable, Sendable {
        var testID: String
        var runID: Int
        var server: String
    }

    /// Tells the other servers that the run changed; a failure only costs them an update.
    func announce(testID: String, runID: Int) async {
        guard let database else { return }
        let payload = WireValue.object(["t": .string(testID), "r": .integer(Int64(runID)), "s": .string(name)]).jsonText
        try? await database.notify(Self.channel, payload)
    }

    /// The announcement in `payload`, unless it is this server's own or not one.
    func announcement(in payload: String) -> Announcement? {
        guard let value = JSONParser.parse(payload), let testID = value["t"]?.plainText,
            let runID = Int(value["r"]?.plainText ?? ""), let server = value["s"]?.plainText, server != name
        else { return nil }
        return Announcement(testID: testID, runID: runID, server: server)
    }
}
