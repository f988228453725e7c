import Foundation

// A function callable in expressions (language.md §4.9): typed parameters, required ones first.
struct LanguageFunction: Sendable {
    struct Parameter: Sendable {
        var type: ValueType
        var required: Bool
    }

    let name: String
    let parameters: [Parameter]
    let body: @Sendable ([TypedValue]) throws(EvaluationError) -> String

    // Checks the arguments against the parameters, then runs the function.
    func invoke(_ arguments: [TypedValue]) throws(EvaluationError) -> String {
        let required = parameters.filter(\.required).count
        guard arguments.count >= required else {
            throw EvaluationError(
                .function, "missing required parameters. Expected at least \(required) params, got \(arguments.count)")
        }
        guard arguments.count <= parameters.count else {
            throw EvaluationError(
                .function, "too many parameters. Expected at most \(parameters.count) params, got \(arguments.count)")
        }
        for (index, argument) in arguments.enumerated() where argument.type != parameters[index].type {
            throw EvaluationError(
                .function,
                "invalid argument type on index \(index): expected \(parameters[index].type.rawValue), "
                    + "got \(argument.type.rawValue)")
        }
        return try body(arguments)
    }
}

enum Functions {
    static func named(_ name: String) -> LanguageFunction? { registry[name] }

    private static let registry: [String: LanguageFunction] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.name, $0) })

    private static let all: [LanguageFunction] = [
        LanguageFunction(name: "uuid", parameters: []) { _ in UUID().uuidString.lowercased() },
        LanguageFunction(name: "firstName", parameters: []) { _ in FakeData.firstName() },
        LanguageFunction(name: "lastName", parameters: []) { _ in FakeData.lastName() },
        LanguageFunction(name: "fullName", parameters: []) { _ in FakeData.firstName() + " " + FakeData.lastName() },
        LanguageFunction(name: "email", parameters: []) { _ in FakeData.email() },
        LanguageFunction(name: "phone", parameters: []) { _ in FakeData.phone() },
        LanguageFunction(name: "creditCard", parameters: []) { _ in FakeData.creditCard() },
        LanguageFunction(name: "creditCardCvv", parameters: []) { _ in FakeData.digits(3) },
        LanguageFunction(name: "creditCardExpDate", parameters: []) { _ in FakeData.expiryDate() },
        LanguageFunction(
            name: "randomInt",
            parameters: [
                LanguageFunction.Parameter(type: .number, required: true),
                LanguageFunction.Parameter(type: .number, required: true),
            ]
        ) { arguments throws(EvaluationError) in
            guard let low = Int(arguments[0].text), let high = Int(arguments[1].text), low <= high else {
                throw EvaluationError(.function, "randomInt needs two whole numbers, the first not above the second")
            }
            return String(Int.random(in: low...high))
        },
        LanguageFunction(name: "date", parameters: [LanguageFunction.Parameter(type: .string, required: false)]) {
            arguments in
            GoTimeLayout.format(
                Date(), layout: arguments.first.map { GoTimeLayout.fromFmtdate($0.text) } ?? "2006-01-02")
        },
        LanguageFunction(name: "dateTime", parameters: [LanguageFunction.Parameter(type: .string, required: false)]) {
            arguments in
            GoTimeLayout.format(
                Date(), layout: arguments.first.map { GoTimeLayout.fromFmtdate($0.text) } ?? "2006-01-02T15:04:05Z07:00"
            )
        },
    ]
}
