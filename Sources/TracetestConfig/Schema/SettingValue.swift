/// A value as given in the file or the environment, before it is checked.
enum SettingValue {
    /// A scalar or an environment variable, as written.
    case text(String)
    /// A sequence of scalars.
    case list([String])
    /// A shape no setting accepts: "a mapping", "a list of mappings".
    case unusable(String)

    /// How the value is shown after "got".
    var shown: String {
        switch self {
        case .text(let text): "\"\(text)\""
        case .list: "a list"
        case .unusable(let shape): shape
        }
    }
}

/// A value the setting does not accept; `detail` says more than the setting's expectation when it can.
struct InvalidSetting: Error {
    var detail: String?
}
