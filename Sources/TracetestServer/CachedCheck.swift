/// A yes/no answer that is expensive to get (a database read) and may be a little stale: it is asked again at most
/// once per `ttl`.
actor CachedCheck {
    private let ttl: Duration
    private let check: @Sendable () async -> Bool
    private var cached: (answer: Bool, at: ContinuousClock.Instant)?

    init(ttl: Duration, _ check: @escaping @Sendable () async -> Bool) {
        self.ttl = ttl
        self.check = check
    }

    func value() async -> Bool {
        let now = ContinuousClock.now
        if let cached, now - cached.at < ttl { return cached.answer }
        let answer = await check()
        cached = (answer, now)
        return answer
    }
}
