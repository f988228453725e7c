import Foundation

/// A self-signed certificate for `localhost` and `127.0.0.1` (or for the DNS name `name` alone), valid one day, made
/// with openssl in `directory`: the PEM files of the certificate (its own CA) and of its key.
package func selfSignedCertificate(
    in directory: String, name: String? = nil
) throws -> (certificate: String, key: String) {
    let (certificate, key) = (directory + "/cert-\(name ?? "local").pem", directory + "/key-\(name ?? "local").pem")
    let openssl = Process()
    openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    openssl.arguments = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=\(name ?? "127.0.0.1")",
        "-addext", name.map { "subjectAltName=DNS:\($0)" } ?? "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
        key, "-out", certificate,
    ]
    openssl.standardOutput = FileHandle.nullDevice
    openssl.standardError = FileHandle.nullDevice
    try openssl.run()
    openssl.waitUntilExit()
    guard openssl.terminationStatus == 0 else { throw CertificateError() }
    return (certificate, key)
}

package struct CertificateError: Error, CustomStringConvertible {
    package var description: String { "openssl could not make a certificate (is openssl installed?)" }
}
