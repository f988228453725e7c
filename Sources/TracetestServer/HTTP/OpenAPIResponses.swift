import Hummingbird
import TracetestModel

/// Bodies of the non-resource ("OpenAPI") routes: JSON with a trailing newline; errors are a JSON string.
enum OpenAPIResponse {
    static let contentType = "application/json; charset=UTF-8"

    static func json(_ value: WireValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(
            status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: value.jsonText + "\n")))
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws
        -> Response
    {
        json(try WireEncoder().encode(value), status: status, headers: headers)
    }

    static func error(_ error: APIError) -> Response {
        json(error.body ?? .string(error.message), status: error.status)
    }
}
