import Foundation
import TracetestModel
import Yams

/// A resource definition file as read from disk: its original text and the parsed document.
struct ResourceFile {
    /// Absolute path.
    let path: String
    /// The text on disk, untouched (what an id is written back into).
    let originalText: String
    /// The document to send, parsed from the text after any `${NAME}` substitution.
    var document: Node

    var directory: String { (path as NSString).deletingLastPathComponent }

    /// Reads `path` (relative to `base`); a missing file is exit code 3 (cli.md §9).
    static func read(_ path: String, relativeTo base: String, substitutingEnvironment: Bool = false) throws(CLIError)
        -> ResourceFile
    {
        let absolute = CLIConfig.absolute(path, in: base)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw CLIError(
                "definition file \(path) does not exist (looked for \(absolute))",
                hint: "Check the path given with --file; relative paths are read from the current directory.",
                exitCode: CLIExit.missingFile)
        }
        guard !isDirectory.boolValue else {
            throw CLIError(
                "\(path) is a directory; give a definition file (a .yaml file)", exitCode: CLIExit.missingFile)
        }
        let text: String
        do {
            text = try String(contentsOfFile: absolute, encoding: .utf8)
        } catch {
            throw CLIError("cannot read \(absolute): \(error.localizedDescription)")
        }
        let parsedText = substitutingEnvironment ? Self.substituteEnvironment(text) : text
        let document: Node?
        do {
            document = try WireDecoding.document(parsedText)
        } catch {
            throw CLIError(
                "\(absolute): not valid YAML: \(error)",
                hint: "Fix the file; a resource is {type: <Kind>, spec: {...}}.")
        }
        guard let document, document.mapping != nil else {
            throw CLIError(
                "\(absolute): a resource file must be a mapping with `type` and `spec`",
                hint: "For example:\ntype: Test\nspec:\n  name: My test")
        }
        return ResourceFile(path: absolute, originalText: text, document: document)
    }

    /// Replaces every `${NAME}` (word characters only, so `${var:X}` and `${env:X}` stay) with the value of the
    /// process environment variable `NAME`, or nothing when it is unset (cli.md §5.1).
    static func substituteEnvironment(
        _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let pattern = /\$\{(\w+)\}/
        return text.replacing(pattern) { match in environment[String(match.output.1)] ?? "" }
    }

    /// The declared `type`, if any.
    var type: String? { document["type"]?.string }

    var spec: Node? { document["spec"] }

    /// Whether the original file gives `spec.id` (a nested `id:` elsewhere does not count).
    var originalHasID: Bool {
        guard let original = try? WireDecoding.document(originalText), let spec = original["spec"]?.mapping else {
            return true
        }
        return spec["id"] != nil
    }

    /// Writes `id: <id>` into the file on disk on the first indented line after `spec:` (as upstream does), with
    /// the indentation of `spec`'s keys; the rest of the text (comments, relative paths, `${NAME}` references) is
    /// kept as it is. Nothing happens when the file already has an id or its `spec` is written in flow style.
    func writeBack(id: String, console: Console) {
        guard !id.isEmpty, !originalHasID, let original = try? WireDecoding.document(originalText),
            let specKey = original.mapping?.first(where: { $0.key.string == "spec" }),
            let firstKey = specKey.value.mapping?.first?.key, let keyMark = specKey.key.mark,
            let mark = firstKey.mark, mark.line > keyMark.line
        else { return }
        var lines = originalText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard mark.line - 1 < lines.count else { return }
        // The first indented line after `spec:` (a comment above the first key stays below the id).
        var insertAt = mark.line - 1
        for index in keyMark.line..<(mark.line - 1) where lines[index].first == " " || lines[index].first == "\t" {
            insertAt = index
            break
        }
        let indent = String(repeating: " ", count: max(0, mark.column - 1))
        let value = (try? Yams.serialize(node: id.represented()))?.trimmingCharacters(in: .newlines) ?? id
        lines.insert("\(indent)id: \(value)", at: insertAt)
        do {
            try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        } catch {
            console.warning("could not write the id \(id) into \(path): \(error.localizedDescription)")
        }
    }
}

/// A string as a YAML node that reads back as that string (literal block style for several lines).
func stringNode(_ text: String) -> Node {
    if text.contains("\n") { return .scalar(Node.Scalar(text, Tag(.str), .literal)) }
    return .scalar(text.represented())
}

/// Whether a file reference is written as a path (`./x`, `../x`, `/x`), cli.md §4.1.
func looksLikePath(_ text: String) -> Bool {
    text.hasPrefix("./") || text.hasPrefix("../") || text.hasPrefix("/")
}

/// `apply`: checks a file's type, prepares it (legacy types, referenced files, suite steps), upserts it with
/// `PUT <base>/<plural>`, and writes the id back into files that had none (cli.md §4.1).
struct Applier {
    let session: Session

    struct Applied {
        var id: String
        var response: APIResponse
    }

    /// Applies `path` as `resource`; the response is in `format` (YAML unless JSON or pretty).
    func apply(
        _ resource: ResourceType, file path: String, relativeTo base: String = FileManager.default.currentDirectoryPath,
        format: OutputFormat = .yaml, substitutingEnvironment: Bool = false
    ) async throws -> Applied {
        var file = try ResourceFile.read(path, relativeTo: base, substitutingEnvironment: substitutingEnvironment)
        try checkType(&file, resource)
        try checkKeys(file, resource)
        try await prepare(&file, resource)
        let body = try Yams.serialize(node: file.document, width: -1, allowUnicode: true)
        let headers = [("Content-Type", "text/yaml")] + acceptHeaders(format)
        let response = try await session.client.send(.PUT, "/\(resource.plural)", body: body, headers: headers)
        guard response.isSuccess else {
            throw CLIError(
                "could not apply \(resource.name) from \(file.path): \(response.errorText) (HTTP \(response.status))",
                hint: "Fix the file and apply it again.")
        }
        let id = Self.specID(of: response)
        file.writeBack(id: id, console: session.console)
        return Applied(id: id, response: response)
    }

