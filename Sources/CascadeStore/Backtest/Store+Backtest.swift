import CascadeFormula
import CascadeJSON

/// One evaluation date of a backtest.
package struct BacktestPoint: Sendable, Equatable {
    package var date: String
    package var observed: Double
    package var predicted: Double
    /// What each parameter was bound to on this date.
    package var inputs: [String: Value] = [:]
    package var error: Double { predicted - observed }
}

/// What a backtest measured: the fit, the points, the dates it had to skip, and the fingerprint
/// of the history rows it read (so a stored claim can be re-checked later).
package struct BacktestResult: Sendable {
    /// `name@version` of the version evaluated (`name@next` for a document being registered).
    package var formula: String
    package var spec: BacktestSpec
    package var metrics: BacktestMetrics
    package var points: [BacktestPoint]
    /// Dates in the window where the formula could not be evaluated, with why.
    package var skipped: [(date: String, reason: String)]
    /// `xxh3-128:` of every history row read, in a canonical order.
    package var fingerprint: String

    /// The points with the largest absolute errors, largest first (ties: earlier date first).
    package func worst(_ count: Int = 5) -> [BacktestPoint] {
        Array(points.enumerated().sorted { a, b in
            abs(a.element.error) != abs(b.element.error) ? abs(a.element.error) > abs(b.element.error) : a.offset < b.offset
        }.prefix(count).map(\.element))
    }
}

/// A loaded series: its rows by date, and which of them a backtest read.
struct LoadedSeries {
    var series: HistorySeries
    var dates: [String]
    var values: [Double]
    var used: Set<Int> = []

    /// The series' (transformed, scaled) value on `date`: from its last row on or before it; nil
    /// when there is none (or no row before that one, for a difference).
    mutating func value(on date: String) -> Double? {
        var low = 0, high = dates.count
        while low < high {
            let mid = (low + high) / 2
            if dates[mid] <= date { low = mid + 1 } else { high = mid }
        }
        let i = low - 1
        guard i >= 0 else { return nil }
        let x: Double
        switch series.transform {
        case .value:
            used.insert(i)
            x = values[i]
        case .change, .pctChange:
            guard i >= 1 else { return nil }
            used.formUnion([i - 1, i])
            x = series.transform == .change ? values[i] - values[i - 1] : values[i] / values[i - 1] - 1
        }
        return x * series.scale
    }
}

