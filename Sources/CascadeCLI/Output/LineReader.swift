#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads lines of at most `maxLineBytes` from a file or standard input in fixed-size chunks, so
/// that no input, however long its lines, makes the process hold more than one bounded line.
struct LineReader {
    enum Line {
        case text([UInt8])
        /// A line longer than the limit; its bytes were skipped.
        case tooLong(Int)
    }

    private let file: UnsafeMutablePointer<FILE>
    private let ownsFile: Bool
    private let maxLineBytes: Int
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var start = 0
    private var end = 0
    private var atEOF = false

    /// Opens `path`, or standard input for `-`.
    init(path: String, maxLineBytes: Int) throws(CLIError) {
        if path == "-" {
            guard let input = fdopen(0, "rb") else {
                throw CLIError(kind: "input", code: "input.unreadable", message: "cannot read standard input")
            }
            file = input
            ownsFile = false
        } else {
            guard let opened = fopen(path, "rb") else {
                throw CLIError(kind: "input", code: "input.unreadable", message: "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            file = opened
            ownsFile = true
        }
        self.maxLineBytes = maxLineBytes
    }

    func close() {
        if ownsFile { fclose(file) }
    }

    /// The next line without its terminator, or nil at the end of input.
    mutating func next() -> Line? {
        var line: [UInt8] = []
        var skipped = 0
        while true {
            if start == end {
                if atEOF { break }
                let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
                if count == 0 {
                    atEOF = true
                    break
                }
                start = 0
                end = count
            }
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                append(buffer[start..<newline], to: &line, skipped: &skipped)
                start = newline + 1
                return finish(line, skipped: skipped)
            }
            append(buffer[start..<end], to: &line, skipped: &skipped)
            start = end
        }
        if line.isEmpty && skipped == 0 { return nil }
        return finish(line, skipped: skipped)
    }

    private func append(_ bytes: ArraySlice<UInt8>, to line: inout [UInt8], skipped: inout Int) {
        if skipped > 0 || line.count + bytes.count > maxLineBytes {
            skipped += line.count + bytes.count
            line.removeAll()
        } else {
            line.append(contentsOf: bytes)
        }
    }

    private func finish(_ line: [UInt8], skipped: Int) -> Line {
        if skipped > 0 { return .tooLong(skipped) }
        var line = line
        if line.last == 0x0D { line.removeLast() }
        return .text(line)
    }
}
