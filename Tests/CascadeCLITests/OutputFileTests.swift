import CascadeJSON
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--out` writes a regular file, replaced whole, with its permissions kept; anything else is
/// refused before the run, with nothing written.
@Suite("--out writes a regular file")
struct OutputFileTests {
    @Test(arguments: CLIBackend.available)
    func anExistingFileKeepsItsPermissions(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let out = try StoreCLI.write("old\n", to: "result.json", in: dir)
        #expect(chmod(out, 0o640) == 0)
        let result = try StoreCLI.run(["run", StoreCLI.sampleScenario, "--out", out, "--db", db], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let written = try JSONValue.parse(String(contentsOfFile: out, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(written["entities"]?.arrayValue?.isEmpty == false)
        var info = stat()
        #expect(stat(out, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".cascade-out-") }
        #expect(left.isEmpty)
    }

    enum Target: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case directory, fifo, device, store, missingDirectory
        var testDescription: String { rawValue }
    }

    /// Refused before the run with the reason, and the target left as it was.
    @Test(arguments: Target.allCases)
    func aPathThatIsNotARegularFileIsRefused(_ target: Target) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(.sqlite)
        defer { cleanup() }
        let path: String, reason: String
        switch target {
        case .directory:
            path = dir.appendingPathComponent("results").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            reason = "is a directory"
        case .fifo:
            path = dir.appendingPathComponent("pipe").path
            #expect(mkfifo(path, 0o600) == 0)
            reason = "is not a regular file (a device, FIFO or socket)"
        case .device:
            // A private copy of /dev/null where the test may make device nodes (as root), so
            // that even a cascade without this check could not replace the system's (1, 3 is /dev/null's device number).
            let node = dir.appendingPathComponent("null").path
            path = mknod(node, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 ? node : "/dev/null"
            reason = "is not a regular file (a device, FIFO or socket)"
        case .store:
            path = db
            reason = "is the store itself"
        case .missingDirectory:
            path = dir.appendingPathComponent("no/such/result.json").path
            reason = "is in a directory that does not exist"
        }
        let result = try StoreCLI.run(["run", StoreCLI.sampleScenario, "--json", "--out", path, "--db", db], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("`--out \(path)`: \(path) \(reason)"), "\(result.stderr)")
        #expect(result.stderr.contains("--out must name a regular file (hint: nothing was written"), "\(result.stderr)")
        #expect(result.json?["ok"] == .bool(false))
        var info = stat()
        switch target {
        case .directory: #expect(stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR)
        case .fifo: #expect(stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        case .device: #expect(stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        case .store:
            let list = try StoreCLI.run(["scenario", "list", "--db", db, "--json"], in: dir)
            #expect(list.json == .array([]), "nothing was run: \(list.stdout) \(list.stderr)")
        case .missingDirectory: #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("no").path))
        }
    }
}
