/// Short random ids for resources created without one, in Tracetest's style: 9 characters of `[0-9A-Za-z_-]`.
package enum ShortID {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")

    package static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<9).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
