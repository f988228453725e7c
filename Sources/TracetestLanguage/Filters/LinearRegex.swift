/// A regular expression with Go `regexp` (RE2) syntax and leftmost-first semantics, matched in time linear in the input.
///
/// The pattern goes through three stages, each below in this file:
/// 1. `Parser` turns the pattern into a syntax tree (`Node`) without recursion, enforcing RE2's limits
///    (repeat counts, nesting depth).
/// 2. `Compiler` turns the tree into a small instruction `Program` (Thompson's construction).
/// 3. `Machine` runs the program as a Pike VM: every thread advances in lock step over the input, one scalar at a time,
///    in priority order, so the first thread to reach `match` wins (leftmost-first, as in Go and Perl) and no input
///    position is ever revisited. There is no backtracking.
///
/// Text is matched as Unicode scalars, as Go matches runes; positions are scalar offsets.
struct LinearRegex: Sendable {
    /// A pattern that is not valid Go `regexp` syntax, or that the engine refuses (too large, unsupported feature).
    struct SyntaxError: Error, Sendable, Equatable { var message: String }
    /// Matching took more VM steps than the caller's budget allows.
    struct BudgetExceeded: Error, Sendable, Equatable { var message: String }

    /// Number of capture groups (not counting the whole match).
    let groupCount: Int
    private let program: Program

    init(_ pattern: String) throws(SyntaxError) {
        var parser = Parser(pattern)
        let tree = try parser.parse()
        groupCount = parser.groupCount
        program = try Compiler.compile(tree, groupCount: parser.groupCount, pattern: parser.pattern)
    }

    /// Go's `FindAllStringSubmatch(text, -1)`: every non-overlapping match, leftmost first. Element 0 of each match is
    /// the whole match, then one element per group, `nil` for a group that did not take part in the match.
    func allMatches(in text: String, stepBudget: Int = 50_000_000) throws(BudgetExceeded) -> [[String?]] {
        let scalars = Array(text.unicodeScalars)
        var machine = Machine(program: program, input: scalars.map(\.value), budget: stepBudget)
        var results: [[String?]] = []
        var position = 0
        var previousEnd = -1
        while position <= scalars.count {
            guard let slots = try machine.search(from: position) else { break }
            var accept = true
            if slots[1] == position {
                // An empty match: not reported right after the previous match; step over one scalar either way.
                accept = slots[0] != previousEnd
                position += 1
            } else {
                position = slots[1]
            }
            previousEnd = slots[1]
            if accept { results.append(Self.substrings(of: scalars, slots: slots)) }
        }
        return results
    }

    private static func substrings(of scalars: [Unicode.Scalar], slots: [Int]) -> [String?] {
        stride(from: 0, to: slots.count, by: 2).map { index in
            let (start, end) = (slots[index], slots[index + 1])
            guard start >= 0, end >= start else { return nil }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[start..<end])
            return String(view)
        }
    }
}

// MARK: - Syntax tree

extension LinearRegex {
    fileprivate enum Assertion: Sendable {
        case beginText, endText, beginLine, endLine, wordBoundary, notWordBoundary
    }

    // One term of a character class: ranges and/or general categories, possibly negated (`\D`, `\PL`, `[:^alpha:]`).
    fileprivate struct ClassItem: Sendable {
        var ranges: [ClosedRange<UInt32>] = []  // sorted, disjoint
        var categories: UInt32 = 0  // bit set over `UnicodeTables.categoryCodes`
        var negated = false

        init(ranges: [ClosedRange<UInt32>] = [], categories: UInt32 = 0, negated: Bool = false) {
            self.ranges = Self.normalized(ranges)
            self.categories = categories
            self.negated = negated
        }

        // Whether the scalar value is in the item's set, ignoring `negated`.
        func containsExactly(_ value: UInt32) -> Bool {
            var low = 0
            var high = ranges.count
            while low < high {
                let middle = (low + high) / 2
                if ranges[middle].upperBound < value {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            if low < ranges.count, ranges[low].contains(value) { return true }
            guard categories != 0, let scalar = Unicode.Scalar(value) else { return false }
            return categories & UnicodeTables.bit(scalar.properties.generalCategory) != 0
        }

        private static func normalized(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            var merged: [ClosedRange<UInt32>] = []
            for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                    merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
                } else {
                    merged.append(range)
                }
            }
            return merged
        }
    }

    // A bracketed class like `[^a-z\d]`, or a single class escape like `\pL`.
    fileprivate struct CharClass: Sendable {
        var items: [ClassItem]
        var negated: Bool
        // Under `(?i)` each item is closed under case folding before `negated` applies, as in Go.
        var foldCase: Bool

        func matches(_ value: UInt32) -> Bool {
            let hit = items.contains { item in
                let inItem =
                    foldCase
                    ? CaseFolding.anyEquivalent(of: value, where: item.containsExactly)
                    : item.containsExactly(value)
                return inItem != item.negated
            }
            return hit != negated
        }
    }

