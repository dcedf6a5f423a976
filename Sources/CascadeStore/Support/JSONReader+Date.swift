import CascadeJSON

extension JSONReader {
    /// A `YYYY-MM-DD` date (or, with `acceptQuarters`, `YYYY-Q1`…`Q4`, normalised to its first day).
    func date(_ key: String, required: Bool = false, acceptQuarters: Bool = false, problems: inout [Problem]) -> String? {
        guard let text = string(key, required: required, problems: &problems) else { return nil }
        if let date = acceptQuarters ? CalendarDate.normalized(text) : (CalendarDate.isValid(text) ? text : nil) {
            return date
        }
        problems.append(problem(key, "json.date", "`\(text)` is not a calendar date",
                                hint: acceptQuarters ? "write YYYY-MM-DD, or a quarter as YYYY-Q1…Q4" : "write YYYY-MM-DD, e.g. 2025-01-01"))
        return nil
    }
}
