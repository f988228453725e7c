import Yams

/// Walks the YAML of a configuration file along a `KeySchema`, storing settings into a target.
///
/// It records where each setting came from (for checks that need a position later), which keys were present,
/// and warnings for keys it ignores.
struct YAMLTreeReader {
    let file: String
    private(set) var warnings: [ConfigurationWarning] = []
    /// Where each stored setting was written, by key path.
    private(set) var origins: [String: ConfigurationSource] = [:]
    /// Every key path present in the file, sections included.
    private(set) var presentKeys: Set<String> = []

    init(file: String) {
        self.file = file
    }

    func source(of node: Node) -> ConfigurationSource {
        .position(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    /// Reads a mapping of the keys in `entries`; a null node (an empty section) leaves the target unchanged.
    mutating func readSection<Target>(
        _ node: Node,
        entries: [SchemaEntry<Target>],
        path: String,
        into target: inout Target
    ) throws(ConfigurationError) {
        guard node.null == nil else { return }
        guard case .mapping(let mapping) = node else {
            let keys = entries.filter(\.schema.isDocumented).map(\.key).joined(separator: ", ")
            throw ConfigurationError(
                source: source(of: node),
                keyPath: path.isEmpty ? nil : path,
                message: "expected a mapping with the keys \(keys), got \(Self.shape(of: node))"
            )
        }
        for (keyNode, valueNode) in Self.pairs(of: mapping) {
            guard let key = keyNode.scalar?.string else {
                warnings.append(ConfigurationWarning(source: source(of: keyNode), message: "a non-text key is ignored"))
                continue
            }
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard let entry = entries.first(where: { $0.key == key }) else {
                warnUnknown(key, keyPath: keyPath, at: keyNode, entries: entries, path: path)
                continue
            }
            presentKeys.insert(keyPath)
            try read(valueNode, as: entry.schema, keyPath: keyPath, keyNode: keyNode, into: &target)
        }
    }

    private mutating func read<Target>(
        _ node: Node,
        as schema: KeySchema<Target>,
        keyPath: String,
        keyNode: Node,
        into target: inout Target
    ) throws(ConfigurationError) {
        switch schema {
        case .setting(let setting):
            guard node.null == nil else { return }
            try setting.apply(Self.settingValue(of: node), to: &target, keyPath: keyPath, source: source(of: node))
            origins[keyPath] = source(of: node)
        case .section(let entries):
            try readSection(node, entries: entries, path: keyPath, into: &target)
        case .custom(let reader):
            try reader(&target, node, keyPath, &self)
        case .ignored:
            let message = "\"\(keyPath)\" is accepted for compatibility with Tracetest and ignored"
            warnings.append(ConfigurationWarning(source: source(of: keyNode), message: message))
        case .removed(let replacements):
            guard node.null != nil || node.scalar?.string.isEmpty == true else {
                throw ConfigurationError(
                    source: source(of: keyNode),
                    keyPath: keyPath,
                    message: "this key is no longer supported",
                    fix: "use \(replacements.joinedAsList) instead"
                )
            }
            let message = "obsolete key \"\(keyPath)\" is empty and ignored"
            warnings.append(ConfigurationWarning(source: source(of: keyNode), message: message))
        }
    }

    private mutating func warnUnknown<Target>(
        _ key: String,
        keyPath: String,
        at keyNode: Node,
        entries: [SchemaEntry<Target>],
        path: String
    ) {
        var message = "unknown key \"\(keyPath)\" is ignored"
        if let near = entries.first(where: { $0.key.lowercased() == key.lowercased() }) {
            let suggestion = path.isEmpty ? near.key : "\(path).\(near.key)"
            message += "; keys are case-sensitive: did you mean \"\(suggestion)\"?"
        }
        warnings.append(ConfigurationWarning(source: source(of: keyNode), message: message))
    }

    /// The pairs of a mapping with YAML merge keys (`<<: *anchor`) expanded; keys written out win over merged ones.
    static func pairs(of mapping: Node.Mapping) -> [(key: Node, value: Node)] {
        var explicit: [(key: Node, value: Node)] = []
        var merged: [(key: Node, value: Node)] = []
        for pair in mapping {
            guard case .scalar(let key) = pair.key, key.string == "<<", key.style == .plain else {
                explicit.append(pair)
                continue
            }
            switch pair.value {
            case .mapping(let source): merged += pairs(of: source)
            case .sequence(let sources): merged += sources.compactMap(\.mapping).flatMap(pairs(of:))
            default: break
            }
        }
        var seen = Set(explicit.compactMap { $0.key.scalar?.string })
        let inherited = merged.filter { pair in
            guard let key = pair.key.scalar?.string else { return false }
            return seen.insert(key).inserted
        }
        return inherited + explicit
    }

    static func settingValue(of node: Node) -> SettingValue {
        switch node {
        case .scalar(let scalar):
            return .text(scalar.string)
        case .sequence(let sequence):
            let items = sequence.compactMap(\.scalar?.string)
            return items.count == sequence.count ? .list(items) : .unusable("a list of lists or mappings")
        case .mapping:
            return .unusable("a mapping")
        case .alias:
            return .unusable("an alias")
        }
    }

    /// How a node is shown after "got".
    static func shape(of node: Node) -> String {
        settingValue(of: node).shown
    }
}

extension KeySchema {
    /// Whether the key is listed in messages (ignored and removed upstream keys are not).
    var isDocumented: Bool {
        switch self {
        case .setting, .section, .custom: true
        case .ignored, .removed: false
        }
    }
}

extension [String] {
    /// `a, b and c`.
    var joinedAsList: String {
        guard count > 1, let last else { return first ?? "" }
        return dropLast().joined(separator: ", ") + " and " + last
    }
}
