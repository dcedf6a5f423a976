#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a line to standard error.
func printError(_ text: String, terminator: String = "\n") {
    var stream = StandardError()
    print(text, terminator: terminator, to: &stream)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }
}

enum Terminal {
    /// `text` with every control character but line feed and tab written as an escape (`\e`,
    /// `\r`, `\x07`, `\u{9b}`), so that a name someone else chose — a scenario, user, entity,
    /// formula or sector — cannot move the cursor, clear the screen or set the terminal's title
    /// when it is printed. Every human-output path (`StoreOutput`, `Failure`) prints through it.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isEscaped) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            guard isEscaped(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x1B: out += "\\e"
            case 0x0D: out += "\\r"
            case 0x08: out += "\\b"
            case 0..<0x80: out += "\\x" + hex(scalar.value)
            default: out += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return out
    }

    /// C0 controls but line feed and tab, DEL, C1 controls (0x9B is a one-byte CSI), and the
    /// bidirectional overrides that reorder what a line appears to say.
    private static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }

    /// Colour on a terminal unless `NO_COLOR` is set.
    static func useColor(fileDescriptor: Int32) -> Bool {
        isatty(fileDescriptor) != 0 && getenv("NO_COLOR") == nil
    }
}
