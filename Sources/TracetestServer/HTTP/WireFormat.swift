import Hummingbird
import TracetestModel

/// The three encodings of the resource API, chosen by exact header values as Tracetest does.
enum WireFormat: String, CaseIterable {
    case json = "application/json"
    case yaml = "text/yaml"
    case yamlStream = "text/yaml-stream"

    /// How to read a request body: `Content-Type`, else `Accept`, else JSON.
    static func ofRequest(_ request: Request) -> WireFormat {
        named(request.headers[.contentType]) ?? named(request.headers[.accept]) ?? .json
    }

    /// How to write the response: `Accept`, else `Content-Type`, else JSON.
    static func ofResponse(_ request: Request) -> WireFormat {
        named(request.headers[.accept]) ?? named(request.headers[.contentType]) ?? .json
    }

    private static func named(_ value: String?) -> WireFormat? {
        value.flatMap(WireFormat.init(rawValue:))
    }

    /// `value` as a response body in this format; a list in `text/yaml-stream` is one document per item.
    func render(_ value: WireValue) throws -> String {
        switch self {
        case .json:
            return value.jsonText
        case .yaml:
            return try value.yamlText()
        case .yamlStream:
            guard let items = value["items"]?.arrayValue else { return try value.yamlText() }
            return try items.map { "---\n" + (try $0.yamlText()) }.joined()
        }
    }

    func response(_ value: WireValue, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: rawValue],
            body: ResponseBody(byteBuffer: ByteBuffer(string: try render(value)))
        )
    }

    func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        try response(WireEncoder().encode(value), status: status)
    }

    /// The resource API's error body, `{code, error}`; a 404 has an empty body, which the CLI relies on.
    func errorResponse(_ status: HTTPResponse.Status, _ message: String) -> Response {
        guard status != .notFound else {
            return Response(status: status, headers: [.contentType: rawValue])
        }
        let body: WireValue = .object(["code": .integer(Int64(status.code)), "error": .string(message)])
        let text = (try? render(body)) ?? body.jsonText
        return Response(
            status: status, headers: [.contentType: rawValue], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
