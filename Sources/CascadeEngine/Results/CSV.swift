/// RFC 4180 text: the one CSV writer of the results (`scenario diff`, run results).
///
/// Records end with CRLF; a field is quoted when it holds a comma, a quote or a line break, with
/// its quotes doubled. Numbers are written by the caller with round-trip precision (`JSNumber.format`).
package enum CSV {
    /// One record: the fields, quoted where needed, separated by commas and ended by CRLF.
    package static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break (quotes doubled).
    package static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