    fileprivate struct Node: Sendable {
        indirect enum Kind: Sendable {
            case empty
            case literal(UInt32, foldCase: Bool)
            case anyScalar, anyNotNewline
            case charClass(CharClass)
            case assertion(Assertion)
            case capture(Int, Node)
            case concat([Node])
            case alternate([Node])
            case `repeat`(Node, min: Int, max: Int?, greedy: Bool)  // max nil: unbounded
        }

        let kind: Kind
        let height: Int  // tree height, limited like Go's parser so later recursion stays shallow
        let nullable: Bool  // can match the empty string
        let repeatWeight: Int  // largest product of nested counted repeats, limited to 1000 like Go

        static let empty = Node(kind: .empty, height: 1, nullable: true, repeatWeight: 1)

        static func leaf(_ kind: Kind, nullable: Bool = false) -> Node {
            Node(kind: kind, height: 1, nullable: nullable, repeatWeight: 1)
        }

        static func capture(_ index: Int, _ sub: Node) -> Node {
            Node(
                kind: .capture(index, sub), height: sub.height + 1, nullable: sub.nullable,
                repeatWeight: sub.repeatWeight)
        }

        static func concat(_ subs: [Node]) -> Node {
            if subs.count <= 1 { return subs.first ?? .empty }
            return Node(
                kind: .concat(subs), height: subs.map(\.height).max()! + 1, nullable: subs.allSatisfy(\.nullable),
                repeatWeight: subs.map(\.repeatWeight).max()!)
        }

        static func alternate(_ subs: [Node]) -> Node {
            if subs.count == 1 { return subs[0] }
            return Node(
                kind: .alternate(subs), height: subs.map(\.height).max()! + 1,
                nullable: subs.contains(where: \.nullable),
                repeatWeight: subs.map(\.repeatWeight).max()!)
        }

        // `counted` marks `{n,m}` syntax: only those count towards Go's limit on nested repeat products.
        static func repetition(_ sub: Node, min: Int, max: Int?, greedy: Bool, counted: Bool) -> Node {
            let count = max ?? min
            let weight = !counted ? sub.repeatWeight : count == 0 ? 1 : Swift.min(count * sub.repeatWeight, 1_000_000)
            return Node(
                kind: .repeat(sub, min: min, max: max, greedy: greedy), height: sub.height + 1,
                nullable: min == 0 || sub.nullable, repeatWeight: weight)
        }
    }
}

// MARK: - Parser

extension LinearRegex {
    fileprivate struct Flags {
        var foldCase = false  // i
        var multiLine = false  // m
        var dotNewline = false  // s
        var nonGreedy = false  // U
    }

