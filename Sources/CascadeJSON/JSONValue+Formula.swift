import CascadeFormula

extension JSONValue {
    /// The JSON value as a formula binding: numbers, booleans, strings, null, and objects as
    /// read-only records. Arrays have no formula type and are reported with their path.
    package func formulaValue(at path: JSONPath = .root) throws(JSONError) -> Value {
        switch self {
        case .null: return .null
        case .bool(let b): return .boolean(b)
        case .number(let x): return .number(x)
        case .string(let s): return .string(s)
        case .object(let object):
            var fields: [String: Value] = [:]
            for (key, value) in object {
                fields[key] = try value.formulaValue(at: path.appending(key))
            }
            return .record(fields)
        case .array:
            throw JSONError("arrays cannot be bound in formulas; use an object or separate names", line: 0, column: 0, path: path)
        }
    }
}

extension TraceEntry {
    /// `{"start", "end", "text", "value", "condition"?}`: byte offsets into the formula source, and
    /// `condition: true` for the condition of an `if` or `?:`.
    package var json: JSONValue {
        var item = JSONObject([("start", .number(Double(range.start))), ("end", .number(Double(range.end))),
                               ("text", .string(text)), ("value", JSONValue(value))])
        if isCondition { item["condition"] = .bool(true) }
        return .object(item)
    }
}
