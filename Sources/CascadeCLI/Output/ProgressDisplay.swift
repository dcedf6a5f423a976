#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CascadeStore

/// Shows a long operation's `WorkProgress` on standard error: on a terminal one line redrawn in
/// place — a bar, the count, the rate and the time left — at most ten times a second, cleared at
/// the end; otherwise (a log, a pipe, CI) a plain line when a phase starts and at every tenth of a
/// phase that counts at least `Self.largeCount` items; nothing when quiet.
///
/// With `linesFrom`, lines start only once a phase counts that many items, so that a small run
/// stays silent in a log while a run on a large world says where it is.
final class ProgressDisplay {
    enum Mode { case bar, lines, quiet }

    static let largeCount = 50_000

    let label: String
    let mode: Mode
    private var linesActive: Bool
    private let linesFrom: Int
    private var phase = ""
    private var phaseStart = 0.0
    private var lastDraw = -1.0
    private var lastTenth = -1
    private var drawn = false
    private let now: () -> Double
    private let write: (String) -> Void

    /// `quiet` silences it; otherwise a bar when standard error is a terminal (and `TERM` is not
    /// `dumb`), lines when it is not.
    convenience init(_ label: String, quiet: Bool, linesFrom: Int = 0) {
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        self.init(label, mode: quiet ? .quiet : isatty(2) == 1 && term != "dumb" ? .bar : .lines, linesFrom: linesFrom,
                  now: ProgressDisplay.monotonicSeconds)
    }

    init(_ label: String, mode: Mode, linesFrom: Int = 0, now: @escaping () -> Double,
         output: @escaping (String) -> Void = { var stream = StandardError(); stream.write($0) }) {
        self.label = label
        self.mode = mode
        self.linesFrom = linesFrom
        self.linesActive = linesFrom == 0
        self.now = now
        self.write = output
    }

    static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    func report(_ progress: WorkProgress) {
        guard mode != .quiet else { return }
        if mode == .lines && !linesActive {
            guard progress.total >= linesFrom else { return }
            linesActive = true
        }
        let t = now()
        let isNewPhase = progress.phase != phase
        if isNewPhase {
            phase = progress.phase
            phaseStart = t
            lastTenth = -1
        }
        switch mode {
        case .quiet: return
        case .lines:
            if isNewPhase {
                let size = progress.total > 0 ? " (\(grouped(progress.total)) \(progress.unit))" : ""
                write(Terminal.escaped("\(label): \(progress.phase)\(size)") + "\n")
                lastTenth = 0
                return
            }
            guard progress.total >= Self.largeCount, let fraction = progress.fraction, Int(fraction * 10) > lastTenth else { return }
            lastTenth = Int(fraction * 10)
            write(Terminal.escaped("\(label): \(progress.phase) \(grouped(progress.done))/\(grouped(progress.total)) \(progress.unit) (\(lastTenth * 10)%)") + "\n")
        case .bar:
            let finished = progress.total > 0 && progress.done >= progress.total
            guard isNewPhase || finished || t - lastDraw >= 0.1 else { return }
            lastDraw = t
            drawn = true
            write("\r\u{1B}[2K" + Terminal.escaped(barLine(progress, elapsed: t - phaseStart)))
        }
    }

    /// Clears the bar, so that what is printed next starts on a clean line.
    func finish() {
        guard mode == .bar, drawn else { return }
        write("\r\u{1B}[2K")
        drawn = false
    }

    /// `import: writing relationships [#########-----------] 45%  225,000/500,000 rows  95,000 rows/s  ETA 3s`
    func barLine(_ progress: WorkProgress, elapsed: Double) -> String {
        var line = "\(label): \(progress.phase)"
        guard let fraction = progress.fraction else {
            return progress.done > 0 ? line + "  " + grouped(progress.done) + " " + progress.unit : line + " …"
        }
        let width = 20
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        line += " [\(bar)] \(Int(fraction * 100))%  \(grouped(progress.done))/\(grouped(progress.total)) \(progress.unit)"
        if elapsed > 0.2 && progress.done > 0 {
            let rate = Double(progress.done) / elapsed
            line += "  \(grouped(Int(rate))) \(progress.unit)/s"
            if progress.done < progress.total {
                line += "  ETA " + Self.duration(Double(progress.total - progress.done) / rate)
            }
        }
        return line
    }

    /// `1,234,567`
    func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// `45s`, `3m07s`, `1h02m`
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + (s % 60 < 10 ? "0" : "") + "\(s % 60)s" }
        return "\(s / 3600)h" + (s % 3600 / 60 < 10 ? "0" : "") + "\(s % 3600 / 60)m"
    }
}
