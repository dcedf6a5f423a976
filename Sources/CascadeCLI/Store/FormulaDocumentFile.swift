import CascadeJSON
import CascadeStore

/// Reads a formula version document (or a backtest spec) from disk, turning every problem into one `StoreError`.
enum FormulaDocumentFile {
    static func read(_ path: String) throws -> FormulaDocument {
        try JSONFile.document(path, what: "the formula document", outcome: "nothing was registered") { value, file, problems in
            FormulaDocument.decode(value, file: file, problems: &problems)
        }
    }

    /// A backtest spec file (docs/formats.md, "Backtest spec").
    static func readBacktestSpec(_ path: String) throws -> BacktestSpec {
        try JSONFile.document(path, what: "the backtest spec", outcome: "nothing was run") { value, file, problems in
            BacktestSpec.decode(value, file: file, problems: &problems)
        }
    }
}
