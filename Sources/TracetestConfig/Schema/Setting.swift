import Foundation
import TracetestModel

/// One configurable value: what it accepts (for messages) and how it is stored into `Target`.
struct Setting<Target> {
    /// Follows "expected" in messages: `a port number between 1 and 65535`.
    var expectation: String
    var store: (inout Target, SettingValue) throws(InvalidSetting) -> Void

    /// Checks `value` and stores it; a rejected value becomes an error naming `keyPath` at `source`.
    func apply(
        _ value: SettingValue,
        to target: inout Target,
        keyPath: String,
        source: ConfigurationSource
    ) throws(ConfigurationError) {
        do {
            try store(&target, value)
        } catch {
            var message = "expected \(expectation), got \(value.shown)"
            if let detail = error.detail { message += " (\(detail))" }
            throw ConfigurationError(source: source, keyPath: keyPath, message: message)
        }
    }
}

extension Setting {
    /// A setting holding one scalar, converted by `parse`, which throws when the text is invalid.
    static func scalar<Value>(
        _ keyPath: WritableKeyPath<Target, Value>,
        expecting expectation: String,
        parse: @escaping (String) throws(InvalidSetting) -> Value
    ) -> Setting {
        Setting(expectation: expectation) { (target, value) throws(InvalidSetting) in
            guard case .text(let text) = value else { throw InvalidSetting() }
            target[keyPath: keyPath] = try parse(text)
        }
    }

    static func string(_ keyPath: WritableKeyPath<Target, String>) -> Setting {
        scalar(keyPath, expecting: "a text value") { $0 }
    }

    static func nonEmptyString(_ keyPath: WritableKeyPath<Target, String>) -> Setting {
        scalar(keyPath, expecting: "a non-empty text value") { (text) throws(InvalidSetting) in
            try valid(text, if: !text.trimmed.isEmpty)
        }
    }

    static func port(_ keyPath: WritableKeyPath<Target, Int>) -> Setting {
        scalar(keyPath, expecting: "a port number between 1 and 65535") { (text) throws(InvalidSetting) in
            let port = Int(text.trimmed)
            return try valid(port, if: port.map { (1...65535).contains($0) } == true)
        }
    }

    /// A port to listen on; 0 lets the system pick a free one.
    static func listenPort(_ keyPath: WritableKeyPath<Target, Int>) -> Setting {
        scalar(keyPath, expecting: "a port number between 0 and 65535 (0 picks a free port)") {
            (text) throws(InvalidSetting) in
            let port = Int(text.trimmed)
            return try valid(port, if: port.map { (0...65535).contains($0) } == true)
        }
    }

    static func positiveInteger(_ keyPath: WritableKeyPath<Target, Int>, expecting expectation: String) -> Setting {
        scalar(keyPath, expecting: expectation) { (text) throws(InvalidSetting) in
            let number = Int(text.trimmed)
            return try valid(number, if: number.map { $0 > 0 } == true)
        }
    }

    static func bool(_ keyPath: WritableKeyPath<Target, Bool>) -> Setting {
        scalar(keyPath, expecting: "true or false") { (text) throws(InvalidSetting) in
            switch text.trimmed.lowercased() {
            case "true": true
            case "false": false
            default: throw InvalidSetting()
            }
        }
    }

    /// A Go-syntax duration (`500ms`, `1m30s`) of at least `minimum` nanoseconds.
    static func duration(
        _ keyPath: WritableKeyPath<Target, GoDuration>,
        expecting expectation: String,
        minimum: Int64
    ) -> Setting {
        scalar(keyPath, expecting: expectation) { (text) throws(InvalidSetting) in
            let duration: GoDuration
            do throws(GoDurationError) {
                duration = try GoDuration(parsing: text)
            } catch {
                throw InvalidSetting(detail: error.reason)
            }
            return try valid(duration, if: duration.nanoseconds >= minimum)
        }
    }

    static func percent(_ keyPath: WritableKeyPath<Target, Double?>) -> Setting {
        scalar(keyPath, expecting: "a percentage between 0 and 100") { (text) throws(InvalidSetting) -> Double? in
            let percent = Double(text.trimmed)
            return try valid(percent, if: percent.map { (0...100).contains($0) } == true)
        }
    }

    static func oneOf(_ keyPath: WritableKeyPath<Target, String>, _ allowed: [String]) -> Setting {
        let quoted = allowed.map { "\"\($0)\"" }
        let expectation = quoted.count == 1 ? quoted[0] : "one of \(quoted.joined(separator: ", "))"
        return scalar(keyPath, expecting: expectation) { (text) throws(InvalidSetting) in
            try valid(text, if: allowed.contains(text))
        }
    }

    /// An exporter endpoint, checked by `parse` (``ExporterEndpoint/collector(_:)`` or
    /// ``ExporterEndpoint/otlpHTTP(_:)``) and stored as written.
    static func endpoint(
        _ keyPath: WritableKeyPath<Target, String>,
        expecting expectation: String,
        parse: @escaping (String) -> ExporterEndpoint?
    ) -> Setting {
        scalar(keyPath, expecting: expectation) { (text) throws(InvalidSetting) in
            try valid(text, if: parse(text) != nil)
        }
    }

    /// A list given as a sequence, or as one text separated by commas or spaces (the form variables use).
    static func list(_ keyPath: WritableKeyPath<Target, [String]>) -> Setting {
        Setting(expectation: "a list of names") { (target, value) throws(InvalidSetting) in
            switch value {
            case .text(let text): target[keyPath: keyPath] = text.listItems
            case .list(let items): target[keyPath: keyPath] = items.flatMap(\.listItems)
            case .unusable: throw InvalidSetting()
            }
        }
    }

    /// libpq parameters: `keyword=value` pairs separated by spaces or `&`, with a valid `sslmode` and
    /// `connect_timeout` when given.
    static func postgresParameters(_ keyPath: WritableKeyPath<Target, String>) -> Setting {
        let expectation = "keyword=value pairs separated by spaces, such as \"sslmode=require connect_timeout=10\""
        return scalar(keyPath, expecting: expectation) { (text) throws(InvalidSetting) in
            if let problem = PostgresParameters.problem(in: text) { throw InvalidSetting(detail: problem) }
            return text
        }
    }
}

/// `value` when `condition` holds and it is not `nil`; otherwise the value is rejected.
private func valid<Value>(_ value: Value?, if condition: Bool) throws(InvalidSetting) -> Value {
    guard condition, let value else { throw InvalidSetting() }
    return value
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Items separated by commas or white space, empty ones dropped.
    var listItems: [String] {
        split { $0 == "," || $0.isWhitespace }.map(String.init)
    }
}
