import Yams

/// How the keys under one mapping of the configuration are read into `Target`.
///
/// One tree describes the whole file; the environment reader walks the same tree, so a key and its
/// `TRACETEST_*` variable cannot drift apart.
indirect enum KeySchema<Target> {
    /// A value: a scalar or, for list settings, a sequence of scalars.
    case setting(Setting<Target>)
    /// A nested mapping of known keys.
    case section([SchemaEntry<Target>])
    /// A subtree with its own reader (`telemetry.exporters`); read from the file only.
    case custom(CustomReader<Target>)
    /// An upstream key this server accepts and ignores, with all that is under it.
    case ignored
    /// An upstream key that no longer works; a non-empty value is an error naming the keys that replace it.
    case removed(replacedBy: [String])
}

struct SchemaEntry<Target> {
    var key: String
    var schema: KeySchema<Target>

    init(_ key: String, _ schema: KeySchema<Target>) {
        self.key = key
        self.schema = schema
    }
}

/// Reads a subtree the generic walk cannot describe. Arguments: the target, the node, its key path, the reader.
typealias CustomReader<Target> = (inout Target, Node, String, inout YAMLTreeReader) throws(ConfigurationError) -> Void
