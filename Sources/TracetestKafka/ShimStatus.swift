import CRdKafkaShim

// The outcome codes of the C shim.
enum ShimStatus: Equatable {
    case ok
    case libraryMissing
    case libraryIncompatible
    case configInvalid
    case createFailed
    case timedOut
    case deliveryFailed
    case cancelled

    init(code: Int32) {
        let table: [(shim_status, ShimStatus)] = [
            (SHIM_OK, .ok), (SHIM_LIBRARY_MISSING, .libraryMissing),
            (SHIM_LIBRARY_INCOMPATIBLE, .libraryIncompatible), (SHIM_CONFIG_INVALID, .configInvalid),
            (SHIM_CREATE_FAILED, .createFailed), (SHIM_TIMED_OUT, .timedOut),
            (SHIM_DELIVERY_FAILED, .deliveryFailed), (SHIM_CANCELLED, .cancelled),
        ]
        self = table.first { Int32(truncatingIfNeeded: $0.0.rawValue) == code }?.1 ?? .deliveryFailed
    }

    // The error for a failure to load librdkafka, if this is one.
    func libraryError(reason: String) -> KafkaError? {
        switch self {
        case .libraryMissing: .libraryMissing
        case .libraryIncompatible: .libraryIncompatible(missingFunction: reason)
        default: nil
        }
    }
}
