/// Short random ids for resources created without one, in Tracetest's style: 9 characters of `[0-9A-Za-z_-]`, never
/// starting with `-` (such an id could not follow a command-line option: `--id -x1` reads as two options).
package enum ShortID {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")

    package static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let first = alphabet[Int(generator.next(upperBound: UInt64(alphabet.count - 1)))]
        return String([first] + (1..<9).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
