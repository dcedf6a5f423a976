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
    /// Colour on a terminal unless `NO_COLOR` is set.
    static func useColor(fileDescriptor: Int32) -> Bool {
        isatty(fileDescriptor) != 0 && getenv("NO_COLOR") == nil
    }
}