extension Store {
    /// Runs `spec` against the stored version it names (the latest when it names no version).
    /// Every problem of the spec against the store — an unknown formula or series, a binding
    /// that is not a parameter, a parameter without binding, no dates in the window — is thrown
    /// together, each with its JSON path.
    package func backtest(_ spec: BacktestSpec) throws -> BacktestResult {
        guard let reference = spec.formula else {
            throw StoreError(.invalidInput, "the backtest spec names no formula", location: spec.file,
                             hint: #"add "formula": "NAME@VERSION""#)
        }
        let version: FormulaVersion
        do {
            version = try formula(reference)
        } catch let error as StoreError where error.kind == .notFound {
            throw StoreError(.invalidInput, "the backtest spec has 1 problem", location: spec.file, hint: "nothing was run",
                             problems: [Problem(path: JSONReader.place(spec.file, spec.path.appending("formula")), code: "backtest.formula",
                                                message: error.message, hint: error.hint)])
        }
        return try backtest(spec, document: version.document, label: version.reference)
    }

    /// Runs `spec` against `document` (stored or about to be), labelled `label` in the result.
    package func backtest(_ spec: BacktestSpec, document: FormulaDocument, label: String) throws -> BacktestResult {
        var problems: [Problem] = []
        func place(_ key: String) -> String { JSONReader.place(spec.file, spec.path.appending(key)) }
        var declared: [String: InputType] = [:]
        for (name, type) in document.parameters {
            if let typeName = type.stringValue, let input = InputType(declared: typeName) { declared[name] = input }
        }
        let bound = Set(spec.bindings.map(\.name))
        for binding in spec.bindings where declared[binding.name] == nil {
            let suggestion = Suggestion.closest(to: binding.name, among: declared.keys)
            problems.append(Problem(path: binding.path, code: "backtest.not-a-parameter",
                                    message: "`\(binding.name)` is not a parameter of \(label)",
                                    hint: suggestion.map { "did you mean `\($0)`?" } ?? "its parameters: " + declared.keys.sorted().joined(separator: ", ")))
        }
        for name in declared.keys.sorted() where !bound.contains(name) {
            problems.append(Problem(path: place("bindings"), code: "backtest.unbound",
                                    message: "parameter `\(name)` of \(label) has no binding",
                                    hint: #"bind it to a constant or a series, e.g. "\#(name)": {"macro": "us_real_gdp"}"#))
        }

        var loaded: [LoadedSeries] = []
        var bindingSeries: [String: Int] = [:]
        try read { db in
            for (name, binding, _) in spec.bindings {
                guard case .series(let series) = binding else { continue }
                if let rows = try self.load(series, db, problems: &problems) {
                    bindingSeries[name] = loaded.count
                    loaded.append(rows)
                }
            }
            if let rows = try self.load(spec.observed, db, problems: &problems) { loaded.append(rows) }
        }
        let observedIndex = loaded.count - 1
        var dates: [String] = []
        if problems.isEmpty {
            dates = loaded[observedIndex].dates.filter { $0 >= spec.from && $0 <= spec.to }
            if dates.isEmpty {
                let all = loaded[observedIndex].dates
                problems.append(Problem(path: place("observed"), code: "backtest.empty-window",
                                        message: "\(spec.observed.source) has no dates between \(spec.from) and \(spec.to)",
                                        hint: "its rows run from \(all.first ?? "?") to \(all.last ?? "?")"))
            }
        }
        let compilation = Formula.compile(document.formulaText, inputs: declared)
        if problems.isEmpty, compilation.formula == nil {
            problems.append(Problem(path: place("formula"), code: "backtest.formula", message: "\(label) does not compile",
                                    hint: compilation.errors.first?.message))
        }
        guard problems.isEmpty, let formula = compilation.formula else {
            throw StoreError(.invalidInput, "the backtest spec has \(problems.count) problem\(problems.count == 1 ? "" : "s")",
                             location: spec.file, hint: "fix every problem listed; nothing was run", problems: problems)
        }

        var points: [BacktestPoint] = []
        var skipped: [(date: String, reason: String)] = []
        dates: for date in dates {
            guard let observed = loaded[observedIndex].value(on: date) else {
                skipped.append((date, "the observed series has no \(spec.observed.transform == .value ? "value" : "previous row")"))
                continue
            }
            var inputs: [String: Value] = [:]
            for (name, binding, _) in spec.bindings {
                switch binding {
                case .constant(let value): inputs[name] = value
                case .series(let series):
                    guard let x = loaded[bindingSeries[name]!].value(on: date) else {
                        skipped.append((date, "`\(name)` (\(series.source)) has no value on or before this date"))
                        continue dates
                    }
                    inputs[name] = .number(x)
                }
            }
            do {
                switch try formula.evaluate(inputs) {
                case .number(let predicted): points.append(BacktestPoint(date: date, observed: observed, predicted: predicted, inputs: inputs))
                case let other: skipped.append((date, "the formula gave \(other.typeName), not a number"))
                }
            } catch {
                skipped.append((date, "the formula failed: \(error.diagnostic.message)"))
            }
        }
        guard !points.isEmpty else {
            throw StoreError(.invalidInput, "\(label) could not be evaluated on any of the \(dates.count) dates in the window",
                             location: spec.file, hint: skipped.first.map { "\($0.date): \($0.reason)" },
                             problems: [Problem(path: place("observed"), code: "backtest.no-points",
                                                message: "no date in \(spec.from)…\(spec.to) gave a prediction")])
        }
        return BacktestResult(formula: label, spec: spec,
                              metrics: BacktestMetrics(observed: points.map(\.observed), predicted: points.map(\.predicted)),
                              points: points, skipped: skipped, fingerprint: Self.fingerprint(loaded))
    }

    /// The rows of one series, by date; nil (with a problem) when there are none.
    func load(_ series: HistorySeries, _ db: any DatabaseConnection, problems: inout [Problem]) throws -> LoadedSeries? {
        var rows: [(String, Double)] = []
        switch series.source {
        case .macro(let name):
            rows = try db.query("SELECT date, value FROM macro_data WHERE variable_name = ? AND value IS NOT NULL ORDER BY date",
                                [.text(name)]).map { ($0.date("date") ?? "", $0.double("value") ?? .nan) }
            if rows.isEmpty {
                let names = try db.query("SELECT DISTINCT variable_name FROM macro_data").compactMap { $0.string("variable_name") }
                problems.append(Problem(path: series.path + ".macro", code: "backtest.unknown-series",
                                        message: "no macro_data series `\(name)`",
                                        hint: Suggestion.closest(to: name, among: names).map { "did you mean `\($0)`?" }
                                            ?? "`cascade import` a world file with macro_data rows of it"))
            }
        case .coefficient(let type, let sector):
            var seen: Set<String> = []
            for row in try db.query("""
                SELECT effective_date, value FROM sector_coefficients
                WHERE coefficient_type = ? AND sector = ? AND is_active = ?
                ORDER BY effective_date, created_at DESC, id
                """, [.text(type), .text(sector), .bool(true)]) {
                let date = row.date("effective_date") ?? ""
                if seen.insert(date).inserted { rows.append((date, row.double("value") ?? .nan)) }
            }
            if rows.isEmpty {
                problems.append(Problem(path: series.path + ".coefficient", code: "backtest.unknown-series",
                                        message: "no active coefficient `\(type)` for sector `\(sector)`",
                                        hint: "`cascade coefficient list --sector \(sector)` shows what there is"))
            }
        case .financial(let entity, let metric):
            // `metric` is one of FinancialDatum.numericColumns (checked when the spec was read).
            rows = try db.query("""
                SELECT f.date AS date, f.\(metric) AS value FROM financial_data f JOIN entities e ON e.id = f.entity_id
                WHERE e.external_id = ? AND f.\(metric) IS NOT NULL ORDER BY f.date
                """, [.text(entity)]).map { ($0.date("date") ?? "", $0.double("value") ?? .nan) }
            if rows.isEmpty {
                problems.append(Problem(path: series.path + ".financial", code: "backtest.unknown-series",
                                        message: "entity `\(entity)` has no financial_data `\(metric)`"))
            }
        }
        guard !rows.isEmpty else { return nil }
        return LoadedSeries(series: series, dates: rows.map(\.0), values: rows.map(\.1))
    }

    /// XXH3-128 over every row the backtest read: per series its source, then each used row's
    /// date and value (shortest round-trip form), in date order; the series in the canonical
    /// (UTF-8 byte) order of those texts, so the order a spec writes its bindings in — which
    /// PostgreSQL's JSONB does not keep — does not change it.
    static func fingerprint(_ loaded: [LoadedSeries]) -> String {
        let texts = loaded.map { series in
            var text = "\(series.series.source)\u{1}"
            for i in series.used.sorted() { text += "\(series.dates[i])\u{2}\(JSNumber.format(series.values[i]))\u{3}" }
            return text + "\u{4}"
        }
        return "xxh3-128:" + ContentHash.xxh3_128(texts.sorted(by: JSONObject.canonicalOrder).joined())
    }
}

extension Store {
    /// Stores a backtest's r², MAE and RMSE in the version's seed columns, with its spec, the
    /// fingerprint of the history it read and the time; audited with the numbers before and after.
    package func recordBacktest(_ result: BacktestResult) throws {
        guard let reference = FormulaReference(result.formula), let version = reference.version else {
            throw StoreError(.invalidInput, "`\(result.formula)` is not a stored version", hint: "backtest NAME@VERSION")
        }
        try write { db in
            let current = try self.formula(reference, db, forUpdate: true)
            try db.execute("""
                UPDATE formulas SET r_squared = ?, mae = ?, rmse = ?, backtest_spec = ?, backtest_fingerprint = ?, backtested_at = ?
                WHERE name = ? AND version = ?
                """,
                .real(result.metrics.rSquared), .real(result.metrics.mae), .real(result.metrics.rmse),
                .json(result.spec.json.serialized()), .text(result.fingerprint), .text(now()),
                .text(reference.name), .integer(Int64(version)))
            let before = JSONObject([
                ("r_squared", current.document.rSquared.map(JSONValue.number) ?? .null),
                ("mae", current.document.mae.map(JSONValue.number) ?? .null),
                ("rmse", current.document.rmse.map(JSONValue.number) ?? .null),
                ("fingerprint", current.backtestFingerprint.map(JSONValue.string) ?? .null),
            ])
            try audit(db, action: "backtest", table: "formulas", row: result.formula, before: .object(before), after: result.summaryJSON)
        }
    }
}