    // Parses with an explicit stack of open groups, never recursing, so `((((…` cannot overflow the call stack.
    fileprivate struct Parser {
        static let maxRepeat = 1000
        static let maxHeight = 1000

        // An open group: the branches before the last `|`, and the items of the current branch.
        private struct Frame {
            var savedFlags: Flags  // restored at `)`
            var capture: Int?
            var openedAt: Int
            var branches: [Node] = []
            var items: [Node] = []
        }

        let pattern: [Unicode.Scalar]
        private(set) var groupCount = 0
        private var position = 0
        private var flags = Flags()
        private var frames: [Frame]

        init(_ pattern: String) {
            self.pattern = Array(pattern.unicodeScalars)
            frames = [Frame(savedFlags: Flags(), capture: nil, openedAt: 0)]
        }

        mutating func parse() throws(SyntaxError) -> Node {
            var lastRepeat: Int?  // start of the previous token when it was a repetition operator
            while position < pattern.count {
                var thisRepeat: Int?
                let character = pattern[position]
                switch character {
                case "(": try openGroup()
                case "|":
                    try closeBranch()
                    position += 1
                case ")": try closeGroup()
                case "^": pushAssertion(flags.multiLine ? .beginLine : .beginText, length: 1)
                case "$": pushAssertion(flags.multiLine ? .endLine : .endText, length: 1)
                case ".":
                    push(.leaf(flags.dotNewline ? .anyScalar : .anyNotNewline))
                    position += 1
                case "[": try parseClass()
                case "*", "+", "?":
                    thisRepeat = position
                    let (min, max): (Int, Int?) = character == "*" ? (0, nil) : character == "+" ? (1, nil) : (0, 1)
                    try applyRepeat(min: min, max: max, end: position + 1, lastRepeat: lastRepeat, counted: false)
                case "{":
                    if let (min, max, end) = parseCount() {
                        guard min <= Self.maxRepeat, (max ?? 0) <= Self.maxRepeat, min <= (max ?? min) else {
                            throw error("invalid repeat count", position..<end)
                        }
                        thisRepeat = position
                        try applyRepeat(min: min, max: max, end: end, lastRepeat: lastRepeat, counted: true)
                    } else {
                        pushLiteral("{")  // not a valid repeat: a literal brace, as in Go
                        position += 1
                    }
                case "\\": try parseBackslash()
                default:
                    pushLiteral(character)
                    position += 1
                }
                lastRepeat = thisRepeat
            }
            if frames.count > 1 {
                throw error("missing closing )", 0..<pattern.count, at: frames[frames.count - 1].openedAt)
            }
            return try body(of: frames[0])
        }

        // MARK: Groups and alternation

        private mutating func openGroup() throws(SyntaxError) {
            if position + 1 < pattern.count, pattern[position + 1] == "?" {
                return try parseGroupFlags()
            }
            groupCount += 1
            frames.append(Frame(savedFlags: flags, capture: groupCount, openedAt: position))
            position += 1
        }

        private mutating func closeBranch() throws(SyntaxError) {
            let branch = try checked(.concat(frames[frames.count - 1].items))
            frames[frames.count - 1].branches.append(branch)
            frames[frames.count - 1].items = []
        }

        private mutating func closeGroup() throws(SyntaxError) {
            guard frames.count > 1 else { throw error("unexpected )", 0..<pattern.count, at: position) }
            let frame = frames.removeLast()
            var node = try body(of: frame)
            if let index = frame.capture { node = try checked(.capture(index, node)) }
            flags = frame.savedFlags
            push(node)
            position += 1
        }

        private func body(of frame: Frame) throws(SyntaxError) -> Node {
            try checked(.alternate(frame.branches + [checked(.concat(frame.items))]))
        }

        // `(?` groups: named captures, flag changes `(?i)`, non-capturing groups `(?i-s:…)`.
        private mutating func parseGroupFlags() throws(SyntaxError) {
            let start = position
            func at(_ offset: Int) -> Unicode.Scalar? { start + offset < pattern.count ? pattern[start + offset] : nil }
            if at(2) == "=" || at(2) == "!" {
                throw SyntaxError(
                    message: "not supported: lookahead `\(text(start..<start + 3))` at character \(start)")
            }
            if at(2) == "<", at(3) == "=" || at(3) == "!" {
                throw SyntaxError(
                    message: "not supported: lookbehind `\(text(start..<start + 4))` at character \(start)")
            }
            let remaining = pattern.count - start
            let pythonStyle = remaining > 4 && at(2) == "P" && at(3) == "<"  // (?P<name>…)
            if pythonStyle || (remaining > 3 && at(2) == "<") {  // (?<name>…)
                guard let close = pattern[start...].firstIndex(of: ">") else {
                    throw error("invalid named capture", start..<pattern.count)
                }
                let name = pattern[(start + (pythonStyle ? 4 : 3))..<close]
                guard !name.isEmpty, name.allSatisfy({ $0 == "_" || Self.isAlphanumeric($0) }) else {
                    throw error("invalid named capture", start..<close + 1)
                }
                groupCount += 1
                frames.append(Frame(savedFlags: flags, capture: groupCount, openedAt: start))
                position = close + 1
                return
            }
            var newFlags = flags
            var enable = true
            var sawFlag = false
            var index = start + 2
            while index < pattern.count {
                let character = pattern[index]
                index += 1
                switch character {
                case "i": newFlags.foldCase = enable
                case "m": newFlags.multiLine = enable
                case "s": newFlags.dotNewline = enable
                case "U": newFlags.nonGreedy = enable
                case "-" where enable:
                    enable = false
                    sawFlag = false
                    continue
                case ":", ")":
                    guard enable || sawFlag else { throw error("invalid or unsupported Perl syntax", start..<index) }
                    if character == ":" {
                        frames.append(Frame(savedFlags: flags, capture: nil, openedAt: start))
                    }
                    flags = newFlags
                    position = index
                    return
                default:
                    throw error("invalid or unsupported Perl syntax", start..<index)
                }
                sawFlag = true
            }
            throw error("invalid or unsupported Perl syntax", start..<index)
        }

        // MARK: Repetition

        // Parses `{n}`, `{n,}` or `{n,m}` at `position`; nil when the text is not of that form.
        private func parseCount() -> (min: Int, max: Int?, end: Int)? {
            var index = position + 1
            guard let min = parseInteger(&index), index < pattern.count else { return nil }
            var max: Int? = min
            if pattern[index] == "," {
                index += 1
                if index < pattern.count, pattern[index] == "}" {
                    max = nil
                } else {
                    guard let value = parseInteger(&index) else { return nil }
                    max = value
                }
            }
            guard index < pattern.count, pattern[index] == "}" else { return nil }
            return (min, max, index + 1)
        }

        // A decimal integer without leading zeros, capped so huge counts cannot overflow.
        private func parseInteger(_ index: inout Int) -> Int? {
            let start = index
            var value = 0
            while index < pattern.count, let digit = Self.digitValue(pattern[index]) {
                value = Swift.min(value * 10 + digit, 100_000_000)
                index += 1
            }
            guard index > start, !(index - start > 1 && pattern[start] == "0") else { return nil }
            return value
        }

        private mutating func applyRepeat(
            min: Int, max: Int?, end operatorEnd: Int, lastRepeat: Int?, counted: Bool
        ) throws(SyntaxError) {
            var end = operatorEnd
            var greedy = !flags.nonGreedy
            if end < pattern.count, pattern[end] == "?" {
                end += 1
                greedy.toggle()
            }
            if let lastRepeat { throw error("invalid nested repetition operator", lastRepeat..<end) }
            guard let sub = frames[frames.count - 1].items.popLast() else {
                throw error("missing argument to repetition operator", position..<end)
            }
            if counted, min >= 2 || (max ?? 0) >= 2 {
                let count = max ?? min
                if count > 0, count * sub.repeatWeight > Self.maxRepeat {
                    throw error("invalid repeat count", position..<end)
                }
            }
            push(try checked(.repetition(sub, min: min, max: max, greedy: greedy, counted: counted)))
            position = end
        }

        // MARK: Escapes

        private mutating func parseBackslash() throws(SyntaxError) {
            guard position + 1 < pattern.count else {
                throw error("trailing backslash at end of expression", position..<position + 1)
            }
            switch pattern[position + 1] {
            case "A": pushAssertion(.beginText, length: 2)
            case "z": pushAssertion(.endText, length: 2)
            case "b": pushAssertion(.wordBoundary, length: 2)
            case "B": pushAssertion(.notWordBoundary, length: 2)
            case "C": throw error("invalid escape sequence", position..<position + 2)  // any byte: not in Go either
            case "Q": parseQuote()
            case "p", "P": push(classNode([try parseUnicodeClass()]))
            case let letter:
                if let perlClass = UnicodeTables.perlClass(letter) {
                    push(classNode([perlClass]))
                    position += 2
                } else {
                    pushLiteral(try parseEscape())
                }
            }
        }

        // `\Q…\E`: everything up to `\E` (or the end of the pattern) is literal text.
        private mutating func parseQuote() {
            var index = position + 2
            while index < pattern.count {
                if pattern[index] == "\\", index + 1 < pattern.count, pattern[index + 1] == "E" { break }
                pushLiteral(pattern[index])
                index += 1
            }
            position = Swift.min(index + 2, pattern.count)
        }

        // A single-scalar escape at `position` (which holds the backslash), in or out of a class.
        private mutating func parseEscape() throws(SyntaxError) -> UInt32 {
            let start = position
            guard start + 1 < pattern.count else {
                throw error("trailing backslash at end of expression", start..<start + 1)
            }
            let character = pattern[start + 1]
            position = start + 2
            switch character {
            // `\0` always starts an octal escape, `\1`-`\7` only before another octal digit.
            case "0",
                "1"..."7" where isOctalDigit(at: position):
                var value = character.value - 48
                for _ in 0..<2 {
                    guard isOctalDigit(at: position) else { break }
                    value = value * 8 + pattern[position].value - 48
                    position += 1
                }
                return value
            case "1"..."9":
                throw SyntaxError(
                    message: "not supported: backreference `\(text(start..<position))` at character \(start)")
            case "x": return try parseHexEscape(start: start)
            case "a": return 7
            case "f": return 12
            case "n": return 10
            case "r": return 13
            case "t": return 9
            case "v": return 11
            case let other where other.value < 0x80 && !Self.isAlphanumeric(other):
                return other.value  // escaped punctuation stands for itself
            default: throw error("invalid escape sequence", start..<position)
            }
        }

        private func isOctalDigit(at index: Int) -> Bool {
            index < pattern.count && ("0"..."7").contains(pattern[index])
        }

        // `\x7F` or `\x{10FFFF}`; `position` is just past the `x`.
        private mutating func parseHexEscape(start: Int) throws(SyntaxError) -> UInt32 {
            func invalid(_ end: Int) -> SyntaxError {
                error("invalid escape sequence", start..<Swift.min(end, pattern.count))
            }
            guard position < pattern.count else { throw invalid(position) }
            if pattern[position] == "{" {
                var value: UInt32 = 0
                var digits = 0
                position += 1
                while position < pattern.count, pattern[position] != "}" {
                    guard let digit = Self.hexValue(pattern[position]) else { throw invalid(position + 1) }
                    value = value * 16 + digit
                    digits += 1
                    position += 1
                    guard value <= 0x10FFFF else { throw invalid(position) }
                }
                guard position < pattern.count, digits > 0 else { throw invalid(position + 1) }
                position += 1
                return value
            }
            guard position + 1 < pattern.count, let high = Self.hexValue(pattern[position]),
                let low = Self.hexValue(pattern[position + 1])
            else { throw invalid(position + 2) }
            position += 2
            return high * 16 + low
        }

        // `\pL`, `\p{Lu}`, `\PL`, `\p{^L}` at `position`.
        private mutating func parseUnicodeClass() throws(SyntaxError) -> ClassItem {
            let start = position
            var negated = pattern[start + 1] == "P"
            var end = start + 2
            let nameRange: Range<Int>
            if end < pattern.count, pattern[end] == "{" {
                guard let close = pattern[end...].firstIndex(of: "}") else {
                    throw error("invalid character class range", start..<pattern.count)
                }
                nameRange = (end + 1)..<close
                end = close + 1
            } else {
                guard end < pattern.count else { throw error("invalid character class range", start..<end) }
                nameRange = end..<end + 1
                end += 1
            }
            var name = String(String.UnicodeScalarView(pattern[nameRange]))
            if name.hasPrefix("^") {
                negated.toggle()
                name.removeFirst()
            }
            guard var item = UnicodeTables.categoryItem(named: name) else {
                throw SyntaxError(
                    message: "unsupported Unicode class: `\(text(start..<end))` at character \(start) "
                        + "(only general categories such as \\pL or \\p{Lu}, and Any, are supported)")
            }
            item.negated = negated
            position = end
            return item
        }

        // MARK: Bracketed classes

        private mutating func parseClass() throws(SyntaxError) {
            let start = position
            position += 1
            var negated = false
            if position < pattern.count, pattern[position] == "^" {
                negated = true
                position += 1
            }
            var items: [ClassItem] = []
            var ranges: [ClosedRange<UInt32>] = []
            var first = true  // `]` is a literal when it comes first
            while position >= pattern.count || pattern[position] != "]" || first {
                first = false
                if let posix = try parsePOSIXClass() {
                    items.append(posix)
                } else if position + 1 < pattern.count, pattern[position] == "\\",
                    pattern[position + 1] == "p" || pattern[position + 1] == "P"
                {
                    items.append(try parseUnicodeClass())
                } else if position + 1 < pattern.count, pattern[position] == "\\",
                    let perl = UnicodeTables.perlClass(pattern[position + 1])
                {
                    items.append(perl)
                    position += 2
                } else {
                    let rangeStart = position
                    let low = try classCharacter(classStart: start)
                    var high = low
                    if position + 1 < pattern.count, pattern[position] == "-", pattern[position + 1] != "]" {
                        position += 1
                        high = try classCharacter(classStart: start)
                        guard high >= low else { throw error("invalid character class range", rangeStart..<position) }
                    }
                    ranges.append(low...high)
                }
            }
            position += 1
            if !ranges.isEmpty { items.append(ClassItem(ranges: ranges)) }
            push(classNode(items, negated: negated))
        }

        private mutating func classCharacter(classStart: Int) throws(SyntaxError) -> UInt32 {
            guard position < pattern.count else { throw error("missing closing ]", classStart..<pattern.count) }
            if pattern[position] == "\\" { return try parseEscape() }
            position += 1
            return pattern[position - 1].value
        }

        // `[:alpha:]` or `[:^alpha:]` inside a class; nil when the text is not of that form.
        private mutating func parsePOSIXClass() throws(SyntaxError) -> ClassItem? {
            guard position + 2 < pattern.count, pattern[position] == "[", pattern[position + 1] == ":" else {
                return nil
            }
            var close = position + 2
            while close + 1 < pattern.count, !(pattern[close] == ":" && pattern[close + 1] == "]") { close += 1 }
            guard close + 1 < pattern.count else { return nil }
            var name = String(String.UnicodeScalarView(pattern[(position + 2)..<close]))
            let negated = name.hasPrefix("^")
            if negated { name.removeFirst() }
            guard let ranges = UnicodeTables.posixClasses[name] else {
                throw error("invalid character class range", position..<close + 2)
            }
            position = close + 2
            return ClassItem(ranges: ranges, negated: negated)
        }

        // MARK: Helpers

        private mutating func push(_ node: Node) {
            frames[frames.count - 1].items.append(node)
        }

        private mutating func pushAssertion(_ assertion: Assertion, length: Int) {
            push(.leaf(.assertion(assertion), nullable: true))
            position += length
        }

        private mutating func pushLiteral(_ scalar: Unicode.Scalar) {
            pushLiteral(scalar.value)
        }

        private mutating func pushLiteral(_ value: UInt32) {
            push(.leaf(.literal(value, foldCase: flags.foldCase)))
        }

        private func classNode(_ items: [ClassItem], negated: Bool = false) -> Node {
            .leaf(.charClass(CharClass(items: items, negated: negated, foldCase: flags.foldCase)))
        }

        private func checked(_ node: Node) throws(SyntaxError) -> Node {
            guard node.height <= Self.maxHeight else {
                throw error("expression nests too deeply", 0..<pattern.count, at: position)
            }
            return node
        }

        private func error(_ problem: String, _ range: Range<Int>, at offset: Int? = nil) -> SyntaxError {
            SyntaxError(message: "\(problem): `\(text(range))` at character \(offset ?? range.lowerBound)")
        }

        // Pattern text for messages, shortened when long.
        private func text(_ range: Range<Int>) -> String {
            let clamped = range.clamped(to: 0..<pattern.count)
            let shown = clamped.prefix(60)
            let text = String(String.UnicodeScalarView(pattern[shown]))
            return shown.count < clamped.count ? text + "…" : text
        }

        private static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
            ("0"..."9").contains(scalar) ? Int(scalar.value - 48) : nil
        }

