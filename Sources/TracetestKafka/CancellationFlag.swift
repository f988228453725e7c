import CRdKafkaShim

// A flag the shim's blocking loops check between polls; raised when the calling task is cancelled.
final class CancellationFlag: @unchecked Sendable {
    // Only read and written through the shim's atomic accessors.
    let pointer: UnsafeMutablePointer<Int32>

    init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: 0)
    }

    deinit {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }

    func raise() {
        shim_cancel_flag_raise(pointer)
    }
}
