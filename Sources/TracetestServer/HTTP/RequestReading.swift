import HTTPTypes
import Hummingbird
import NIOCore
import TracetestModel
import TracetestStorage
import Yams

extension Request {
    /// The largest request body the API reads.
    static let maximumBodySize = 32 * 1024 * 1024

    /// The body as text; an empty body, or one over the size limit, is a 400 / 413.
    func bodyText() async throws -> String {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: Self.maximumBodySize)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge,
                "request body is larger than \(Self.maximumBodySize / 1024 / 1024) MiB"
            )
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("cannot parse body: request body is empty") }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw APIError.badRequest(
                "cannot parse body: it is not UTF-8 text (invalid byte at offset "
                    + "\(Self.firstInvalidUTF8(buffer.readableBytesView))); send JSON or YAML encoded as UTF-8")
        }
        return text
    }

    private static func firstInvalidUTF8(_ bytes: ByteBufferView) -> Int {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while case .scalarValue(let scalar) = decoder.decode(&iterator) { offset += UTF8.width(scalar) }
        return offset
    }

    /// The body parsed as one document in `format`. A YAML body (`text/yaml` or `text/yaml-stream`) may start with
    /// `---`; a stream of several documents is refused, as every resource route takes one resource.
    func bodyDocument(format: WireFormat) async throws -> Node {
        let text = try await bodyText()
        if format == .json {
            let node = try WireDecoding.jsonDocument(text)
            try WireDecoding.checkNoNUL(node)
            return node
        }
        let documents = try WireDecoding.documents(text)
        guard documents.count <= 1 else {
            throw APIError.badRequest(
                "cannot parse body: it holds \(documents.count) YAML documents; send one resource per request")
        }
        guard let node = documents.first else {
            throw APIError.badRequest("cannot parse body: request body is empty")
        }
        try WireDecoding.checkNoNUL(node)
        return node
    }

    /// The body decoded as `T`, read as JSON or YAML as the request's headers say.
    func decodeBody<T: Decodable>(_ type: T.Type, format: WireFormat? = nil) async throws -> T {
        try WireDecoding.decode(type, from: try await bodyDocument(format: format ?? .ofRequest(self)))
    }

    /// Whether `X-Tracetest-Augmented: true` asks for read-only fields.
    var isAugmented: Bool {
        headers[HTTPField.Name("X-Tracetest-Augmented")!] == "true"
    }

    /// `take`, `skip`, `query`, `sortBy`, `sortDirection`; `sortBy` must be one of `sortFields`.
    func listQuery(sortFields: [String]) throws -> ListQuery {
        let parameters = uri.queryParameters
        func integer(_ name: String) throws -> Int {
            guard let text = parameters.get(name), !text.isEmpty else { return 0 }
            guard let value = Int(text) else {
                throw APIError.badRequest(
                    "cannot process request: error reading \(name) param: '\(text)' is not a number")
            }
            return value
        }
        // Bounded, so that no arithmetic on them overflows (`skip + take` is the window of a merged list).
        let take = min(try integer("take"), ListQuery.maximum)
        let skip = min(try integer("skip"), ListQuery.maximum)
        let sortBy = parameters.get("sortBy") ?? ""
        guard sortBy.isEmpty || sortFields.contains(sortBy) else {
            throw APIError.badRequest("cannot process request: invalid sort field: \(sortBy)")
        }
        return ListQuery(
            take: take > 0 ? take : 20,
            skip: max(skip, 0),
            query: parameters.get("query") ?? "",
            sortBy: sortBy,
            ascending: parameters.get("sortDirection")?.lowercased() == "asc"
        )
    }
}