        private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
            switch scalar {
            case "0"..."9": scalar.value - 48
            case "a"..."f": scalar.value - 87
            case "A"..."F": scalar.value - 55
            default: nil
            }
        }

        private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
        }
    }
}

// MARK: - Unicode tables

extension LinearRegex {
    fileprivate enum UnicodeTables {
        static let categoryCodes = [
            "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
            "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn",
        ]

        static func bit(_ category: Unicode.GeneralCategory) -> UInt32 {
            let index: Int =
                switch category {
                case .uppercaseLetter: 0
                case .lowercaseLetter: 1
                case .titlecaseLetter: 2
                case .modifierLetter: 3
                case .otherLetter: 4
                case .nonspacingMark: 5
                case .spacingMark: 6
                case .enclosingMark: 7
                case .decimalNumber: 8
                case .letterNumber: 9
                case .otherNumber: 10
                case .connectorPunctuation: 11
                case .dashPunctuation: 12
                case .openPunctuation: 13
                case .closePunctuation: 14
                case .initialPunctuation: 15
                case .finalPunctuation: 16
                case .otherPunctuation: 17
                case .mathSymbol: 18
                case .currencySymbol: 19
                case .modifierSymbol: 20
                case .otherSymbol: 21
                case .spaceSeparator: 22
                case .lineSeparator: 23
                case .paragraphSeparator: 24
                case .control: 25
                case .format: 26
                case .surrogate: 27
                case .privateUse: 28
                case .unassigned: 29
                @unknown default: 29
                }
            return 1 << index
        }

        // `L`, `Lu`, `LC`, `Any`… as Go names them. Go's one-letter `C` does not include unassigned code points.
        static func categoryItem(named name: String) -> ClassItem? {
            if name == "Any" { return ClassItem(ranges: [0...0x10FFFF]) }
            if name == "LC" { return ClassItem(categories: 0b111) }
            if let index = categoryCodes.firstIndex(of: name) { return ClassItem(categories: 1 << index) }
            guard name.count == 1, let letter = name.first, "LMNPSZC".contains(letter) else { return nil }
            var mask: UInt32 = 0
            for (index, code) in categoryCodes.enumerated() where code.hasPrefix(name) && code != "Cn" {
                mask |= 1 << index
            }
            return ClassItem(categories: mask)
        }

        // `\d \s \w` and their negations, ASCII-only as in RE2.
        static func perlClass(_ letter: Unicode.Scalar) -> ClassItem? {
            let ranges: [ClosedRange<UInt32>]? =
                switch letter {
                case "d", "D": posixClasses["digit"]
                case "s", "S": [9...10, 12...13, 32...32]
                case "w", "W": posixClasses["word"]
                default: nil
                }
            guard let ranges else { return nil }
            return ClassItem(ranges: ranges, negated: ("A"..."Z").contains(letter))
        }

        static let posixClasses: [String: [ClosedRange<UInt32>]] = [
            "alnum": [48...57, 65...90, 97...122],
            "alpha": [65...90, 97...122],
            "ascii": [0...0x7F],
            "blank": [9...9, 32...32],
            "cntrl": [0...0x1F, 0x7F...0x7F],
            "digit": [48...57],
            "graph": [0x21...0x7E],
            "lower": [97...122],
            "print": [0x20...0x7E],
            "punct": [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E],
            "space": [9...13, 32...32],
            "upper": [65...90],
            "word": [48...57, 65...90, 95...95, 97...122],
            "xdigit": [48...57, 65...70, 97...102],
        ]
    }

