import Testing

@testable import TracetestLanguage

// Expected values are what Go's `regexp.MustCompile(pattern).FindAllStringSubmatch(text, -1)` returns, except that a
// group that did not take part in a match is nil (Go gives "").
@Suite struct LinearRegexTests {
    struct MatchCase: Sendable, CustomTestStringConvertible {
        let pattern: String
        let text: String
        let expected: [[String?]]

        init(_ pattern: String, _ text: String, _ expected: [[String?]]) {
            self.pattern = pattern
            self.text = text
            self.expected = expected
        }

        var testDescription: String {
            let shownPattern = pattern.count > 60 ? pattern.prefix(60) + "…" : pattern
            return "\(shownPattern) on \(text.debugDescription)"
        }
    }

    static let matchCases: [MatchCase] = [
        // Literals, `.` and iteration over non-overlapping matches.
        .init("abc", "xabcabc", [["abc"], ["abc"]]),
        .init("a+", "aa ba", [["aa"], ["a"]]),
        .init(".", "a\nb", [["a"], ["b"]]),
        .init("(?s).", "a\nb", [["a"], ["\n"], ["b"]]),
        .init("a*", "baaab", [[""], ["aaa"], [""]]),  // no empty match right after "aaa"
        .init("a*?", "aa", [[""], [""], [""]]),
        .init("x*", "", [[""]]),
        .init("a|", "ba", [[""], ["a"]]),
        .init("|a", "a", [[""], [""]]),
        .init("(?:|a)*", "aaa", [[""], [""], [""], [""]]),
        .init("(?:|a)+", "aaa", [[""], [""], [""], [""]]),
        // Leftmost-first alternation.
        .init("a|ab", "ab", [["a"]]),
        .init("ab|a", "ab", [["ab"]]),
        .init("(fo|foo)", "foo", [["fo", "fo"]]),
        .init("(foo|fo)", "foo", [["foo", "foo"]]),
        .init("foo|bar|[A-Z]", "xfooBarbar", [["foo"], ["B"], ["bar"]]),
        // Greedy, lazy and counted repetition.
        .init("<.+>", "<a><b>", [["<a><b>"]]),
        .init("<.+?>", "<a><b>", [["<a>"], ["<b>"]]),
        .init("a+?", "aaa", [["a"], ["a"], ["a"]]),
        .init("a??b", "ab", [["ab"]]),
        .init("(a??)(a*)", "aa", [["aa", "", "aa"]]),
        .init("a{2}", "aaaaa", [["aa"], ["aa"]]),
        .init("a{2,}", "aaaaa", [["aaaaa"]]),
        .init("a{2,3}", "aaaaaaa", [["aaa"], ["aaa"]]),
        .init("a{2,3}?", "aaaaa", [["aa"], ["aa"]]),
        .init("a{0}b", "ab", [["b"]]),
        .init("(?U)a+", "aaa", [["a"], ["a"], ["a"]]),
        .init("(?U)a+?", "aaa", [["aaa"]]),
        .init("(?U:a*)a", "aaa", [["a"], ["a"], ["a"]]),
        // A `{` that is not a valid repeat is a literal.
        .init("a{", "a{", [["a{"]]),
        .init("a{,2}", "a{,2}", [["a{,2}"]]),
        .init("x{1,2", "x{1,2", [["x{1,2"]]),
        .init("a{01}", "a{01}", [["a{01}"]]),
        .init("{", "{}", [["{"]]),
        // Groups: capturing, non-capturing, named; the last iteration is captured; nil when not taking part.
        .init("(a|b)+", "ab", [["ab", "b"]]),
        .init(#"(\w)+"#, "abc", [["abc", "c"]]),
        .init("(a)*b", "aab b", [["aab", "a"], ["b", nil]]),
        .init("(a)|b", "ab", [["a", "a"], ["b", nil]]),
        .init("(a)|(b)", "ab", [["a", "a", nil], ["b", nil, "b"]]),
        .init("(a)(b)?", "a", [["a", "a", nil]]),
        .init("(a?)b", "b", [["b", ""]]),
        .init("(a*)+", "b", [["", ""], ["", ""]]),
        .init("(a+|b)+", "ab", [["ab", "b"]]),
        .init("(?:ab)+", "ababx", [["abab"]]),
        .init(#"(?P<year>\d{4})-(?<month>\d\d)"#, "on 2024-05-17", [["2024-05", "2024", "05"]]),
        .init("((((((((((((((((((((x))))))))))))))))))))", "x", [Array(repeating: "x", count: 21)]),
        // Anchors: `^` `$` are text boundaries unless (?m); `$` does not match before a final newline.
        .init("^a", "aa", [["a"]]),
        .init("a$", "aa", [["a"]]),
        .init("a$", "aa\n", []),
        .init("^", "abc", [[""]]),
        .init("$", "abc", [[""]]),
        .init("(?m)^a", "a\na", [["a"], ["a"]]),
        .init("(?m)a$", "a\na\n", [["a"], ["a"]]),
        .init("(?m)^", "a\nb", [[""], [""]]),
        .init("(?m)$", "a\nb", [[""], [""]]),
        .init(#"(?m)\Aa"#, "a\na", [["a"]]),
        .init(#"(?m)a\z"#, "a\na", [["a"]]),
        .init("^$", "", [[""]]),
        .init("^$^$", "x\ny", []),
        .init(#"\bfoo\b"#, "nofoo foo that", [["foo"]]),
        .init(#"\Bfoo\B"#, "n foo xfoox that", [["foo"]]),
        .init(#"\b"#, "ab cd", [[""], [""], [""], [""]]),
        .init(#"\B"#, "", [[""]]),
        .init(#"\bx\b"#, "«x»", [["x"]]),  // « and » are not word characters
        .init(#"\Bx\B"#, "áxβ", []),  // neither are á and β: \b is ASCII
        .init(#"\B(fo|foo)\B"#, "xfooo", [["fo", "fo"]]),
        // Classes.
        .init("[abc]+", "xxabcaxx", [["abca"]]),
        .init("[^a-z]+", "abcDEF1ghi", [["DEF1"]]),
        .init("[a-]+", "a-b-", [["a-"], ["-"]]),
        .init("[]a]+", "]a]b", [["]a]"]]),
        .init("[^]a]", "]ab", [["b"]]),
        .init(#"[a\-z]+"#, "a-z-b", [["a-z-"]]),
        .init(#"[\]\\]+"#, #"a]\b"#, [[#"]\"#]]),
        .init("[^a]", "\n", [["\n"]]),
        .init(#"[\x41-\x43]+"#, "ABCD", [["ABC"]]),
        .init("[[:alpha:]]+", "ab12cd", [["ab"], ["cd"]]),
        .init("[[:^digit:]]+", "ab12cd", [["ab"], ["cd"]]),
        .init("[[:upper:][:digit:]]+", "aB1c", [["B1"]]),
        .init("[[:punct:]]+", "a!-/b", [["!-/"]]),
        .init(#"\d+"#, "a123b٣", [["123"]]),  // \d is ASCII: not the Arabic-Indic ٣
        .init(#"\s+"#, "a \t\n\u{0B} b", [[" \t\n"], [" "]]),  // \s has no \v in RE2
        .init(#"\w+"#, "héllo_1", [["h"], ["llo_1"]]),
        .init(#"\W+"#, "a é!b", [[" é!"]]),
        .init(#"\D+"#, "ab12c", [["ab"], ["c"]]),
        .init(#"\S+"#, "ab cd", [["ab"], ["cd"]]),
        .init(#"[\W\d]+"#, "ab1 !c", [["1 !"]]),
        .init(#"[^\s\S]"#, "abc", []),
        // Unicode classes over general categories.
        .init(#"\pL+"#, "héllo wörld 123", [["héllo"], ["wörld"]]),
        .init(#"\p{L}+"#, "日本語 text", [["日本語"], ["text"]]),
        .init(#"\p{Lu}+"#, "abcDÉFghi", [["DÉF"]]),
        .init(#"\PL+"#, "ab12 cd", [["12 "]]),
        .init(#"\p{^L}+"#, "ab12 cd", [["12 "]]),
        .init(#"\P{^Lu}+"#, "aBC", [["BC"]]),
        .init(#"\p{Nd}+"#, "abc123²³¼½¾₀₉", [["123"]]),
        .init(#"\pN+"#, "abc123²³¼½¾₀₉", [["123²³¼½¾₀₉"]]),
        .init(#"[\p{Lu}\d]+"#, "aB1c", [["B1"]]),
        .init(#"\p{Any}+"#, "a😀", [["a😀"]]),
        .init(#"\p{So}"#, "a😀b", [["😀"]]),
        // Escapes.
        .init(#"\a\f\t\n\r\v"#, "\u{07}\u{0C}\t\n\r\u{0B}", [["\u{07}\u{0C}\t\n\r\u{0B}"]]),
        .init(#"\141"#, "a", [["a"]]),
        .init(#"\0600"#, "00", [["00"]]),
        .init(#"\608"#, "08", [["08"]]),
        .init(#"\018"#, "\u{01}8", [["\u{01}8"]]),
        .init(#"\x41\x{42}\x{00000043}"#, "ABC", [["ABC"]]),
        .init(#"\x{1F600}"#, "a😀", [["😀"]]),
        .init(#"\Q.*\E+"#, "a.**", [[".**"]]),  // the `+` applies to the last quoted character
        .init(#"\Qa|b"#, "a|b", [["a|b"]]),
        .init(#"\.\\\_\-"#, #"x.\_-"#, [[#".\_-"#]]),
        .init(#"a\{2\}"#, "a{2}", [["a{2}"]]),
        // Case-insensitive matching with simple case folding.
        .init("(?i)hello", "HeLLo hello", [["HeLLo"], ["hello"]]),
        .init("(?i)k", "kK\u{212A}", [["k"], ["K"], ["\u{212A}"]]),  // Kelvin sign folds to k
        .init("(?i)[a-c]+", "AbC", [["AbC"]]),
        .init("(?i)[@-A]+", "@AaB", [["@Aa"]]),
        .init("(?i)[^k]", "kK\u{212A}x", [["x"]]),
        .init("(?i)é", "É", [["É"]]),
        .init("(?i)σ", "Σσς", [["Σ"], ["σ"], ["ς"]]),
        .init("(?i)ß", "ẞ", [["ẞ"]]),
        .init(#"(?i)\p{Lu}+"#, "abC1", [["abC"]]),
        .init(#"(?i)\W"#, "\u{212A}!", [["!"]]),  // \W excludes what folds into \w, as in Go
        .init("(?i:a)b", "Ab AB ab", [["Ab"], ["ab"]]),
        .init("a(?i)b", "aB AB", [["aB"]]),
        .init("(?i)a(?-i)b", "AbAB", [["Ab"]]),
        .init("(a(?i)b)c", "aBc aBC", [["aBc", "aB"]]),  // a flag ends with its group
        .init("(?i)straße", "STRASSE", []),  // no multi-character folding
        // Unicode input: positions are scalars.
        .init(".", "a😀é", [["a"], ["😀"], ["é"]]),
        .init(".", "e\u{301}", [["e"], ["\u{301}"]]),
        .init("a.b", "a😀b", [["a😀b"]]),
        .init("[😀-😂]+", "😀😁😂x", [["😀😁😂"]]),
        .init("(.)(.)", "👨‍👩", [["👨\u{200D}", "👨", "\u{200D}"]]),
        .init("é+", "ééé", [["ééé"]]),
        // Deeply nested non-capturing groups add no nesting depth (as in Go).
        .init(String(repeating: "(?:", count: 100_000) + String(repeating: ")", count: 100_000), "x", [[""], [""]]),
    ]

    @Test(arguments: matchCases)
    func matches(_ testCase: MatchCase) throws {
        let regex = try LinearRegex(testCase.pattern)
        #expect(try regex.allMatches(in: testCase.text) == testCase.expected)
    }

    static let syntaxErrorCases: [(pattern: String, message: String)] = [
        ("(ab", "missing closing ): `(ab` at character 0"),
        ("x(a(b)", "missing closing ): `x(a(b)` at character 1"),
        ("ab)", "unexpected ): `ab)` at character 2"),
        ("[ab", "missing closing ]: `[ab` at character 0"),
        ("[]", "missing closing ]: `[]` at character 0"),
        ("a**", "invalid nested repetition operator: `**` at character 1"),
        ("a++", "invalid nested repetition operator: `++` at character 1"),
        ("a*?+", "invalid nested repetition operator: `*?+` at character 1"),
        ("a{2}*", "invalid nested repetition operator: `{2}*` at character 1"),
        ("*a", "missing argument to repetition operator: `*` at character 0"),
        ("a|*", "missing argument to repetition operator: `*` at character 2"),
        ("(+)", "missing argument to repetition operator: `+` at character 1"),
        (#"\Q\E*"#, "missing argument to repetition operator: `*` at character 4"),
        ("{2}", "missing argument to repetition operator: `{2}` at character 0"),
        ("x{1001}", "invalid repeat count: `{1001}` at character 1"),
        ("x{2,1}", "invalid repeat count: `{2,1}` at character 1"),
        ("x{1,99999999999}", "invalid repeat count"),
        ("(?:a{500}){3}", "invalid repeat count: `{3}` at character 10"),
        ("((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})", "invalid repeat count"),
        (#"\q"#, #"invalid escape sequence: `\q` at character 0"#),
        (#"a\C"#, #"invalid escape sequence: `\C` at character 1"#),
        (#"\x{110000}"#, "invalid escape sequence"),
        (#"\xZ1"#, "invalid escape sequence"),
        (#"\é"#, #"invalid escape sequence: `\é` at character 0"#),
        (#"[\b]"#, #"invalid escape sequence: `\b` at character 1"#),
        (#"a\"#, #"trailing backslash at end of expression: `\` at character 1"#),
        (#"(a)\1"#, #"not supported: backreference `\1` at character 3"#),
        ("(?=a)", "not supported: lookahead `(?=` at character 0"),
        ("(?!a)", "not supported: lookahead `(?!` at character 0"),
        ("b(?<=a)", "not supported: lookbehind `(?<=` at character 1"),
        ("(?<!a)", "not supported: lookbehind `(?<!` at character 0"),
        ("[z-a]", "invalid character class range: `z-a` at character 1"),
        ("[[:foo:]]", "invalid character class range: `[:foo:]` at character 1"),
        (#"\p{Greek}"#, #"unsupported Unicode class: `\p{Greek}` at character 0"#),
        (#"\pX"#, "unsupported Unicode class"),
        (#"\p{L"#, #"invalid character class range: `\p{L` at character 0"#),
        ("(?P<>a)", "invalid named capture: `(?P<>` at character 0"),
        ("(?P<a b>x)", "invalid named capture: `(?P<a b>` at character 0"),
        ("(?<name", "invalid named capture: `(?<name` at character 0"),
        ("(?x)", "invalid or unsupported Perl syntax: `(?x` at character 0"),
        ("(?i-)", "invalid or unsupported Perl syntax: `(?i-)` at character 0"),
        ("(?P=name)", "invalid or unsupported Perl syntax: `(?P` at character 0"),
        ("(?i", "invalid or unsupported Perl syntax: `(?i` at character 0"),
        (String(repeating: "(", count: 1000) + String(repeating: ")", count: 1000), "expression nests too deeply"),
        (String(repeating: "(?:", count: 1000) + String(repeating: ")*", count: 1000), "expression nests too deeply"),
        (String(repeating: "a{1000}", count: 101), "expression too large"),
    ]

    @Test(arguments: syntaxErrorCases)
    func syntaxError(pattern: String, message: String) {
        #expect {
            _ = try LinearRegex(pattern)
        } throws: { error in
            (error as? LinearRegex.SyntaxError)?.message.contains(message) == true
        }
    }

    @Test func nestingDepthIsLimitedWithoutOverflowingTheStack() throws {
        let unclosed = String(repeating: "(", count: 100_000)
        #expect(throws: LinearRegex.SyntaxError.self) { try LinearRegex(unclosed) }
        let nested = unclosed + "a" + String(repeating: ")", count: 100_000)
        #expect {
            _ = try LinearRegex(nested)
        } throws: { error in
            (error as? LinearRegex.SyntaxError)?.message.hasPrefix("expression nests too deeply") == true
        }
        let deepButAllowed = String(repeating: "(", count: 999) + "a" + String(repeating: ")", count: 999)
        #expect(try LinearRegex(deepButAllowed).groupCount == 999)
    }

    @Test func repeatCountsUpTo1000AreAccepted() throws {
        #expect(throws: LinearRegex.SyntaxError.self) { try LinearRegex("a{1001}") }
        #expect(throws: LinearRegex.SyntaxError.self) { try LinearRegex("a{0,1001}") }
        let text = String(repeating: "a", count: 1001)
        #expect(try LinearRegex("a{1000}").allMatches(in: text) == [[String(repeating: "a", count: 1000)]])
        #expect(try LinearRegex("(?:a{10}){100}").allMatches(in: text).count == 1)
    }

    @Test func groupCount() throws {
        #expect(try LinearRegex("abc").groupCount == 0)
        #expect(try LinearRegex("(a)(?:b)(?P<n>c)(?<m>d)").groupCount == 3)
        #expect(try LinearRegex(#"\(a\)"#).groupCount == 0)
    }

    // Patterns that take exponential time in a backtracking engine; here each is linear in the input.
    @Test func catastrophicPatternsRunInLinearTime() throws {
        let manyA = String(repeating: "a", count: 100_000)
        #expect(try LinearRegex("(a+)+$").allMatches(in: String(repeating: "a", count: 30) + "!") == [])
        #expect(try LinearRegex("(a+)+$").allMatches(in: manyA + "!") == [])
        #expect(try LinearRegex("(a|aa)+$").allMatches(in: manyA + "!") == [])
        #expect(try LinearRegex("(x+x+)+y").allMatches(in: String(repeating: "x", count: 30_000)) == [])
        let nineteenA = String(repeating: String(repeating: "b", count: 1_500) + "a", count: 19)
        #expect(try LinearRegex("(.*a){20}").allMatches(in: nineteenA) == [])
        let twentyA = nineteenA + "a"
        #expect(try LinearRegex("(.*a){20}").allMatches(in: twentyA) == [[twentyA, "a"]])
        #expect(
            try LinearRegex("(.*a){20}").allMatches(in: String(manyA.prefix(30_000))).first?.first
                == String(manyA.prefix(30_000)))
    }

    @Test func budgetStopsExpensiveMatching() throws {
        let regex = try LinearRegex("(a|b)*c")
        let huge = String(repeating: "ab", count: 100_000)
        #expect {
            _ = try regex.allMatches(in: huge, stepBudget: 10_000)
        } throws: { error in
            guard let error = error as? LinearRegex.BudgetExceeded else { return false }
            return error.message.hasPrefix("regex too expensive: ")
                && error.message.contains("over the budget of 10000; use a simpler pattern or a shorter input")
        }
        #expect(try regex.allMatches(in: "abc", stepBudget: 10_000) == [["abc", "b"]])
    }
}
