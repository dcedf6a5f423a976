import CascadeFormula
import CascadeJSON

/// One stored example: inputs, and the value (within `tolerance`) or error the formula must give.
package struct FormulaTestCase: Sendable, Equatable {
    package var name: String?
    package var inputs: JSONObject
    /// The expected value; `nil` when the case expects an error or `undefined`.
    package var expected: JSONValue?
    /// `"undefined"` when the formula must fall off the end without returning.
    package var expectedType: String?
    /// A diagnostic kind (`runtime`) or code (`runtime.division-by-zero`) the case must fail with.
    package var expectedError: String?
    package var tolerance: Double
    /// Where this case sits in its document, for messages.
    package var path: String

    static let keys: Set<String> = ["name", "inputs", "expected", "expected_type", "expected_error", "tolerance"]

    /// Reads one case with the one document reader, every problem recorded with its path.
    package static func decode(_ value: JSONValue, at path: JSONPath, file: String?, problems: inout [Problem]) -> FormulaTestCase? {
        guard let reader = JSONReader(value, at: path, file: file, what: "a test case", problems: &problems) else { return nil }
        let before = problems.count
        reader.rejectUnknownKeys(keys, problems: &problems)
        let name = reader.string("name", problems: &problems)
        let inputs = reader.object("inputs", problems: &problems) ?? JSONObject()
        let expectedType = reader.string("expected_type", problems: &problems)
        if let expectedType, expectedType != "undefined" {
            problems.append(reader.problem("expected_type", "formula.test-case", "`expected_type` can only be \"undefined\""))
        }
        let expectedError = reader.string("expected_error", problems: &problems)
        let tolerance = reader.number("tolerance", problems: &problems) ?? 1e-9
        if tolerance < 0 {
            problems.append(reader.problem("tolerance", "formula.test-case", "`tolerance` must not be negative"))
        }
        let expected = reader.object["expected"]
        if expected == nil && expectedType == nil && expectedError == nil {
            problems.append(reader.problem("expected", "formula.test-case", "a test case needs `expected` (or `expected_error`, or `expected_type: \"undefined\"`)"))
        }
        if case .array? = expected {
            problems.append(reader.problem("expected", "formula.test-case", "a formula cannot return an array"))
        }
        guard problems.count == before else { return nil }
        return FormulaTestCase(name: name, inputs: inputs, expected: expected, expectedType: expectedType,
                               expectedError: expectedError, tolerance: tolerance,
                               path: JSONReader.place(file, path))
    }
}