    // Simple case folding: scalars that are equal ignoring case form an orbit, like Go's `unicode.SimpleFold` cycles
    // (`k`, `K` and the Kelvin sign; `s`, `S` and `ſ`). Built once, on first use of `(?i)`.
    fileprivate enum CaseFolding {
        static let orbits: [UInt32: [UInt32]] = {
            var members: [UInt32: [UInt32]] = [:]
            for value in UInt32(0x41)...0x1E943 {  // Go's range of scalars with case folds
                guard let scalar = Unicode.Scalar(value) else { continue }
                let key = foldKey(scalar)
                if key != value { members[key, default: []].append(value) }
            }
            var orbits: [UInt32: [UInt32]] = [:]
            for (key, others) in members {
                let orbit = [key] + others
                for value in orbit { orbits[value] = orbit }
            }
            return orbits
        }()

        // Whether `value` or a scalar equal to it ignoring case satisfies `predicate`.
        static func anyEquivalent(of value: UInt32, where predicate: (UInt32) -> Bool) -> Bool {
            if predicate(value) { return true }
            return orbits[value]?.contains(where: predicate) ?? false
        }

        // The scalars equal to `value` ignoring case, `value` first.
        static func orbit(of value: UInt32) -> [UInt32] {
            guard let orbit = orbits[value] else { return [value] }
            return [value] + orbit.filter { $0 != value }
        }

        // The single-scalar lowercase form, also through the uppercase form (`ſ` → `S` → `s`). Dotless `ı` is not
        // folded (Go does not fold it either: `I` folds to `i`).
        private static func foldKey(_ scalar: Unicode.Scalar) -> UInt32 {
            let properties = scalar.properties
            if properties.changesWhenLowercased, let lower = single(properties.lowercaseMapping) {
                return lower.value
            }
            if scalar.value != 0x131, properties.changesWhenUppercased, let upper = single(properties.uppercaseMapping),
                let lower = single(upper.properties.lowercaseMapping)
            {
                return lower.value
            }
            return scalar.value
        }

        private static func single(_ string: String) -> Unicode.Scalar? {
            let scalars = string.unicodeScalars
            return scalars.count == 1 ? scalars.first : nil
        }
    }
}

