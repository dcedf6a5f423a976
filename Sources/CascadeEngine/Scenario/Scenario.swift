import CascadeFormula
import CascadeJSON

/// A scenario: shifts of macro variables (and optional exogenous shocks) against the baseline,
/// with per-level settings. Parsed strictly from the scenario file format of `docs/formats.md`.
package struct Scenario: Sendable, Equatable {
    package var name: String
    package var description: String?
    package var author: String
    /// Variable → value in decimals (0.025 for 2.5 %), sorted by name.
    package var macroVariables: [String: Double]
    package var levelSettings: [Int: LevelSettings]
    /// Entity id → exogenous relative impact.
    package var entityShocks: [String: Double]
    /// The as-of date (`YYYY-MM-DD`); resolved when the scenario is submitted, never "now" at run time.
    package var asOf: String
    /// Feedback passes after the first pass: exactly this many, or at most this many when
    /// `feedbackConvergence` is set (`"feedback_rounds": "converge"` with `feedback_max_rounds`).
    package var feedbackRounds: Int
    /// Set when feedback passes run until no impact changes by more than its tolerance.
    package var feedbackConvergence: FeedbackConvergence?
    package var isPublic: Bool
    /// `"sensitivities": true`: every entity of the result carries ∂impact/∂value per variable
    /// and shock (docs/propagation.md, "Sensitivities"). Part of the fingerprint when set.
    package var sensitivities = false
    /// Distributions, draws and seed of a Monte Carlo scenario (docs/propagation.md, "Monte
    /// Carlo"); nil for a point scenario. A distribution variable's `macroVariables` entry is
    /// its distribution's mean: the value of the central run.
    package var monteCarlo: MonteCarlo?

    package init(name: String, author: String, macroVariables: [String: Double], asOf: String,
                description: String? = nil, levelSettings: [Int: LevelSettings] = [:], entityShocks: [String: Double] = [:],
                feedbackRounds: Int = 0, feedbackConvergence: FeedbackConvergence? = nil, isPublic: Bool = false) {
        self.name = name
        self.description = description
        self.author = author
        self.macroVariables = macroVariables
        self.levelSettings = levelSettings
        self.entityShocks = entityShocks
        self.asOf = asOf
        self.feedbackRounds = feedbackRounds
        self.feedbackConvergence = feedbackConvergence
        self.isPublic = isPublic
    }

    /// The settings in force for a level (the defaults where the scenario says nothing).
    package func settings(for level: Int) -> LevelSettings { levelSettings[level] ?? LevelSettings() }

    /// The most feedback passes a scenario may ask for (a fixed count, or the cap of `converge`).
    package static let feedbackRoundsLimit = 1000
}

/// `"feedback_rounds": "converge"`: feedback passes repeat until the largest change of any
/// impact between two passes is at most `tolerance` (or the scenario's `feedbackRounds` cap).
package struct FeedbackConvergence: Sendable, Equatable {
    /// `feedback_tolerance`, default 1e-12.
    package var tolerance: Double

    package init(tolerance: Double = 1e-12) { self.tolerance = tolerance }
}

/// Per-level propagation settings (`level_settings["3"]`).
package struct LevelSettings: Sendable, Equatable {
    /// A disabled level is a firewall: its entities do not move and pass nothing on.
    package var isEnabled = true
    /// Multiplies every contribution into the level's entities.
    package var damping = 1.0
    /// Bounds of the relative impact.
    package var clamp: ClosedRange<Double> = -1...1
    /// Rounds of the Jacobi fixed point per same-level cycle.
    package var maxCycleRounds = 100
    /// Convergence tolerance of the fixed point (max change between rounds).
    package var tolerance = 1e-12
    /// Relaxation ω of the fixed point: x ← (1 − ω) x + ω F(x).
    package var relaxation = 1.0

    package init() {}

    /// The largest damping a scenario may set.
    package static let dampingLimit = 10.0
    /// The largest magnitude of a clamp bound: with damping ≤ 10 a clamped impact times any
    /// ordinary weight stays far from overflow, and a relative impact beyond ±10⁶ means nothing.
    /// (A contribution that still overflows fails the run; it is never stored as `null`.)
    package static let clampLimit = 1e6
}

/// Problems found in a scenario, each with the JSON path it concerns (the one `Problem` of the
/// document reader: path, stable code, message, hint).
package struct ScenarioError: Error, Sendable, CustomStringConvertible {
    package var problems: [Problem]

    package init(problems: [Problem]) { self.problems = problems }

    package var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
