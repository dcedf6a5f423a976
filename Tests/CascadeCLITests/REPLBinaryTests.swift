import Foundation
import Testing

/// `cascade repl` end to end: piped like a script, and under a real pseudo-terminal (tmux).
struct REPLBinaryTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aScriptPrintsResultsLineByLineWithoutPrompts() throws {
        let script = """
            const gdpGrowth = 0.03
            let baseline = 0.02
            (gdpGrowth - baseline) * 1.8 * 100
            baseline += 0.01
            if (gdpGrowth > baseline) {
              return 1;
            } else {
              return 0;
            }
            'done'

            """
        let result = try CascadeBinary.run(["repl"], input: Data(script.utf8))
        #expect(result.stdout == "1.7999999999999998\n0\n\"done\"\n")
        #expect(result.stderr == "")
        #expect(result.status == 0)
    }

    @Test func aFailingLineMakesTheExitStatusNonZeroButTheScriptGoesOn() throws {
        let script = "1 + 1\nreturn '5' + 2;\n2 + 2\n"
        let result = try CascadeBinary.run(["repl"], input: Data(script.utf8))
        #expect(result.status == 1)
        #expect(result.stdout == "2\n4\n")
        #expect(result.stderr == """
            error[type.string-coercion]: cannot add a string and a number
             --> stdin:2:8
              |
            2 | return '5' + 2;
              |        ^^^^^^^
              = hint: JavaScript would silently turn the number into text (`'5' + 2` is `'52'`); formulas do not convert types

            """)
    }

    @Test(arguments: [
        ("1 / 0\n", 1), (":nope\n", 1), ("(1 +\n", 1), (":bind x [1]\n", 1), ("1\n:quit\nx\n", 0), ("", 0), ("\n\n", 0),
    ])
    func exitStatus(_ script: String, _ status: Int32) throws {
        let result = try CascadeBinary.run(["repl"], input: Data(script.utf8))
        #expect(result.status == status, "\(script.debugDescription): \(result.stderr)")
        #expect(!result.stdout.contains("> "), "no prompt when standard input is not a terminal")
    }

    @Test func pipedErrorsAreNeverColoured() throws {
        // Without NO_COLOR (CascadeBinary would set it): plain text only because stderr is a pipe.
        let process = Process()
        process.executableURL = CascadeBinary.url
        process.arguments = ["repl"]
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "NO_COLOR" }
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data("x\n".utf8))
        try input.fileHandleForWriting.close()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(stderr.hasPrefix("error[name.unknown]"), "\(stderr)")
        #expect(!stderr.contains("\u{1B}"))
        #expect(process.terminationStatus == 1)
    }

    @Test func loadAndTestAFormulaFromTheStore() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("store.sqlite").path
        let initialised = try CascadeBinary.run(["init", "--sample", "--db", db])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let script = ":load gdp_sector_impact\n:test\n:bind gdpGrowth 0.05\n:bind baseline 0.02\n:bind elasticity 2\n:run\n:load nothing_like_it\n"
        let result = try CascadeBinary.run(["repl", "--db", db], input: Data(script.utf8))
        #expect(result.stdout.contains("gdp_sector_impact@1: 3 of 3 test cases passed\n"), "\(result.stdout)")
        #expect(result.stdout.hasSuffix("\n6.000000000000001\n"), "\(result.stdout)")  // node: (0.05 - 0.02) * 2 * 100
        #expect(result.stderr == "error: no formula `nothing_like_it` in the registry\n  = hint: run `cascade formula list` to see registered names\n")
        #expect(result.status == 1)
    }
}

/// The REPL on a real terminal: tmux runs it in a pseudo-terminal, keys are sent, the screen read.
@Suite(.serialized)
struct REPLTerminalTests {
    static let tmux: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// One private tmux server (its own socket) with the REPL in a detached session.
    final class Terminal {
        let socket: String
        let environment: [String: String]

        init(directory: URL, environment: [String: String]) {
            socket = directory.appendingPathComponent("tmux.sock").path
            self.environment = environment
        }

        /// Runs `tmux -S socket ARGUMENTS…` and returns its standard output.
        ///
        /// Spawned directly rather than with Foundation's `Process`: children of a test thread
        /// would inherit its blocked signals, and a tmux server (and the REPL under it) started
        /// that way never sees SIGCHLD, SIGTERM or Ctrl-C's SIGINT. The output is read from a pipe
        /// to its end: other tests' process handling may reap this child before `waitpid` sees it,
        /// so the child's exit is not a safe signal that its output is complete.
        @discardableResult
        func tmux(_ arguments: [String]) throws -> String {
            var pipeEnds: [Int32] = [0, 0]
            guard pipe(&pipeEnds) == 0 else { throw POSIXError(.EMFILE) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
            posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
            posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var none = sigset_t(), all = sigset_t()
            sigemptyset(&none)
            sigfillset(&all)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

            let argv = ([REPLTerminalTests.tmux!, "-S", socket] + arguments).map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, REPLTerminalTests.tmux!, &actions, &attributes, argv, environ)
            close(pipeEnds[1])
            defer { close(pipeEnds[0]) }
            guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
            var output = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
                if count > 0 { output.append(contentsOf: buffer[..<count]) } else if count == 0 || errno != EINTR { break }
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            return String(decoding: output, as: UTF8.self)
        }

        func start(arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
            // Exactly these variables decide colour and history, whatever the test process has.
            let env = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Terminal.quoted($0.value))" }.joined(separator: " ")
            let command = ([CascadeBinary.url.path, "repl"] + arguments).map(Terminal.quoted).joined(separator: " ")
            // The server outlives its sessions (`exit-empty off`): a test that ends one REPL and starts
            // another must not race a server that is still exiting after the first.
            try tmux(["start-server", ";", "set-option", "-s", "exit-empty", "off", ";",
                      "new-session", "-d", "-s", "repl", "-x", "160", "-y", "50",
                      "env -u NO_COLOR -u CASCADE_HISTORY \(env) \(command)"])
            try waitFor(sourceLocation: sourceLocation) { Terminal.lines($0).last == ">" }
        }

        func send(_ keys: String...) throws { try tmux(["send-keys", "-t", "repl"] + keys) }

        func type(_ text: String) throws { try tmux(["send-keys", "-t", "repl", "-l", text]) }

        func screen(escapes: Bool = false) throws -> String {
            try tmux(["capture-pane", "-p", "-t", "repl"] + (escapes ? ["-e"] : []))
        }

        /// Polls the screen until `condition` holds and returns the screen. The minute is only a
        /// safety net for a stuck REPL: a loaded machine may take seconds to draw a line.
        @discardableResult
        func waitFor(escapes: Bool = false, sourceLocation: SourceLocation = #_sourceLocation,
                     _ condition: (String) -> Bool) throws -> String {
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            var text = ""
            while clock.now < deadline {
                text = try screen(escapes: escapes)
                if condition(text) { return text }
                usleep(50_000)
            }
            Issue.record("the terminal never showed what was expected; it shows:\n\(text)", sourceLocation: sourceLocation)
            return text
        }

        func stop() { _ = try? tmux(["kill-server"]) }

        /// The screen's non-blank lines (tmux drops trailing spaces, so a prompt shows as `>`).
        static func lines(_ screen: String) -> [String] {
            screen.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }

        static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    }

    static func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test(.enabled(if: REPLTerminalTests.tmux != nil, "tmux is not installed (scripts/setup.sh installs it)"))
    func upArrowRecallsALineAndTheHistorySurvivesARestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-tty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let history = directory.appendingPathComponent("history").path
        let terminal = Terminal(directory: directory, environment: ["CASCADE_HISTORY": history, "NO_COLOR": "1", "HOME": directory.path])
        defer { terminal.stop() }

        try terminal.start()
        try terminal.type("(0.03 - 0.02) * 1.8 * 100")
        try terminal.send("Enter")
        try terminal.waitFor { REPLTerminalTests.occurrences("1.7999999999999998", in: $0) == 1 }
        try terminal.send("Up")
        try terminal.waitFor { REPLTerminalTests.occurrences("> (0.03 - 0.02) * 1.8 * 100", in: $0) == 2 }
        try terminal.send("Enter")
        try terminal.waitFor { REPLTerminalTests.occurrences("1.7999999999999998", in: $0) == 2 }

        // Ctrl-C drops an unfinished entry and the session goes on.
        try terminal.type("Math.max(1,")
        try terminal.send("Enter")
        try terminal.waitFor { Terminal.lines($0).last == "..." }
        try terminal.send("C-c")
        try terminal.waitFor { $0.contains("(entry dropped)") }
        try terminal.type("6 * 7")
        try terminal.send("Enter")
        try terminal.waitFor { $0.contains("\n42\n") }

        // A new session recalls the earlier lines from the history file.
        try terminal.tmux(["kill-session", "-t", "repl"])
        try terminal.start()
        try terminal.send("Up")
        try terminal.waitFor { $0.contains("> 6 * 7") }
        try terminal.send("Up", "Up")
        try terminal.waitFor { $0.contains("> (0.03 - 0.02) * 1.8 * 100") }
        try terminal.send("Enter")
        try terminal.waitFor { $0.contains("1.7999999999999998") }
        #expect(FileManager.default.fileExists(atPath: history))
        try terminal.type(":quit")
        try terminal.send("Enter")
        try terminal.waitFor { $0.isEmpty }  // the REPL ended, and its pane closed
    }

    @Test(.enabled(if: REPLTerminalTests.tmux != nil, "tmux is not installed (scripts/setup.sh installs it)"))
    func explainShowsTheTraceOnATerminalAndTabCompletesItsExpression() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-tty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let terminal = Terminal(directory: directory, environment: ["CASCADE_HISTORY": "", "HOME": directory.path, "NO_COLOR": "1"])
        defer { terminal.stop() }
        try terminal.start()
        try terminal.type(":bind hbm_supply 100")
        try terminal.send("Enter")
        try terminal.waitFor { $0.contains("input hbm_supply: number = 100") }
        try terminal.type(":explain hbm_sup")
        try terminal.send("Tab")
        try terminal.waitFor { $0.contains(":explain hbm_supply") }
        try terminal.type("< 80 ? 1.5 : 0.5")  // completion added the space
        try terminal.send("Enter")
        let screen = try terminal.waitFor { $0.contains("branch not taken") }
        let lines = Terminal.lines(screen)
        let start = try #require(lines.firstIndex(of: "> :explain hbm_supply < 80 ? 1.5 : 0.5"), "\(screen)")
        #expect(Array(lines[(start + 1)...].prefix(4)) == [
            "0.5",
            "  hbm_supply < 80 ? 1.5 : 0.5  → 0.5",
            "  hbm_supply < 80              → false  (condition: branch not taken)",
            "  hbm_supply                   → 100",
        ], "\(screen)")
    }

    @Test(.enabled(if: REPLTerminalTests.tmux != nil, "tmux is not installed (scripts/setup.sh installs it)"))
    func errorsAreColouredOnATerminalUnlessNoColorIsSet() throws {
        for noColor in [false, true] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-tty-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var environment = ["CASCADE_HISTORY": "", "HOME": directory.path]
            if noColor { environment["NO_COLOR"] = "1" }
            let terminal = Terminal(directory: directory, environment: environment)
            defer { terminal.stop() }
            try terminal.start()
            try terminal.type("return '5' + 2;")
            try terminal.send("Enter")
            let screen = try terminal.waitFor(escapes: true) { $0.contains("^^^^^^^") }
            #expect(screen.contains("error[type.string-coercion]"))
            #expect(screen.contains("\u{1B}[") != noColor, "NO_COLOR \(noColor ? "set" : "unset"):\n\(screen)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".cascade_history").path),
                    "an empty CASCADE_HISTORY keeps no file")
        }
    }

    @Test(.enabled(if: REPLTerminalTests.tmux != nil, "tmux is not installed (scripts/setup.sh installs it)"))
    func ctrlCAbandonsAWholePendingEntryAndTheHistoryKeepsIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-tty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let history = directory.appendingPathComponent("history").path
        let terminal = Terminal(directory: directory, environment: ["CASCADE_HISTORY": history, "NO_COLOR": "1", "HOME": directory.path])
        defer { terminal.stop() }

        try terminal.start()
        try terminal.type("Math.max(1,")
        try terminal.send("Enter")
        try terminal.waitFor { Terminal.lines($0).last == "..." }
        try terminal.type("  2,")
        try terminal.send("Enter")
        try terminal.waitFor { Terminal.lines($0).last == "..." && REPLTerminalTests.occurrences("...   2,", in: $0) == 1 }
        // Ctrl-C drops both lines and gives a fresh prompt: the next entry stands alone.
        try terminal.send("C-c")
        try terminal.waitFor { $0.contains("(entry dropped)") && Terminal.lines($0).last == ">" }
        try terminal.type("6 * 7")
        try terminal.send("Enter")
        try terminal.waitFor { Terminal.lines($0).contains("42") && Terminal.lines($0).last == ">" }
        // At an empty prompt Ctrl-C only says how to leave.
        try terminal.send("C-c")
        try terminal.waitFor { $0.contains("(:quit or Ctrl-D leaves)") && Terminal.lines($0).last == ">" }

        // Nothing typed is lost: the abandoned entry is one history entry, recalled whole and finished.
        try terminal.send("Up", "Up")
        try terminal.waitFor { $0.contains("> Math.max(1,\n  2,") && Terminal.lines($0).last == "  2," }
        try terminal.send("Enter")
        try terminal.waitFor { Terminal.lines($0).last == "..." }
        try terminal.type("  3)")
        try terminal.send("Enter")
        try terminal.waitFor { Terminal.lines($0).contains("3") }
    }

    @Test(.enabled(if: REPLTerminalTests.tmux != nil, "tmux is not installed (scripts/setup.sh installs it)"))
    func aMultiLineEntryIsOneHistoryEntry() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-tty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let history = directory.appendingPathComponent("history").path
        let terminal = Terminal(directory: directory, environment: ["CASCADE_HISTORY": history, "NO_COLOR": "1", "HOME": directory.path])
        defer { terminal.stop() }

        try terminal.start()
        let entry = ["if (1 > 0) {", "  return 'yes'", "}"]  // no `;`: tmux would read a final one as its own separator
        for (index, line) in entry.enumerated() {
            try terminal.type(line)
            try terminal.send("Enter")
            if index < entry.count - 1 { try terminal.waitFor { Terminal.lines($0).last == "..." } }
        }
        try terminal.waitFor { REPLTerminalTests.occurrences("\"yes\"", in: $0) == 1 }
        // The up arrow brings back the whole entry, not its last line; Enter runs it again.
        try terminal.send("Up")
        try terminal.waitFor { REPLTerminalTests.occurrences("> if (1 > 0) {", in: $0) == 2 && Terminal.lines($0).last == "}" }
        try terminal.send("Enter")
        try terminal.waitFor { REPLTerminalTests.occurrences("\"yes\"", in: $0) == 2 }

        // The history file keeps it as one entry too.
        try terminal.tmux(["kill-session", "-t", "repl"])
        try terminal.start()
        try terminal.send("Up")
        try terminal.waitFor { $0.contains("> if (1 > 0) {\n  return 'yes'\n}") }
        try terminal.send("Enter")
        try terminal.waitFor { $0.contains("\"yes\"") }
    }

    @Test(.enabled(if: REPLTerminalTests.tmux != nil, "tmux is not installed (scripts/setup.sh installs it)"))
    func tabCompletesFormulaNamesAfterLoadAndParametersAfterBind() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-tty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("store.sqlite").path
        let initialised = try CascadeBinary.run(["init", "--sample", "--db", db])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let terminal = Terminal(directory: directory, environment: ["CASCADE_HISTORY": "", "NO_COLOR": "1", "HOME": directory.path])
        defer { terminal.stop() }

        try terminal.start(arguments: ["--db", db])
        try terminal.type(":lo")
        try terminal.send("Tab")
        try terminal.waitFor { Terminal.lines($0).last == "> :load" }
        try terminal.type("gdp_s")
        try terminal.send("Tab")
        try terminal.waitFor { Terminal.lines($0).last == "> :load gdp_sector_impact" }
        try terminal.send("Enter")
        try terminal.waitFor { $0.contains("parameters: baseline: number, elasticity: number, gdpGrowth: number") }
        try terminal.type(":bind el")
        try terminal.send("Tab")
        try terminal.waitFor { Terminal.lines($0).last == "> :bind elasticity" }
        // A value of the wrong type: `:run` names the parameter.
        try terminal.type("\"high\"")
        try terminal.send("Enter")
        for line in [":bind gdpGrowth 0.05", ":bind baseline 0.02", ":run"] {
            try terminal.type(line)
            try terminal.send("Enter")
        }
        try terminal.waitFor { $0.contains("input slot 2 (`elasticity`) expects a number but was given a string") }
    }
}
