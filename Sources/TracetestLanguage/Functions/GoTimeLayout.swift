import Foundation

// Go reference-time layouts (`2006-01-02T15:04:05Z07:00`) in the local time zone, and the `fmtdate` notation
// (`DD/MM/YYYY hh:mm`) that `date()` and `dateTime()` accept.
enum GoTimeLayout {
    // `fmtdate`'s ordered plain replacements into a Go layout.
    static func fromFmtdate(_ format: String) -> String {
        let replacements = [
            ("hh", "15"), ("h", "03"), ("mm", "04"), ("ss", "05"), ("MMMM", "January"), ("MMM", "Jan"), ("MM", "01"),
            ("M", "1"), ("pm", "PM"), ("ZZZZ", "-0700"), ("ZZZ", "MST"), ("ZZ", "Z07:00"), ("YYYY", "2006"),
            ("YY", "06"), ("DDDD", "Monday"), ("DDD", "Mon"), ("DD", "02"), ("D", "2"),
        ]
        return replacements.reduce(format) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    static func currentYear() -> Int { Calendar.current.component(.year, from: Date()) }

    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    // The chunks Go recognises, longest first where they share a start.
    private static let chunks = [
        "January", "Jan", "Monday", "Mon", "MST", "2006", "002", "01", "02", "03", "04", "05", "06", "15", "_2", "1",
        "2", "3", "4", "5", "PM", "pm", "Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07", "-07:00:00", "-070000",
        "-07:00", "-0700", "-07",
    ].map { Array($0.unicodeScalars) }

    static func format(_ date: Date, layout: String) -> String {
        let zone = TimeZone.current
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .nanosecond, .weekday], from: date)
        let offset = zone.secondsFromGMT(for: date)
        let scalars = Array(layout.unicodeScalars)
        var out = ""
        var index = 0
        while index < scalars.count {
            if let (text, length) = fraction(scalars, index, nanoseconds: parts.nanosecond ?? 0) {
                out += text
                index += length
                continue
            }
            guard let chunk = chunks.first(where: { starts(scalars, index, with: $0) }) else {
                out.unicodeScalars.append(scalars[index])
                index += 1
                continue
            }
            let name = String(String.UnicodeScalarView(chunk))
            out += value(
                of: name, parts: parts, offset: offset, abbreviation: zone.abbreviation(for: date),
                dayOfYear: calendar.ordinality(of: .day, in: .year, for: date) ?? 1)
            index += chunk.count
        }
        return out
    }

    private static func starts(_ scalars: [Unicode.Scalar], _ index: Int, with chunk: [Unicode.Scalar]) -> Bool {
        index + chunk.count <= scalars.count && Array(scalars[index..<(index + chunk.count)]) == chunk
    }

    // `.000` / `,999`: fractional seconds (zeros kept, nines trimmed), when not followed by a digit.
    private static func fraction(_ scalars: [Unicode.Scalar], _ index: Int, nanoseconds: Int) -> (String, Int)? {
        guard scalars[index] == "." || scalars[index] == ",", index + 1 < scalars.count,
            scalars[index + 1] == "0" || scalars[index + 1] == "9"
        else { return nil }
        let digit = scalars[index + 1]
        var end = index + 1
        while end < scalars.count && scalars[end] == digit { end += 1 }
        if end < scalars.count && scalars[end].isASCIIDigit { return nil }
        let count = min(end - index - 1, 9)
        let padded = String(String(nanoseconds + 1_000_000_000).dropFirst()).prefix(count)
        var text = String(padded)
        if digit == "9" {
            while text.hasSuffix("0") { text.removeLast() }
            if text.isEmpty { return ("", end - index) }
        }
        return (String(scalars[index]) + text, end - index)
    }

    private static func padded(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func value(
        of chunk: String, parts: DateComponents, offset: Int, abbreviation: String?, dayOfYear: Int
    ) -> String {
        let hour = parts.hour ?? 0
        let hour12 = hour % 12 == 0 ? 12 : hour % 12
        switch chunk {
        case "January": return months[(parts.month ?? 1) - 1]
        case "Jan": return String(months[(parts.month ?? 1) - 1].prefix(3))
        case "Monday": return weekdays[(parts.weekday ?? 1) - 1]
        case "Mon": return String(weekdays[(parts.weekday ?? 1) - 1].prefix(3))
        case "MST": return abbreviation ?? zone("-0700", offset)
        case "2006": return padded(parts.year ?? 0, 4)
        case "06": return padded((parts.year ?? 0) % 100)
        case "002": return padded(dayOfYear, 3)
        case "01": return padded(parts.month ?? 1)
        case "1": return String(parts.month ?? 1)
        case "02": return padded(parts.day ?? 1)
        case "2": return String(parts.day ?? 1)
        case "_2": return (parts.day ?? 1) < 10 ? " \(parts.day ?? 1)" : String(parts.day ?? 1)
        case "15": return padded(hour)
        case "03": return padded(hour12)
        case "3": return String(hour12)
        case "04": return padded(parts.minute ?? 0)
        case "4": return String(parts.minute ?? 0)
        case "05": return padded(parts.second ?? 0)
        case "5": return String(parts.second ?? 0)
        case "PM": return hour >= 12 ? "PM" : "AM"
        case "pm": return hour >= 12 ? "pm" : "am"
        default: return zone(chunk, offset)
        }
    }

    // `Z07:00`-style chunks write `Z` at UTC; `-07:00`-style chunks always write the offset, in hours, minutes and
    // seconds as the chunk has digits.
    private static func zone(_ chunk: String, _ offset: Int) -> String {
        if chunk.hasPrefix("Z") && offset == 0 { return "Z" }
        let colon = chunk.contains(":") ? ":" : ""
        let digits = chunk.dropFirst().filter(\.isNumber).count
        let seconds = abs(offset)
        var text = (offset < 0 ? "-" : "+") + padded(seconds / 3600)
        if digits >= 4 { text += colon + padded(seconds / 60 % 60) }
        if digits == 6 { text += colon + padded(seconds % 60) }
        return text
    }
}
