// RFC 3339 timestamps and `1.5s` durations, as the protobuf JSON mapping writes them.
enum TimeText {
    // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    static let timestampSeconds: ClosedRange<Int64> = -62_135_596_800...253_402_300_799
    // About ±10,000 years.
    static let durationSeconds: ClosedRange<Int64> = -315_576_000_000...315_576_000_000

    // MARK: Timestamps

    // `1972-01-01T10:00:20.021Z`, with 0, 3, 6 or 9 fraction digits; nil when out of range.
    static func formatTimestamp(seconds: Int64, nanos: Int32) -> String? {
        guard timestampSeconds.contains(seconds), nanos >= 0, nanos < 1_000_000_000 else { return nil }
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        let date = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        let time = "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        return date + "T" + time + fraction(Int64(nanos)) + "Z"
    }

    // RFC 3339 text: `2024-05-01T10:00:00Z`, `2024-05-01T10:00:00.5+02:00`.
    static func parseTimestamp(_ text: String) -> (seconds: Int64, nanos: Int32)? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int64? { digits(bytes, start, count) }
        guard let year = number(0, 4), bytes[4] == UInt8(ascii: "-"), let month = number(5, 2),
            bytes[7] == UInt8(ascii: "-"), let day = number(8, 2), bytes[10] == UInt8(ascii: "T"),
            let hour = number(11, 2), bytes[13] == UInt8(ascii: ":"), let minute = number(14, 2),
            bytes[16] == UInt8(ascii: ":"), let second = number(17, 2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24,
            minute < 60, second < 60
        else { return nil }
        var index = 19
        var nanos: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            guard let (value, end) = fractionNanos(bytes, from: index + 1) else { return nil }
            nanos = value
            index = end
        }
        guard index < bytes.count else { return nil }
        var offset: Int64 = 0
        if bytes[index] == UInt8(ascii: "Z") {
            index += 1
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            guard index + 6 == bytes.count, let hours = number(index + 1, 2), bytes[index + 3] == UInt8(ascii: ":"),
                let minutes = number(index + 4, 2), hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        guard timestampSeconds.contains(seconds) else { return nil }
        return (seconds, Int32(nanos))
    }

    // MARK: Durations

    // `1.5s`, `-0.000001s`, with 0, 3, 6 or 9 fraction digits; nil when out of range or of mixed signs.
    static func formatDuration(seconds: Int64, nanos: Int32) -> String? {
        guard durationSeconds.contains(seconds), nanos > -1_000_000_000, nanos < 1_000_000_000,
            !(seconds > 0 && nanos < 0), !(seconds < 0 && nanos > 0)
        else { return nil }
        let negative = seconds < 0 || nanos < 0
        return (negative ? "-" : "") + "\(Swift.abs(seconds))" + fraction(Int64(Swift.abs(nanos))) + "s"
    }

    // `-?[0-9]+(\.[0-9]{1,9})?s`.
    static func parseDuration(_ text: String) -> (seconds: Int64, nanos: Int32)? {
        var bytes = Array(text.utf8)
        guard bytes.last == UInt8(ascii: "s") else { return nil }
        bytes.removeLast()
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var seconds: Int64 = 0
        let start = index
        while index < bytes.count, let digit = digit(bytes[index]) {
            guard index - start < 13 else { return nil }
            seconds = seconds * 10 + digit
            index += 1
        }
        guard index > start else { return nil }
        var nanos: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            guard let (value, end) = fractionNanos(bytes, from: index + 1) else { return nil }
            nanos = value
            index = end
        }
        guard index == bytes.count, seconds <= durationSeconds.upperBound else { return nil }
        return negative ? (-seconds, Int32(-nanos)) : (seconds, Int32(nanos))
    }

    // MARK: Helpers

    // 1 to 9 digits after a point, as nanoseconds, and the index after them.
    private static func fractionNanos(_ bytes: [UInt8], from start: Int) -> (Int64, Int)? {
        var index = start
        var nanos: Int64 = 0
        while index < bytes.count, let digit = digit(bytes[index]) {
            guard index - start < 9 else { return nil }
            nanos = nanos * 10 + digit
            index += 1
        }
        let count = index - start
        guard count > 0 else { return nil }
        for _ in count..<9 { nanos *= 10 }
        return (nanos, index)
    }

    private static func fraction(_ nanos: Int64) -> String {
        if nanos == 0 { return "" }
        if nanos % 1_000_000 == 0 { return "." + pad(nanos / 1_000_000, 3) }
        if nanos % 1000 == 0 { return "." + pad(nanos / 1000, 6) }
        return "." + pad(nanos, 9)
    }

    private static func digit(_ byte: UInt8) -> Int64? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int64(byte - UInt8(ascii: "0")) : nil
    }

    private static func digits(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        guard start + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for index in start..<(start + count) {
            guard let digit = digit(bytes[index]) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    private static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Days since 1970-01-01 of a proleptic Gregorian date.
    private static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays count: Int64) -> (Int64, Int64, Int64) {
        let shifted = count + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
