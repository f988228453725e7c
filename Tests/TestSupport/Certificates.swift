import Foundation

/// A self-signed certificate for `localhost` and `127.0.0.1`, valid one day, made with openssl in `directory`: the
/// PEM files of the certificate (its own CA) and of its key.
package func selfSignedCertificate(in directory: String) throws -> (certificate: String, key: String) {
    let (certificate, key) = (directory + "/cert.pem", directory + "/key.pem")
    let openssl = Process()
    openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    openssl.arguments = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate,
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
