// Random names, contacts and card data for the generator functions.
enum FakeData {
    private static let firstNames = [
        "Ada", "Alan", "Beatriz", "Carlos", "Chen", "Dmitri", "Elena", "Farah", "Grace", "Hiro", "Ines", "Jonas",
        "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Uma", "Victor",
        "Wen", "Ximena", "Yusuf", "Zoe",
    ]
    private static let lastNames = [
        "Almeida", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen",
        "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka",
        "Urbina", "Varga", "Weber", "Xu", "Yilmaz", "Zimmer",
    ]
    private static let domains = ["example.com", "example.org", "example.net"]

    static func firstName() -> String { firstNames.randomElement()! }
    static func lastName() -> String { lastNames.randomElement()! }

    static func email() -> String {
        "\(firstName().lowercased()).\(lastName().lowercased())\(Int.random(in: 1...999))@\(domains.randomElement()!)"
    }

    static func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9))) })
    }

    // Ten digits, not starting with 0.
    static func phone() -> String { String(Int.random(in: 1...9)) + digits(9) }

    // Sixteen digits starting with 4, with a valid Luhn check digit.
    static func creditCard() -> String {
        let body = [4] + (0..<14).map { _ in Int.random(in: 0...9) }
        let sum = body.reversed().enumerated().reduce(0) { total, pair in
            let doubled = pair.offset % 2 == 0 ? pair.element * 2 : pair.element
            return total + (doubled > 9 ? doubled - 9 : doubled)
        }
        return (body + [(10 - sum % 10) % 10]).map(String.init).joined()
    }

    // `MM/YY`, one to five years ahead.
    static func expiryDate() -> String {
        let month = Int.random(in: 1...12)
        let year = (GoTimeLayout.currentYear() + Int.random(in: 1...5)) % 100
        return (month < 10 ? "0" : "") + "\(month)/" + (year < 10 ? "0" : "") + "\(year)"
    }
}
