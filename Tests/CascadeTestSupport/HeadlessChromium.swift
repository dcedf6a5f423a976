import Foundation

/// Debian's `chromium` for the browser tests, and a driver script run off the cooperative thread
/// pool, so an in-process server keeps its threads while the browser talks to it.
package enum HeadlessChromium {
    package static let path: String? = {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(directory)/chromium"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// Run when chromium is there, and also as root without it (setup installs it, so its absence
    /// is a failure); skipped only where it cannot be installed.
    package static let runs = path != nil || getuid() == 0
    package static let skipReason =
        "chromium is not installed and cannot be as a non-root user: `sudo apt-get install chromium` (or scripts/setup.sh as root) runs these tests"

    /// Runs `python3 Tests/CascadeCLITests/Browser/DRIVER arguments…` on a thread of its own.
    package static func drive(_ driver: String, _ arguments: [String], in directory: URL) async throws -> PackageExecutables.Result {
        let script = PackageExecutables.root.appendingPathComponent("Tests/CascadeCLITests/Browser/" + driver).path
        return try await PackageExecutables.runOnOwnThread(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script] + arguments, in: directory)
    }
}
