import Testing

@testable import TracetestIngest

@Suite("OTLP receiver: gRPC listen address")
struct BindAddressTests {
    @Test(
        "IP addresses are kept, host names resolved",
        arguments: [
            ("0.0.0.0", "[ipv4]0.0.0.0:4317"), ("127.0.0.1", "[ipv4]127.0.0.1:4317"), ("::", "[ipv6]:::4317"),
            ("::1", "[ipv6]::1:4317"), ("localhost", "[ipv4]127.0.0.1:4317"),
        ])
    func resolved(host: String, expected: String) throws {
        #expect(try GRPCReceiver.bindAddress(host: host, port: 4317).description == expected)
    }

    @Test("a host name that does not resolve stops the receiver with the key and the name")
    func unresolvable() throws {
        let error = try #require(throws: ReceiverAddressError.self) {
            try GRPCReceiver.bindAddress(host: "no-such-host.invalid", port: 4317)
        }
        #expect(error.description.hasPrefix(#"otlpServer.host "no-such-host.invalid" cannot be resolved"#))
    }
}