// MARK: - Compiler

extension LinearRegex {
    fileprivate struct Program: Sendable {
        enum Instruction: Sendable {
            case match
            case fail
            case scalar(UInt32, next: Int)
            case scalarSet(Int, next: Int)  // index into `scalarSets`: a literal under (?i)
            case charClass(Int, next: Int)  // index into `classes`
            case any(next: Int)
            case anyNotNewline(next: Int)
            case assert(Assertion, next: Int)
            case split(Int, Int)  // try the first, then the second (priority order)
            case save(Int, next: Int)  // record the position in a capture slot
        }

        var instructions: [Instruction] = [.match]
        var scalarSets: [[UInt32]] = []
        var classes: [CharClass] = []
        var start = 0
        var slotCount = 2
        // The pattern begins with `^` or `\A`: no match can start after position 0.
        var anchoredAtStart = false

        // Where a thread at `pc` goes after consuming `value`, if that instruction accepts it.
        func target(of pc: Int, consuming value: UInt32) -> Int? {
            switch instructions[pc] {
            case let .scalar(expected, next): expected == value ? next : nil
            case let .scalarSet(index, next): scalarSets[index].contains(value) ? next : nil
            case let .charClass(index, next): classes[index].matches(value) ? next : nil
            case let .any(next): next
            case let .anyNotNewline(next): value != 10 ? next : nil
            default: nil
            }
        }
    }

