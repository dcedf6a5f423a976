// Replays files and directories through the fuzz callback when built without -DFUZZING.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Replay {
    /// Runs every file named in `arguments` (directories: every regular file in them, sorted) through
    /// `callback`; returns the process exit status.
    static func main(
        _ arguments: [String], callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32 {
        var slowest = 0
        var paths: [String] = []
        var rest = arguments[...]
        while let a = rest.popFirst() {
            if a == "--slowest", let n = rest.popFirst().flatMap({ Int($0) }) {
                slowest = n
            } else if !a.hasPrefix("-") {
                paths.append(a)
            }
        }
        if paths.isEmpty {
            print("usage: cascade-fuzz [--slowest N] FILE|DIR...   (replays inputs; scripts/fuzz.sh fuzzes)")
            return arguments.isEmpty ? 0 : 2
        }
        var count = 0
        var failures = 0
        var times: [(ns: UInt64, bytes: Int, file: String)] = []
        for path in paths {
            for file in expand(path) {
                guard let bytes = readFile(file) else {
                    print("cascade-fuzz: cannot read \(file)")
                    failures += 1
                    continue
                }
                let start = monotonicNanoseconds()
                bytes.withUnsafeBufferPointer { buffer in
                    _ = callback(buffer.baseAddress, buffer.count)
                }
                if slowest > 0 { times.append((monotonicNanoseconds() - start, bytes.count, file)) }
                count += 1
            }
        }
        print("cascade-fuzz: replayed \(count) input(s) without a crash")
        if slowest > 0 {
            let total = times.reduce(0) { $0 + $1.ns }
            print("total \(total / 1_000_000) ms, mean \(times.isEmpty ? 0 : total / UInt64(times.count) / 1000) µs per input; slowest:")
            for t in times.sorted(by: { $0.ns > $1.ns }).prefix(slowest) {
                print("  \(t.ns / 1000) µs  \(t.bytes) bytes  \(t.file)")
            }
        }
        return failures == 0 ? 0 : 1
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// A directory's regular files (sorted by name, not recursive), or the path itself.
    static func expand(_ path: String) -> [String] {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return [path] }
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.hasPrefix(".") { continue }
            let full = path.hasSuffix("/") ? path + name : path + "/" + name
            var child = stat()
            if stat(full, &child) == 0, (child.st_mode & S_IFMT) == S_IFREG { names.append(full) }
        }
        return names.sorted()
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { break }
        }
        return ferror(file) == 0 ? bytes : nil
    }
}