    static func specID(of response: APIResponse) -> String {
        if let value = try? OrderedJSON.parse(response.body), let id = value["spec"]?["id"]?.cellText { return id }
        if let node = try? WireDecoding.document(response.body), let id = node["spec"]?["id"]?.string { return id }
        return ""
    }

    private func checkType(_ file: inout ResourceFile, _ resource: ResourceType) throws(CLIError) {
        guard let type = file.type, !type.isEmpty else {
            throw CLIError(
                "cannot find type in yaml \(file.path)",
                hint: "Start the file with `type: \(resource.typeName)` and put the fields under `spec:`.")
        }
        if type == resource.typeName { return }
        if let legacy = resource.legacyTypeName, type == legacy {
            session.console.warning(
                "\(file.path): the type `\(legacy)` is deprecated; use `\(resource.typeName)` instead.")
            file.document["type"] = stringNode(resource.typeName)
            return
        }
        throw CLIError(
            "cannot apply \(type) to \(resource.typeName) resource (\(file.path))",
            hint: "Use 'tracetest apply \(ResourceCatalog.all.first { $0.typeName == type }?.name ?? "<resource>")' "
                + "for a file of type \(type).")
    }

    /// Unknown keys are refused here, where the positions are those of the user's file (the server sees the
    /// document as the CLI re-serialises it).
    private func checkKeys(_ file: ResourceFile, _ resource: ResourceType) throws(CLIError) {
        do {
            try ResourceKeys.check(file.document, kind: resource.kind)
        } catch {
            let position = error.line.map { line in ":\(line)" + (error.column.map { ":\($0)" } ?? "") } ?? ""
            throw CLIError(
                "\(file.path)\(position): \(error.path): \(error.problem)", hint: "Fix the file and apply it again.")
        }
    }

    private func prepare(_ file: inout ResourceFile, _ resource: ResourceType) async throws {
        switch resource.kind {
        case .test: try await prepareTest(&file)
        case .testSuite: try await prepareSuite(&file)
        default: break
        }
    }

    /// Suite steps given as paths are applied as tests (relative to the suite file) and replaced by their ids.
    private func prepareSuite(_ file: inout ResourceFile) async throws {
        guard let steps = file.spec?["steps"]?.sequence else { return }
        var ids: [Node] = []
        for step in steps {
            guard let text = step.string, looksLikePath(text) else {
                ids.append(step)
                continue
            }
            let test = try ResourceCatalog.resolve("test", console: session.console)
            let applied = try await apply(test, file: text, relativeTo: file.directory)
            ids.append(stringNode(applied.id))
        }
        file.document.set(.sequence(Node.Sequence(ids)), atKeys: ["spec", "steps"])
    }

    /// A polling profile given as a path is applied first; trigger fields that name files are replaced by the
    /// files' contents (protobuf, HTTP body, GraphQL query and schema, Playwright script).
    private func prepareTest(_ file: inout ResourceFile) async throws {
        if let profile = file.spec?["pollingProfile"]?.string, looksLikePath(profile) {
            let resource = try ResourceCatalog.resolve("pollingprofile", console: session.console)
            let applied = try await apply(resource, file: profile, relativeTo: file.directory)
            file.document.set(stringNode(applied.id), atKeys: ["spec", "pollingProfile"])
        }
        let inlined: [[String]] = [
            ["grpc", "protobufFile"], ["httpRequest", "body"], ["graphql", "body", "query"], ["graphql", "schema"],
            ["playwrightEngine", "script"],
        ]
        for fieldPath in inlined {
            guard let value = file.document.value(atKeys: ["spec", "trigger"] + fieldPath)?.string,
                let contents = try readReferencedFile(value, from: file)
            else { continue }
            file.document.set(stringNode(contents), atKeys: ["spec", "trigger"] + fieldPath)
        }
    }

    /// The contents of the file `reference` names: `./`, `../` relative to the test file, an absolute path, or an
    /// existing file relative to the current directory; nil when the value is not a file reference.
    private func readReferencedFile(_ reference: String, from file: ResourceFile) throws(CLIError) -> String? {
        guard !reference.isEmpty, !reference.contains("\n"), reference.count < 4096 else { return nil }
        let path: String
        if looksLikePath(reference) {
            path = CLIConfig.absolute(reference, in: file.directory)
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError(
                    "\(file.path): the file \(reference) does not exist (looked for \(path))",
                    hint: "Paths starting with ./ or ../ are relative to the directory of the test file.")
            }
        } else {
            var isDirectory: ObjCBool = false
            let candidate = CLIConfig.absolute(reference, in: FileManager.default.currentDirectoryPath)
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue
            else { return nil }
            path = candidate
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError("\(file.path): cannot read \(path): \(error.localizedDescription)")
        }
    }
}

extension Node {
    /// The node at a path of mapping keys.
    func value(atKeys path: [String]) -> Node? {
        var node: Node? = self
        for key in path { node = node?[key] }
        return node
    }

    /// Replaces the node at a path of mapping keys that exists up to its parent.
    mutating func set(_ value: Node, atKeys path: [String]) {
        guard let key = path.first else { return }
        if path.count == 1 {
            self[key] = value
        } else if var child = self[key] {
            child.set(value, atKeys: Array(path.dropFirst()))
            self[key] = child
        }
    }
}
