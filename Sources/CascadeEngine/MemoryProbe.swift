#if canImport(Glibc)
import Glibc
#endif

/// Measurement only: with `CASCADE_MEMORY_PROBE` set, `mark` writes the resident set and its
/// peak since the previous mark to standard error, then resets the peak (`/proc/self/clear_refs`).
package enum MemoryProbe {
    nonisolated(unsafe) static let isOn = getenv("CASCADE_MEMORY_PROBE") != nil

    package static func mark(_ phase: String) {
        guard isOn else { return }
        var rss = "?", hwm = "?"
        if let file = fopen("/proc/self/status", "r") {
            var line = [CChar](repeating: 0, count: 256)
            while fgets(&line, 256, file) != nil {
                let text = String(cString: line)
                if text.hasPrefix("VmRSS:") { rss = firstField(text.dropFirst(6)) }
                if text.hasPrefix("VmHWM:") { hwm = firstField(text.dropFirst(6)) }
            }
            fclose(file)
        }
        let line = "memory: \(phase): peak \(mb(hwm)) MB, now \(mb(rss)) MB\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        if let file = fopen("/proc/self/clear_refs", "w") {
            fputs("5", file)
            fclose(file)
        }
    }

    /// The first blank- or tab-separated field of a `/proc` status value ("  1234 kB" → "1234").
    private static func firstField(_ value: Substring) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? "?"
    }

    private static func mb(_ kb: String) -> String { Int(kb).map { String($0 / 1024) } ?? kb }
}
