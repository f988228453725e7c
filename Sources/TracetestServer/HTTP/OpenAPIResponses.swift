import Hummingbird
import TracetestModel

/// Bodies of the non-resource ("OpenAPI") routes: JSON with a trailing newline; errors are a JSON string.
enum OpenAPIResponse {
    static let contentType = "application/json; charset=UTF-8"

    /// `value` as JSON; a big document (a run with its trace) is written piece by piece, never copied into one
    /// string.
    static func json(_ value: WireValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        let pieces = value.jsonPieces + ["\n"]
        let body = ResponseBody(contentLength: pieces.reduce(0) { $0 + $1.utf8.count }) { writer in
            for piece in pieces where !piece.isEmpty { try await writer.write(ByteBuffer(string: piece)) }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: fields, body: body)
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws
        -> Response
    {
        json(try WireEncoder().encode(value), status: status, headers: headers)
    }
}
