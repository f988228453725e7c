import Foundation
import Synchronization

private let launchLock = Mutex(())

extension Process {
    /// Starts the process, one launch at a time in this test process: Foundation's `Process.run()` has crashed
    /// (memcpy on a bad pointer) when tests started processes concurrently.
    public func launchSerially() throws {
        try launchLock.withLock { _ in try run() }
    }
}