    // Thompson's construction, emitted back to front: each node is compiled knowing the instruction that follows it.
    fileprivate struct Compiler {
        static let maxInstructions = 100_000

        private var program = Program()
        private let pattern: [Unicode.Scalar]

        private init(pattern: [Unicode.Scalar]) { self.pattern = pattern }

        static func compile(_ tree: Node, groupCount: Int, pattern: [Unicode.Scalar]) throws(SyntaxError) -> Program {
            var compiler = Compiler(pattern: pattern)
            compiler.program.start = try compiler.compile(tree, then: 0)  // instruction 0 is `match`
            compiler.program.slotCount = 2 * (groupCount + 1)
            compiler.program.anchoredAtStart = compiler.startsWithBeginText()
            return compiler.program
        }

        private mutating func emit(_ instruction: Program.Instruction) throws(SyntaxError) -> Int {
            guard program.instructions.count < Self.maxInstructions else {
                let shown = String(String.UnicodeScalarView(pattern.prefix(60)))
                throw SyntaxError(
                    message: "expression too large: `\(shown)\(pattern.count > 60 ? "…" : "")` compiles to more than "
                        + "\(Self.maxInstructions) instructions")
            }
            program.instructions.append(instruction)
            return program.instructions.count - 1
        }

        private mutating func compile(_ node: Node, then next: Int) throws(SyntaxError) -> Int {
            switch node.kind {
            case .empty:
                return next
            case let .literal(value, foldCase):
                let orbit = foldCase ? CaseFolding.orbit(of: value) : [value]
                if orbit.count == 1 { return try emit(.scalar(value, next: next)) }
                program.scalarSets.append(orbit)
                return try emit(.scalarSet(program.scalarSets.count - 1, next: next))
            case .anyScalar:
                return try emit(.any(next: next))
            case .anyNotNewline:
                return try emit(.anyNotNewline(next: next))
            case let .charClass(charClass):
                program.classes.append(charClass)
                return try emit(.charClass(program.classes.count - 1, next: next))
            case let .assertion(assertion):
                return try emit(.assert(assertion, next: next))
            case let .capture(index, sub):
                let close = try emit(.save(2 * index + 1, next: next))
                return try emit(.save(2 * index, next: compile(sub, then: close)))
            case let .concat(subs):
                var start = next
                for sub in subs.reversed() { start = try compile(sub, then: start) }
                return start
            case let .alternate(subs):
                var starts: [Int] = []
                for sub in subs { starts.append(try compile(sub, then: next)) }
                var start = starts.removeLast()
                for branch in starts.reversed() { start = try emit(.split(branch, start)) }
                return start
            case let .repeat(sub, min, max, greedy):
                return try compileRepeat(sub, min: min, max: max, greedy: greedy, then: next)
            }
        }

        // Expands counted repeats as Go's simplifier does: `x{2,}` is `xx+`, `x{2,4}` is `xx(x(x)?)?`.
        private mutating func compileRepeat(
            _ sub: Node, min: Int, max: Int?, greedy: Bool, then next: Int
        ) throws(SyntaxError) -> Int {
            guard let max else {
                if min == 0 { return try star(sub, greedy: greedy, then: next) }
                var start = try plus(sub, greedy: greedy, then: next)
                for _ in 1..<min { start = try compile(sub, then: start) }
                return start
            }
            var start = next
            for _ in min..<max {  // the optional copies, innermost first; each can skip to the end
                start = try split(compile(sub, then: start), next, greedy: greedy)
            }
            for _ in 0..<min { start = try compile(sub, then: start) }
            return start
        }

        // `x*`; when `x` can match empty it becomes `(x+)?`, which keeps Go's priority order (golang.org/issue/46123).
        private mutating func star(_ sub: Node, greedy: Bool, then next: Int) throws(SyntaxError) -> Int {
            if sub.nullable { return try split(plus(sub, greedy: greedy, then: next), next, greedy: greedy) }
            let loop = try emit(.fail)  // placeholder, patched once the body exists
            let body = try compile(sub, then: loop)
            program.instructions[loop] = greedy ? .split(body, next) : .split(next, body)
            return loop
        }

        private mutating func plus(_ sub: Node, greedy: Bool, then next: Int) throws(SyntaxError) -> Int {
            let loop = try emit(.fail)  // placeholder, patched once the body exists
            let body = try compile(sub, then: loop)
            program.instructions[loop] = greedy ? .split(body, next) : .split(next, body)
            return body
        }

        private mutating func split(_ body: Int, _ skip: Int, greedy: Bool) throws(SyntaxError) -> Int {
            try emit(greedy ? .split(body, skip) : .split(skip, body))
        }

        private func startsWithBeginText() -> Bool {
            var pc = program.start
            while case let .save(_, next) = program.instructions[pc] { pc = next }
            if case .assert(.beginText, _) = program.instructions[pc] { return true }
            return false
        }
    }
}

// MARK: - Pike VM

