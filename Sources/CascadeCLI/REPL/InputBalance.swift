/// Whether the lines typed so far form a complete entry: brackets balance outside strings and
/// comments, and no block comment or backslash-continued string is still open.
///
/// This is deliberately only a bracket count, not a parse: an entry is submitted as soon as its
/// brackets close, and the parser reports anything else wrong with it.
struct InputBalance: Equatable {
    /// Open `(`, `[` and `{` not yet closed; negative when more were closed than opened.
    var depth = 0
    var isInBlockComment = false
    /// The quote of a string continued onto the next line with a trailing backslash.
    var openString: UInt8?

    /// The entry needs another line.
    var needsMoreInput: Bool { depth > 0 || isInBlockComment || openString != nil }

    /// The balance of `text` (the entry's lines joined with line feeds).
    init(_ text: String) {
        let bytes = Array(text.utf8)
        var isContinuedString = false
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if isInBlockComment {
                if byte == UInt8(ascii: "*"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") {
                    isInBlockComment = false
                    i += 1
                }
            } else if let quote = openString {
                if byte == UInt8(ascii: "\\") {
                    if i + 1 == bytes.count { isContinuedString = true }
                    i += 1  // the escaped byte, a line feed included
                } else if byte == quote || byte == 0x0A {
                    openString = nil  // closed, or unterminated: the parser will say so
                }
            } else {
                switch byte {
                case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
                case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"): openString = byte
                case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/"):
                    while i < bytes.count && bytes[i] != 0x0A { i += 1 }
                case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                    isInBlockComment = true
                    i += 1
                default: break
                }
            }
            i += 1
        }
        // A string is still open at the end only when its last line ended with a backslash.
        if !isContinuedString { openString = nil }
    }
}
