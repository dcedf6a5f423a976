/// A Monte Carlo scenario's uncertainty: some macro variables give a distribution instead of a
/// point, and the run evaluates `draws` scenarios drawn from them (docs/propagation.md,
/// "Monte Carlo"). Part of `Scenario`; nil for a point scenario, which is unchanged by it.
package struct MonteCarlo: Sendable, Equatable {
    /// Number of scenarios drawn (`"draws"`, 1 … `drawsLimit`).
    package var draws: Int
    /// `"seed"`; 0 when the document gives none (stated wherever the result is shown, and written
    /// into the stored document, so a result is always reproducible from what is stored).
    package var seed: Int
    /// Whether the seed was the default (the document gave none).
    package var seedIsDefault: Bool
    /// Variable → its distribution (parameters in decimals, units normalised).
    package var distributions: [String: Distribution]
    /// Correlations between some of the distribution variables (the others are independent).
    package var correlation: Correlation?
    /// `"threshold"`: each entity reports the probability its impact is below it (default 0).
    package var threshold: Double

    package init(draws: Int, seed: Int, seedIsDefault: Bool = false, distributions: [String: Distribution],
                 correlation: Correlation? = nil, threshold: Double = 0) {
        self.draws = draws
        self.seed = seed
        self.seedIsDefault = seedIsDefault
        self.distributions = distributions
        self.correlation = correlation
        self.threshold = threshold
    }

    /// The most draws a scenario may ask for; the run's memory budget (entities × draws doubles)
    /// is checked as well, before anything is allocated.
    package static let drawsLimit = 100_000
    /// Seeds are JSON integers that a double holds exactly: 0 … 2⁵³ − 1.
    package static let seedLimit = (1 << 53) - 1

    /// The distribution variables in byte order: the order in which a draw takes its normals.
    package var variables: [String] { distributions.keys.sorted(by: byteOrder) }
}

/// The distribution of one macro variable's value.
package enum Distribution: Sendable, Equatable {
    case normal(mean: Double, sd: Double)
    case uniform(min: Double, max: Double)
    case triangular(min: Double, mode: Double, max: Double)

    /// The distribution's mean: the variable's value in the central run (the result's impacts,
    /// attribution and paths are that run's; the draws give `distribution`).
    package var mean: Double {
        switch self {
        case .normal(let mean, _): mean
        case .uniform(let lo, let hi): lo == hi ? lo : lo / 2 + hi / 2
        case .triangular(let lo, let mode, let hi): lo == hi ? lo : (lo + mode + hi) / 3  // a point is exactly itself
        }
    }

    /// Its kind (`normal`, …) and parameters in document order, as the scenario writes them.
    package var parameters: (kind: String, values: [(String, Double)]) {
        switch self {
        case .normal(let mean, let sd): ("normal", [("mean", mean), ("sd", sd)])
        case .uniform(let lo, let hi): ("uniform", [("min", lo), ("max", hi)])
        case .triangular(let lo, let mode, let hi): ("triangular", [("min", lo), ("mode", mode), ("max", hi)])
        }
    }

    /// The kinds and their parameters, as the document reader checks them.
    static let kinds: [(name: String, parameters: [String])] = [
        ("normal", ["mean", "sd"]), ("uniform", ["min", "max"]), ("triangular", ["min", "mode", "max"]),
    ]
}

/// `"correlation": {"variables": [...], "matrix": [[...]]}`: a correlation matrix (symmetric,
/// unit diagonal, positive semi-definite) between distribution variables, with its Cholesky factor.
package struct Correlation: Sendable, Equatable {
    package var variables: [String]
    /// Row-major, `variables.count` squared.
    package var matrix: [Double]
    /// Lower-triangular L with L·Lᵀ = matrix, row-major (a zero column where the matrix is singular).
    package var factor: [Double]
}
