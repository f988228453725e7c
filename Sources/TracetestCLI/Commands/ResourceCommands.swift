import ArgumentParser
import Foundation
import TracetestModel

private let resourceHelp = ArgumentHelp(
    "The resource: \(ResourceCatalog.names.joined(separator: ", ")) (deprecated: transaction, environment).",
    valueName: "resource")

/// `tracetest apply <resource> -f FILE`: create or update a resource from a YAML definition file.
package struct ApplyCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or update a resource from a definition file.",
        discussion: """
            The file's `type` must match the resource. Test suite steps and polling profiles given as paths are \
            applied first (paths relative to the file that names them). When the file has no `spec.id`, the id \
            the server assigned is written into the file.
            """
    )

    @Argument(help: resourceHelp) var resource: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Definition file (YAML).", valueName: "file")) var file: String?
    @OptionGroup var global: GlobalOptions

    package init() {}

    package func run() async throws {
        let console = global.console
        try await runReportingErrors(console) {
            let format = try global.outputFormat(default: .yaml)
            let resource = try ResourceCatalog.resolve(resource, console: console)
            guard let file, !file.isEmpty else {
                throw CLIError(
                    "apply needs a definition file", hint: "For example: tracetest apply \(resource.name) -f file.yaml")
            }
            try await Session.with(global) { session in
                let applied = try await Applier(session: session).apply(resource, file: file, format: format)
                try ResourcePrinter(session: session, resource: resource).printSingle(applied.response, format)
            }
        }
    }
}

/// `tracetest get <resource> --id ID`.
package struct GetCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Show one resource.")

    @Argument(help: resourceHelp) var resource: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("The resource's id (singletons: current).", valueName: "id"))
    var id: String?
    @OptionGroup var global: GlobalOptions

    package init() {}

    package func run() async throws {
        let console = global.console
        try await runReportingErrors(console) {
            let format = try global.outputFormat(default: .yaml)
            let resource = try ResourceCatalog.resolve(resource, console: console)
            let id = try requireID(id, command: "get", resource)
            try await Session.with(global) { session in
                let response = try await session.client.send(
                    .GET, "/\(resource.plural)/\(pathComponent(id))", headers: acceptHeaders(format))
                if response.status == 404 {
                    console.line("Resource \(resource.name) with ID \(id) not found")
                    return
                }
                guard response.isSuccess else { throw serverError("get \(resource.name) \(id)", response) }
                try ResourcePrinter(session: session, resource: resource).printSingle(response, format)
            }
        }
    }
}

/// `tracetest list <resource>`.
package struct ListCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List resources (a table by default).")

    @Argument(help: resourceHelp) var resource: String?
    @Option(help: ArgumentHelp("How many resources to show.", valueName: "n")) var take = 20
    @Option(help: ArgumentHelp("How many resources to skip.", valueName: "n")) var skip = 0
    @Option(
        name: .customLong("sortBy"),
        help: ArgumentHelp(
            "Field to sort by (tests and suites: created, name, last_run; variable sets: name, created; "
                + "demos: id, name, type).", valueName: "field"))
    var sortBy: String?
    @Option(
        name: .customLong("sortDirection"), help: ArgumentHelp("Sort direction: asc or desc.", valueName: "direction"))
    var sortDirection = "desc"
    @Flag(help: "List every resource, reading as many pages as needed (ignores --take and --skip).") var all = false
    @OptionGroup var global: GlobalOptions

    package init() {}

    package func run() async throws {
        let console = global.console
        try await runReportingErrors(console) {
            let format = try global.outputFormat(default: .pretty)
            let resource = try ResourceCatalog.resolve(resource, console: console)
            guard ["asc", "desc"].contains(sortDirection.lowercased()) else {
                throw CLIError("invalid --sortDirection \(sortDirection)", hint: "Use asc or desc.")
            }
            guard take >= 0, skip >= 0 else { throw CLIError("--take and --skip must not be negative") }
            try await Session.with(global) { session in
                let printer = ResourcePrinter(session: session, resource: resource)
                if all {
                    try printer.printList(try await fetchAll(session, resource), format)
                    return
                }
                var headers = acceptHeaders(format)
                if format == .yaml { headers = [("Accept", "text/yaml-stream")] }
                let response = try await session.client.send(
                    .GET, "/\(resource.plural)?\(query(skip: skip, take: take))", headers: headers)
                guard response.isSuccess else { throw serverError("list \(resource.name)", response) }
                if format == .yaml {
                    console.write(
                        response.body.isEmpty || response.body.hasSuffix("\n") ? response.body : response.body + "\n")
                    return
                }
                try printer.printList(try parseJSON(response), format)
            }
        }
    }

    private func query(skip: Int, take: Int) -> String {
        var items = ["skip=\(skip)", "take=\(take)", "sortDirection=\(sortDirection.lowercased())"]
        if let sortBy, !sortBy.isEmpty { items.append("sortBy=\(pathComponent(sortBy))") }
        return items.joined(separator: "&")
    }

    private func fetchAll(_ session: Session, _ resource: ResourceType) async throws -> WireValue {
        var items: [WireValue] = []
        var count = 0
        let page = 100
        repeat {
            let response = try await session.client.send(
                .GET, "/\(resource.plural)?\(query(skip: items.count, take: page))",
                headers: acceptHeaders(.json))
            guard response.isSuccess else { throw serverError("list \(resource.name)", response) }
            let value = try parseJSON(response)
            count = value["count"]?.intValue ?? 0
            let pageItems = value["items"]?.arrayValue ?? []
            items += pageItems
            if pageItems.isEmpty { break }
        } while items.count < count
        return .object(["count": .integer(Int64(count)), "items": .array(items)])
    }
}

