extension Diagnostic {
    /// The diagnostic rendered like a compiler's:
    ///
    /// ```text
    /// error[type.string-coercion]: cannot add a string and a number
    ///  --> formula:1:8
    ///   |
    /// 1 | return '5' + 2;
    ///   |        ^^^^^^^
    ///   = hint: JavaScript would silently turn the number into text …
    /// ```
    ///
    /// `name` is the formula's name (`gdp_sector_impact@2`); `color` adds ANSI colours.
    public func rendered(source: String, name: String = "formula", color: Bool = false) -> String {
        let paint = { (code: String, text: String) in color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let severityColor = severity == .error ? "1;31" : severity == .warning ? "1;33" : "1;36"
        let location = SourceLocation(offset: range.start, in: source)
        var out = paint(severityColor, "\(severity.rawValue)[\(code)]") + paint("1", ": \(message)") + "\n"

        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let gutter = String(repeating: " ", count: String(location.line).count)
        out += "\(gutter)\(paint("1;34", "-->")) \(name):\(location.line):\(location.column)\n"
        if location.line <= lines.count, !source.isEmpty {
            var line = String(lines[location.line - 1])
            if line.hasSuffix("\r") { line.removeLast() }
            let shown = line.count > 160 ? String(line.prefix(160)) + "…" : line
            // The underline runs to the end of the range or of the line, at least one caret.
            let end = SourceLocation(offset: range.end, in: source)
            let startColumn = location.column
            let endColumn = end.line == location.line ? max(end.column, startColumn + 1) : line.count + 1
            let width = max(1, min(endColumn, shown.count + 2) - startColumn)
            let padding = String(line.prefix(startColumn - 1).map { $0 == "\t" ? "\t" : " " })
            out += "\(gutter) \(paint("1;34", "|"))\n"
            out += "\(paint("1;34", "\(location.line) |")) \(shown)\n"
            out += "\(gutter) \(paint("1;34", "|")) \(padding)\(paint(severityColor, String(repeating: "^", count: width)))\n"
        }
        if let hint {
            out += "\(gutter) \(paint("1;34", "=")) hint: \(hint)\n"
        }
        if let fixIt {
            let original = Array(source.utf8)
            let start = min(fixIt.range.start, original.count), stop = min(fixIt.range.end, original.count)
            let replaced = String(decoding: original[..<start], as: UTF8.self) + fixIt.replacement
                + String(decoding: original[stop...], as: UTF8.self)
            let fixedLine = replaced.split(separator: "\n", omittingEmptySubsequences: false)
            if location.line <= fixedLine.count {
                out += "\(gutter) \(paint("1;34", "=")) fix: \(paint("32", String(fixedLine[location.line - 1])))\n"
            }
        }
        return out
    }

    /// The line and column of the diagnostic's start in `source`.
    package func location(in source: String) -> SourceLocation {
        SourceLocation(offset: range.start, in: source)
    }
}
