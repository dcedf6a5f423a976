@testable import CascadeFormula
import Testing

/// "Did you mean …?": the nearest name, the same whatever order the names come in.
struct SuggestionTests {
    /// (the misspelt name, the candidates, the suggestion)
    static let cases: [(String, [String], String?)] = [
        ("gdpGrowht", ["gdpGrowth", "baseline"], "gdpGrowth"),
        ("valeu", ["value", "values"], "value"),  // a transposition costs 1
        ("NAME", ["name", "game"], "name"),  // a match ignoring case wins
        ("x", ["y", "xy"], nil),  // one letter: only a match ignoring case
        ("frobnicate", ["help", "load"], nil),  // too far to be a typo
        // Ties go to the first in UTF-8 byte order, in whichever order the candidates come.
        ("abqc", ["abxc", "abyc"], "abxc"),
        ("abqc", ["abyc", "abxc"], "abxc"),
        ("nmae", ["name", "mae"], "mae"),
        ("nmae", ["mae", "name"], "mae"),
        ("Abc", ["aBC", "ABC"], "ABC"),
        ("Abc", ["ABC", "aBC"], "ABC"),
    ]

    @Test(arguments: SuggestionTests.cases)
    func theNearestNameIsSuggested(_ name: String, _ candidates: [String], _ expected: String?) {
        #expect(Suggestion.closest(to: name, among: candidates) == expected)
    }
}
