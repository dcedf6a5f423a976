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
        let paths = arguments.filter { !$0.hasPrefix("-") }
        if paths.isEmpty {
            print("usage: cascade-fuzz FILE|DIR...   (replays inputs; build with scripts/fuzz.sh to fuzz)")
            return arguments.isEmpty ? 0 : 2
        }
        var count = 0
        var failures = 0
        for path in paths {
            for file in expand(path) {
                guard let bytes = readFile(file) else {
                    fputs("cascade-fuzz: cannot read \(file)\n", stderr)
                    failures += 1
                    continue
                }
                bytes.withUnsafeBufferPointer { buffer in
                    _ = callback(buffer.baseAddress, buffer.count)
                }
                count += 1
            }
        }
        print("cascade-fuzz: replayed \(count) input(s) without a crash")
        return failures == 0 ? 0 : 1
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
