extension Duration {
    // "30s", or "1500ms" when not a whole number of seconds.
    var kafkaText: String {
        let milliseconds = kafkaMilliseconds
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }

    // Whole milliseconds, at least 1, at most a day (librdkafka takes Int32 milliseconds).
    var kafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let day: Int64 = 86_400_000
        let milliseconds = seconds > day / 1000 ? day : seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(min(max(milliseconds, 1), day))
    }
}