/// `tracetest delete <resource> --id ID`.
package struct DeleteCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a resource (singletons cannot be deleted).")

    @Argument(help: resourceHelp) var resource: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("The resource's id.", valueName: "id")) var id: String?
    @OptionGroup var global: GlobalOptions

    package init() {}

    package func run() async throws {
        let console = global.console
        try await runReportingErrors(console) {
            _ = try global.outputFormat(default: .yaml)
            let resource = try ResourceCatalog.resolve(resource, console: console)
            let id = try requireID(id, command: "delete", resource)
            try await Session.with(global) { session in
                let response = try await session.client.send(.DELETE, "/\(resource.plural)/\(pathComponent(id))")
                if response.status == 404 { throw notFound(resource, id) }
                guard response.isSuccess else { throw serverError("delete \(resource.name) \(id)", response) }
                console.line("✔ \(resource.title) successfully deleted")
            }
        }
    }
}

/// `tracetest export <resource> --id ID [-f FILE]`.
package struct ExportCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a resource's definition to a YAML file.")

    @Argument(help: resourceHelp) var resource: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("The resource's id.", valueName: "id")) var id: String?
    @Option(name: [.short, .long], help: ArgumentHelp("File to write.", valueName: "file"))
    var file = "resource.yaml"
    @OptionGroup var global: GlobalOptions

    package init() {}

    package func run() async throws {
        let console = global.console
        try await runReportingErrors(console) {
            _ = try global.outputFormat(default: .yaml)
            let resource = try ResourceCatalog.resolve(resource, console: console)
            let id = try requireID(id, command: "export", resource)
            try await Session.with(global) { session in
                let response = try await session.client.send(
                    .GET, "/\(resource.plural)/\(pathComponent(id))", headers: [("Accept", "text/yaml")])
                if response.status == 404 { throw notFound(resource, id) }
                guard response.isSuccess else { throw serverError("export \(resource.name) \(id)", response) }
                let path = CLIConfig.absolute(file, in: FileManager.default.currentDirectoryPath)
                do {
                    try response.body.write(toFile: path, atomically: true, encoding: .utf8)
                } catch {
                    throw CLIError(
                        "cannot write \(path): \(error.localizedDescription)",
                        hint: "Choose a writable path with --file.")
                }
                console.line("✔  Definition exported successfully for resource type: \(resource.name)")
            }
        }
    }
}

// MARK: Shared

/// The error for a resource the server does not have.
func notFound(_ resource: ResourceType, _ id: String) -> CLIError {
    CLIError(
        "Resource \(resource.name) with ID \(id) not found",
        hint: "See the existing ids with 'tracetest list \(resource.name)'.")
}

func requireID(_ id: String?, command: String, _ resource: ResourceType) throws(CLIError) -> String {
    guard let id, !id.isEmpty else {
        throw CLIError(
            "\(command) needs the resource's id",
            hint: "For example: tracetest \(command) \(resource.name) --id <id> "
                + "(list them with 'tracetest list \(resource.name)').")
    }
    return id
}

func pathComponent(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?&=")))
        ?? text
}

func acceptHeaders(_ format: OutputFormat) -> [(String, String)] {
    switch format {
    case .yaml: [("Accept", "text/yaml")]
    case .json, .pretty, .markdown: [("Accept", "application/json"), ("X-Tracetest-Augmented", "true")]
    }
}

func serverError(_ action: String, _ response: APIResponse) -> CLIError {
    CLIError("could not \(action): \(response.errorText) (HTTP \(response.status))")
}

func parseJSON(_ response: APIResponse) throws(CLIError) -> WireValue {
    do {
        return try OrderedJSON.parse(response.body)
    } catch {
        throw CLIError("the server answered something that is not JSON (\(error)): \(response.body.prefix(200))")
    }
}

/// Prints resource responses in the three formats (cli.md §4): YAML verbatim, JSON re-indented, or a table.
struct ResourcePrinter {
    let session: Session
    let resource: ResourceType

    func printSingle(_ response: APIResponse, _ format: OutputFormat) throws(CLIError) {
        switch format {
        case .yaml: session.console.write(response.body.hasSuffix("\n") ? response.body : response.body + "\n")
        case .json: session.console.line(try parseJSON(response).indentedJSON)
        case .pretty: session.console.write(table([try parseJSON(response)]).text)
        case .markdown: session.console.write(table([try parseJSON(response)]).markdown)
        }
    }

    func printList(_ list: WireValue, _ format: OutputFormat) throws(CLIError) {
        let items = list["items"]?.arrayValue ?? []
        switch format {
        case .json: session.console.line(list.indentedJSON)
        case .pretty: session.console.write(table(items).text)
        case .markdown: session.console.write(table(items).markdown)
        case .yaml:
            for item in items {
                session.console.write("---\n" + ((try? item.yamlText()) ?? item.jsonText + "\n"))
            }
        }
    }

    func table(_ items: [WireValue]) -> Table {
        let ui = session.config.uiBase
        return Table(
            headers: resource.columns.map(\.header),
            rows: items.map { item in
                let spec = item["spec"] ?? .object([:])
                return resource.columns.map { $0.cell(spec, ui) }
            })
    }
}