extension LinearRegex {
    // The threads alive at one input position, in priority order, each with its capture slots.
    fileprivate struct ThreadList {
        private var visitedIn: [Int]  // per instruction: the generation that last visited it
        private var generation = 1
        private(set) var pcs: [Int] = []
        private(set) var slots: [Int] = []

        init(instructionCount: Int) {
            visitedIn = Array(repeating: 0, count: instructionCount)
        }

        // Marks `pc` visited for this position; false when it already was.
        mutating func visit(_ pc: Int) -> Bool {
            if visitedIn[pc] == generation { return false }
            visitedIn[pc] = generation
            return true
        }

        mutating func append(_ pc: Int, slots threadSlots: [Int]) {
            pcs.append(pc)
            slots.append(contentsOf: threadSlots)
        }

        mutating func clear() {
            pcs.removeAll(keepingCapacity: true)
            slots.removeAll(keepingCapacity: true)
            generation += 1
        }
    }

    // Follows the empty-width instructions (splits, saves, assertions) from one instruction, adding a thread for each
    // consuming instruction reached, depth first in priority order. An explicit stack replaces Go's recursion.
    fileprivate struct ThreadAdder {
        private enum Job {
            case visit(Int)
            case restore(slot: Int, value: Int)
        }

        let program: Program
        let input: [UInt32]
        let budget: Int
        private(set) var steps = 0
        var slots: [Int]  // capture slots of the thread being followed
        private var jobs: [Job] = []

        init(program: Program, input: [UInt32], budget: Int) {
            self.program = program
            self.input = input
            self.budget = budget
            slots = Array(repeating: -1, count: program.slotCount)
        }

        mutating func countStep() throws(BudgetExceeded) {
            steps += 1
            if steps > budget {
                throw BudgetExceeded(
                    message: "regex too expensive: \(steps) steps over the budget of \(budget); "
                        + "use a simpler pattern or a shorter input")
            }
        }

        mutating func add(_ start: Int, at position: Int, to list: inout ThreadList) throws(BudgetExceeded) {
            jobs.append(.visit(start))
            while let job = jobs.popLast() {
                switch job {
                case let .restore(slot, value):
                    slots[slot] = value
                case let .visit(pc):
                    guard list.visit(pc) else { continue }
                    try countStep()
                    switch program.instructions[pc] {
                    case let .split(first, second):
                        jobs.append(.visit(second))
                        jobs.append(.visit(first))
                    case let .save(slot, next):
                        jobs.append(.restore(slot: slot, value: slots[slot]))
                        slots[slot] = position
                        jobs.append(.visit(next))
                    case let .assert(assertion, next):
                        if holds(assertion, at: position) { jobs.append(.visit(next)) }
                    case .fail:
                        break
                    default:
                        list.append(pc, slots: slots)
                    }
                }
            }
        }

        private func holds(_ assertion: Assertion, at position: Int) -> Bool {
            let before = position > 0 ? input[position - 1] : nil
            let after = position < input.count ? input[position] : nil
            return switch assertion {
            case .beginText: position == 0
            case .endText: position == input.count
            case .beginLine: before == nil || before == 10
            case .endLine: after == nil || after == 10
            case .wordBoundary: Self.isWord(before) != Self.isWord(after)
            case .notWordBoundary: Self.isWord(before) == Self.isWord(after)
            }
        }

        private static func isWord(_ value: UInt32?) -> Bool {
            guard let value else { return false }
            return (48...57).contains(value) || (65...90).contains(value) || (97...122).contains(value) || value == 95
        }
    }

    fileprivate struct Machine {
        private let program: Program
        private let input: [UInt32]
        private var adder: ThreadAdder
        private var current: ThreadList
        private var next: ThreadList

        init(program: Program, input: [UInt32], budget: Int) {
            self.program = program
            self.input = input
            adder = ThreadAdder(program: program, input: input, budget: budget)
            current = ThreadList(instructionCount: program.instructions.count)
            next = ThreadList(instructionCount: program.instructions.count)
        }

        // The leftmost-first match starting at or after `start`, as capture slots (slot 0 and 1: the whole match).
        mutating func search(from start: Int) throws(BudgetExceeded) -> [Int]? {
            current.clear()
            next.clear()
            var matched: [Int]?
            var position = start
            while true {
                if current.pcs.isEmpty && (matched != nil || (program.anchoredAtStart && position != 0)) { break }
                if matched == nil && (position == 0 || !program.anchoredAtStart) {
                    // A new thread starting here, behind all older (leftmost) ones.
                    for slot in adder.slots.indices { adder.slots[slot] = -1 }
                    adder.slots[0] = position
                    try adder.add(program.start, at: position, to: &current)
                }
                if let found = try step(at: position) { matched = found }
                if position == input.count { break }
                position += 1
                swap(&current, &next)
            }
            return matched
        }

        // Advances every thread of `current` over the scalar at `position` into `next`.
        private mutating func step(at position: Int) throws(BudgetExceeded) -> [Int]? {
            defer { current.clear() }
            let slotCount = program.slotCount
            for index in current.pcs.indices {
                try adder.countStep()
                let pc = current.pcs[index]
                let base = index * slotCount
                if case .match = program.instructions[pc] {
                    var slots = Array(current.slots[base..<base + slotCount])
                    slots[1] = position
                    return slots  // lower-priority threads are cut off
                }
                guard position < input.count, let target = program.target(of: pc, consuming: input[position]) else {
                    continue
                }
                for slot in 0..<slotCount { adder.slots[slot] = current.slots[base + slot] }
                try adder.add(target, at: position + 1, to: &next)
            }
            return nil
        }
    }
}
