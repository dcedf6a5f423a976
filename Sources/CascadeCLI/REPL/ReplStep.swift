/// What one input line produced.
struct ReplStep: Equatable {
    var output: [ReplOutput] = []
    /// The line was an error (a script's exit status reports it).
    var failed = false
    /// `:quit`.
    var quits = false

    static func failure(_ output: [ReplOutput]) -> ReplStep { ReplStep(output: output, failed: true) }
}

/// Text for standard output (results) or standard error (diagnostics, errors, notes); each ends
/// with a line feed.
enum ReplOutput: Equatable {
    case result(String)
    case message(String)

    var text: String {
        switch self {
        case .result(let text), .message(let text): text
        }
    }
}
