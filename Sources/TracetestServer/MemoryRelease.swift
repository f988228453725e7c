import CMemoryRelease
import ServiceLifecycle
import TracetestIngest

/// Every `interval`, drops the expired traces of the recent-traces buffer and gives freed memory back to the system:
/// glibc keeps freed heap memory for reuse, so after a burst (a big export request, a big run) the server's resident
/// memory would otherwise stay at its peak.
struct MemoryRelease<C: Clock>: Service where C.Duration == Duration {
    let spans: SpanStore
    let clock: C
    var interval = Duration.seconds(10)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await clock.sleep(for: interval)) != nil {
                await spans.dropExpired()
                tracetest_release_free_memory()
            }
        }
    }
}
