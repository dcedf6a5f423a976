import ArgumentParser
import CascadeStore

/// `--format`: how a command prints its rows — a readable table, or RFC 4180 CSV for pandas and
/// spreadsheets (`--json` is the third form, and excludes `--format csv`).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv

    /// Refuses `--format csv` together with `--json`: one document on stdout, not two.
    func check(json: Bool) throws {
        if json && self == .csv {
            throw StoreError(.invalidInput, "`--format csv` and `--json` both choose what is printed",
                             hint: "give one of them (`--out FILE` writes the JSON beside a CSV on stdout)")
        }
    }
}
