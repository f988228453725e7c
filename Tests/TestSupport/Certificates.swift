import Foundation

/// A self-signed certificate for `localhost` and `127.0.0.1` (or for the DNS name `name` alone), valid one day, made
/// with openssl in `directory`: the PEM files of the certificate (its own CA) and of its P-256 key.
package func selfSignedCertificate(
    in directory: String, name: String? = nil
) async throws -> (certificate: String, key: String) {
    let (certificate, key) = (directory + "/cert-\(name ?? "local").pem", directory + "/key-\(name ?? "local").pem")
    let result = try await runProcess(
        "/usr/bin/env",
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days",
            "1", "-subj", "/CN=\(name ?? "127.0.0.1")", "-addext",
            name.map { "subjectAltName=DNS:\($0)" } ?? "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key,
            "-out", certificate,
        ])
    guard result.status == 0 else { throw CertificateError(errors: String(decoding: result.errors, as: UTF8.self)) }
    return (certificate, key)
}

package struct CertificateError: Error, CustomStringConvertible {
    var errors: String
    package var description: String { "openssl could not make a certificate (is openssl installed?): \(errors)" }
}
