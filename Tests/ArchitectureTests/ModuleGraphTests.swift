import Foundation
import Testing

/// The module graph is stated once, in `Package.swift`; `docs/ARCHITECTURE.md` must say the same, and every module
/// must declare what it imports.
@Suite("Module graph")
struct ModuleGraphTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the module table of docs/ARCHITECTURE.md lists every module with the dependencies Package.swift declares")
    func architectureTable() throws {
        let package = try PackageManifest(
            text: String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8))
        let table = try ArchitectureTable(
            text: String(contentsOf: Self.root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8))
        let modules = package.targets.filter { $0.path.hasPrefix("Sources/") }
        #expect(Set(table.rows.keys) == Set(modules.map(\.shortName)), "modules in the table vs Package.swift")
        for module in modules {
            let declared = Set(module.targetDependencies.compactMap { package.target(named: $0)?.shortName })
            #expect(table.rows[module.shortName] == declared, "\(module.name): table vs Package.swift")
        }
    }

    @Test("every module declares the project modules and packages it imports")
    func importsAreDeclared() throws {
        let package = try PackageManifest(
            text: String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8))
        let projectModules = Set(package.targets.map(\.name))
        for target in package.targets where !target.path.hasPrefix("Tests/") || target.name.hasSuffix("Support") {
            let declared = Set(target.targetDependencies + target.products)
            let files =
                FileManager.default.enumerator(atPath: Self.root.appendingPathComponent(target.path).path)?
                .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") && !$0.contains("Generated/") } ?? []
            for file in files {
                let text = try String(
                    contentsOf: Self.root.appendingPathComponent(target.path + "/" + file), encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                    let module = String(line.dropFirst("import ".count))
                    guard projectModules.contains(module) || package.products.contains(module) else { continue }
                    #expect(
                        declared.contains(module), "\(target.name) imports \(module) in \(file) without declaring it")
                }
            }
        }
    }
}

/// The targets of `Package.swift`, read from its text: names, paths and dependencies.
struct PackageManifest {
    struct Target {
        var name: String
        var path: String
        var targetDependencies: [String]
        var products: [String]
        /// `TracetestModel` → `Model`.
        var shortName: String { name.hasPrefix("Tracetest") ? String(name.dropFirst("Tracetest".count)) : name }
    }

    var targets: [Target] = []
    /// Every product name a target depends on.
    var products: Set<String> { Set(targets.flatMap(\.products)) }

    func target(named name: String) -> Target? { targets.first { $0.name == name } }

    init(text: String) throws {
        for kind in [".target(", ".executableTarget(", ".testTarget("] {
            var rest = text[...]
            while let start = rest.range(of: kind) {
                let call = Self.balanced(rest[start.upperBound...])
                rest = rest[start.upperBound...]
                guard let name = Self.firstString(after: "name: ", in: call) else { continue }
                let isTest = kind == ".testTarget("
                let path =
                    Self.firstString(after: "path: ", in: call) ?? (isTest ? "Tests/\(name)" : "Sources/\(name)")
                var targets: [String] = []
                var products: [String] = []
                if let list = call.range(of: "dependencies: [") {
                    let dependencies = Self.balanced(call[list.upperBound...], open: "[", close: "]")
                    for product in dependencies.matches(of: #/\.product\(name: "([^"]+)"/#) {
                        products.append(String(product.1))
                    }
                    let withoutProducts = dependencies.replacing(#/\.product\([^)]*\)/#, with: "")
                    for dependency in withoutProducts.matches(of: #/"([^"]+)"/#) {
                        targets.append(String(dependency.1))
                    }
                }
                self.targets.append(Target(name: name, path: path, targetDependencies: targets, products: products))
            }
        }
    }

    /// The text up to the bracket that closes the one opened just before `text`.
    static func balanced(_ text: Substring, open: Character = "(", close: Character = ")") -> Substring {
        var depth = 1
        for index in text.indices {
            if text[index] == open { depth += 1 }
            if text[index] == close {
                depth -= 1
                if depth == 0 { return text[..<index] }
            }
        }
        return text
    }

    static func firstString(after label: String, in text: Substring) -> String? {
        guard let range = text.range(of: label + "\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// The module table of `docs/ARCHITECTURE.md`: each row's module (first column, in backticks) and the modules of this
/// package it depends on (third column, short names, `—` for none).
struct ArchitectureTable {
    var rows: [String: Set<String>] = [:]

    init(text: String) throws {
        guard let section = text.components(separatedBy: "## Modules").dropFirst().first else {
            throw TableMissing()
        }
        for line in section.split(separator: "\n") {
            guard line.hasPrefix("| `") else {
                if !rows.isEmpty, !line.hasPrefix("|") { break }
                continue
            }
            let columns = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard columns.count >= 4 else { continue }
            let module = columns[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let shortName = module.hasPrefix("Tracetest") ? String(module.dropFirst("Tracetest".count)) : module
            let dependencies = columns[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && $0 != "—" }
            rows[shortName] = Set(dependencies)
        }
    }

    struct TableMissing: Error {}
}
