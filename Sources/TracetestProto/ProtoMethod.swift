/// One RPC of a service.
package struct ProtoMethod: Sendable, Equatable {
    /// The service's full name, e.g. `pokeshop.Pokeshop`.
    package var service: String
    /// The method name, e.g. `getPokemon`.
    package var name: String
    /// The full name of the request message.
    package var inputType: String
    /// The full name of the response message.
    package var outputType: String
    package var clientStreaming: Bool
    package var serverStreaming: Bool

    package init(
        service: String, name: String, inputType: String, outputType: String, clientStreaming: Bool,
        serverStreaming: Bool
    ) {
        self.service = service
        self.name = name
        self.inputType = inputType
        self.outputType = outputType
        self.clientStreaming = clientStreaming
        self.serverStreaming = serverStreaming
    }

    /// The HTTP/2 path of the call: `/pokeshop.Pokeshop/getPokemon`.
    package var path: String { "/\(service)/\(name)" }
}
