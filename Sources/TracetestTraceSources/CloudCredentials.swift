import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Synchronization
import TracetestModel

/// AWS credentials as the SDKs' default chain finds them (X-Ray's `useDefaultAuth`): the `AWS_*` environment
/// variables, then the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`, profile
/// `AWS_PROFILE` or `default`), then the container endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI` or `…_RELATIVE_URI`,
/// as ECS and EKS give), then the EC2 instance metadata service (IMDSv2; `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it).
struct AWSCredentials: Equatable {
    var accessKeyID: String
    var secretAccessKey: String
    var sessionToken: String?

    static func resolve(
        environment: [String: String], client: HTTPClient
    ) async throws(TraceSourceError) -> AWSCredentials {
        if let id = environment["AWS_ACCESS_KEY_ID"].nonEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"].nonEmpty
        {
            return AWSCredentials(
                accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].nonEmpty)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let file = environment["AWS_SHARED_CREDENTIALS_FILE"].nonEmpty ?? home + "/.aws/credentials"
        if let text = try? String(contentsOfFile: file, encoding: .utf8),
            let found = sharedFile(text, profile: environment["AWS_PROFILE"].nonEmpty ?? "default")
        {
            return found
        }
        let call = StoreHTTPCall(storeName: "the AWS credentials endpoint", client: client)
        if let uri = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"].nonEmpty
            ?? environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"].nonEmpty.map({ "http://169.254.170.2" + $0 })
        {
            let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"].nonEmpty
            let answer = try await call.send(.GET, uri, headers: token.map { [("Authorization", $0)] } ?? [])
            return try credentials(in: try call.json(answer), from: uri)
        }
        let imds = baseURL(environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"], else: "http://169.254.169.254")
        do throws(TraceSourceError) {
            let token = String(
                buffer: try await call.send(
                    .PUT, imds + "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", "300")]
                ).body)
            let header = [("X-aws-ec2-metadata-token", token)]
            let path = imds + "/latest/meta-data/iam/security-credentials/"
            let role =
                String(buffer: try await call.send(.GET, path, headers: header).body)
                .split(separator: "\n").first.map(String.init) ?? ""
            return try credentials(
                in: try call.json(try await call.send(.GET, path + role, headers: header)), from: imds)
        } catch {
            throw TraceSourceError(
                .authentication,
                "useDefaultAuth found no AWS credentials: not in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, not in \(file), "
                    + "no container credentials endpoint, and the instance metadata service did not give any "
                    + "(\(error.message)); set them there or give accessKeyId and secretAccessKey")
        }
    }

    /// The profile's keys in an INI-style credentials file.
    static func sharedFile(_ text: String, profile: String) -> AWSCredentials? {
        var section = ""
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
            } else if section == profile, !line.hasPrefix("#"), !line.hasPrefix(";"),
                let equals = line.firstIndex(of: "=")
            {
                values[line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] =
                    line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            }
        }
        guard let id = values["aws_access_key_id"].nonEmpty, let secret = values["aws_secret_access_key"].nonEmpty
        else {
            return nil
        }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: secret, sessionToken: values["aws_session_token"].nonEmpty)
    }

    private static func credentials(in answer: JSONValue, from source: String) throws(TraceSourceError)
        -> AWSCredentials
    {
        guard let id = (answer["AccessKeyId"]?.plainText).nonEmpty,
            let secret = (answer["SecretAccessKey"]?.plainText).nonEmpty
        else {
            throw TraceSourceError(.authentication, "\(StoreHTTPCall.origin(source)) answered no AWS credentials")
        }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: secret, sessionToken: (answer["Token"]?.plainText).nonEmpty)
    }
}

/// A Microsoft Entra ID (Azure AD) token for the Logs query API (Application Insights' `useAzureActiveDirectoryAuth`),
/// as azidentity's default credential finds one: a client secret (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`,
/// `AZURE_CLIENT_SECRET`; `AZURE_AUTHORITY_HOST` moves the login endpoint), or the managed identity endpoint of App
/// Service, Functions and Container Apps (`IDENTITY_ENDPOINT` with `IDENTITY_HEADER`). Tokens are kept until five
/// minutes before they expire.
enum AzureToken {
    static let resource = "https://api.loganalytics.io"

    private static let cache = Mutex([String: (token: String, expires: Date)]())

    static func get(environment: [String: String], client: HTTPClient) async throws(TraceSourceError) -> String {
        let call = StoreHTTPCall(storeName: "Microsoft Entra ID", client: client)
        let url: String
        let headers: [(String, String)]
        let body: [UInt8]?
        if let tenant = environment["AZURE_TENANT_ID"].nonEmpty, let id = environment["AZURE_CLIENT_ID"].nonEmpty,
            let secret = environment["AZURE_CLIENT_SECRET"].nonEmpty
        {
            let authority = baseURL(environment["AZURE_AUTHORITY_HOST"], else: "https://login.microsoftonline.com")
            url = "\(authority)/\(tenant)/oauth2/v2.0/token"
            headers = [("Content-Type", "application/x-www-form-urlencoded")]
            body = Array(
                form([
                    ("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret),
                    ("scope", resource + "/.default"),
                ]).utf8)
        } else if let endpoint = environment["IDENTITY_ENDPOINT"].nonEmpty,
            let header = environment["IDENTITY_HEADER"].nonEmpty
        {
            url = endpoint + "?" + form([("resource", resource), ("api-version", "2019-08-01")])
            headers = [("X-IDENTITY-HEADER", header)]
            body = nil
        } else {
            throw TraceSourceError(
                .authentication,
                "useAzureActiveDirectoryAuth found no credentials: set AZURE_TENANT_ID, AZURE_CLIENT_ID and "
                    + "AZURE_CLIENT_SECRET (or run with a managed identity: IDENTITY_ENDPOINT, IDENTITY_HEADER), or "
                    + "give an accessToken")
        }
        let key = url + (environment["AZURE_CLIENT_ID"] ?? "")
        if let kept = cache.withLock({ $0[key] }), kept.expires > Date() { return kept.token }
        let answer = try call.json(try await call.send(body == nil ? .GET : .POST, url, headers: headers, body: body))
        guard let token = (answer["access_token"]?.plainText).nonEmpty else {
            throw TraceSourceError(.authentication, "Microsoft Entra ID answered no access_token")
        }
        let lifetime = Double(answer["expires_in"]?.plainText ?? "") ?? 3_600
        cache.withLock { $0[key] = (token, Date().addingTimeInterval(max(0, lifetime - 300))) }
        return token
    }

    private static func form(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $1)" }
            .joined(separator: "&")
    }
}
