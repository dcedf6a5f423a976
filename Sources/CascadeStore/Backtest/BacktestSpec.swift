import CascadeFormula
import CascadeJSON

/// One series of stored history a backtest reads: a `macro_data` variable, an active sector
/// coefficient, or a `financial_data` column of one entity — optionally differenced and scaled.
package struct HistorySeries: Sendable, Equatable {
    package enum Source: Sendable, Equatable, CustomStringConvertible {
        /// `macro_data` rows of one variable.
        case macro(String)
        /// The active `sector_coefficients` rows of one type and sector, by effective date.
        case coefficient(type: String, sector: String)
        /// One numeric `financial_data` column of one entity (its world-file id).
        case financial(entity: String, metric: String)

        package var description: String {
            switch self {
            case .macro(let name): "macro `\(name)`"
            case .coefficient(let type, let sector): "coefficient `\(type)` of `\(sector)`"
            case .financial(let entity, let metric): "financial `\(metric)` of `\(entity)`"
            }
        }
    }

    /// Period over period, between a point and the one before it in the series.
    package enum Transform: String, Sendable, CaseIterable {
        case value, change
        case pctChange = "pct_change"
    }

    package var source: Source
    package var transform: Transform
    /// Multiplies the (transformed) value.
    package var scale: Double
    /// Where the series is written in its spec, e.g. `$.bindings.gdpGrowth`.
    package var path: String

    static let keys: Set<String> = ["macro", "coefficient", "sector", "financial", "transform", "scale"]

    /// Reads `{"macro": NAME}`, `{"coefficient": TYPE, "sector": S}` or
    /// `{"financial": {"entity": ID, "metric": COLUMN}}`, each with optional `transform` and `scale`.
    static func decode(_ value: JSONValue, at path: JSONPath, file: String?, problems: inout [Problem]) -> HistorySeries? {
        guard let reader = JSONReader(value, at: path, file: file, what: "a series", problems: &problems) else { return nil }
        let before = problems.count
        reader.rejectUnknownKeys(keys, problems: &problems)
        let kinds = ["macro", "coefficient", "financial"].filter { reader.object[$0] != nil }
        var source: Source?
        if kinds.count != 1 {
            problems.append(Problem(path: JSONReader.place(file, path), code: "backtest.series",
                                    message: kinds.isEmpty ? "a series needs one of `macro`, `coefficient` or `financial`"
                                        : "a series reads one source, not \(kinds.map { "`\($0)`" }.joined(separator: " and "))",
                                    hint: #"e.g. {"macro": "us_real_gdp", "transform": "pct_change"}"#))
        } else if let name = reader.string("macro", required: kinds[0] == "macro", maxLength: 100, problems: &problems) {
            source = .macro(name)
        } else if let type = reader.string("coefficient", required: kinds[0] == "coefficient", maxLength: 100, problems: &problems) {
            if let sector = reader.string("sector", required: true, maxLength: 100, problems: &problems) {
                source = .coefficient(type: type, sector: sector)
            }
        } else if let financial = reader.object("financial", problems: &problems),
                  let inner = JSONReader(.object(financial), at: path.appending("financial"), file: file, what: "`financial`", problems: &problems) {
            inner.rejectUnknownKeys(["entity", "metric"], problems: &problems)
            let entity = inner.string("entity", required: true, problems: &problems)
            let metric = inner.string("metric", required: true, problems: &problems)
            if let metric, !FinancialDatum.numericColumns.contains(metric) {
                problems.append(inner.problem("metric", "backtest.metric", "`\(metric)` is not a financial_data column",
                                              hint: "one of " + FinancialDatum.numericColumns.joined(separator: ", ")))
            } else if let entity, let metric {
                source = .financial(entity: entity, metric: metric)
            }
        }
        if kinds != ["coefficient"], reader.object["sector"] != nil {
            problems.append(reader.problem("sector", "backtest.series", "`sector` belongs to a `coefficient` series"))
        }
        var transform = Transform.value
        if let name = reader.string("transform", problems: &problems) {
            if let known = Transform(rawValue: name) {
                transform = known
            } else {
                problems.append(reader.problem("transform", "backtest.transform", "unknown transform `\(name)`",
                                               hint: "one of " + Transform.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")))
            }
        }
        let scale = reader.number("scale", problems: &problems) ?? 1
        guard problems.count == before, let source else { return nil }
        return HistorySeries(source: source, transform: transform, scale: scale, path: JSONReader.place(file, path))
    }
}

/// How to evaluate a formula version over stored history, and what it should have predicted
/// (docs/formats.md, "Backtest spec").
package struct BacktestSpec: Sendable, Equatable {
    /// What a formula parameter is bound to on each evaluation date.
    package enum Binding: Sendable, Equatable {
        case constant(Value)
        case series(HistorySeries)
    }

    /// nil inside a formula document's `backtest`, where the formula is the document itself.
    package var formula: FormulaReference?
    package var from: String
    package var to: String
    /// Parameter name → binding, in spec order.
    package var bindings: [(name: String, binding: Binding, path: String)]
    /// The series the formula should have predicted; its dates in the window are the evaluation dates.
    package var observed: HistorySeries
    /// The spec as written (stored with the measured numbers).
    package var json: JSONValue
    /// Where the spec sits (`$` or `$.backtest`, after a file name), for messages.
    package var path: JSONPath
    package var file: String?

    package static func == (a: BacktestSpec, b: BacktestSpec) -> Bool { a.json == b.json && a.path == b.path && a.file == b.file }

    static let keys: Set<String> = ["formula", "from", "to", "bindings", "observed"]

    /// Reads a spec, collecting every problem with its JSON path; `embedded` (a formula
    /// document's `backtest`) makes `formula` optional.
    package static func decode(_ value: JSONValue, at path: JSONPath = .root, file: String? = nil, embedded: Bool = false,
                              problems: inout [Problem]) -> BacktestSpec? {
        guard let reader = JSONReader(value, at: path, file: file, what: "a backtest spec", problems: &problems) else { return nil }
        let before = problems.count
        reader.rejectUnknownKeys(keys, problems: &problems)
        var formula: FormulaReference?
        if let text = reader.string("formula", required: !embedded, maxLength: 300, problems: &problems) {
            formula = FormulaReference(text)
            if formula == nil {
                problems.append(reader.problem("formula", "backtest.formula", "`\(text)` is not a formula reference",
                                               hint: "write NAME or NAME@VERSION, e.g. gdp_sector_impact@1"))
            }
        }
        let from = reader.date("from", required: true, acceptQuarters: true, problems: &problems)
        let to = reader.date("to", required: true, acceptQuarters: true, problems: &problems)
        if let from, let to, from > to {
            problems.append(reader.problem("to", "backtest.window", "`to` (\(to)) is before `from` (\(from))"))
        }
        var bindings: [(name: String, binding: Binding, path: String)] = []
        for (name, raw) in reader.object("bindings", problems: &problems) ?? JSONObject() {
            let at = path.appending("bindings").appending(name)
            switch raw {
            case .object:
                if let series = HistorySeries.decode(raw, at: at, file: file, problems: &problems) {
                    bindings.append((name, .series(series), JSONReader.place(file, at)))
                }
            case .array:
                problems.append(Problem(path: JSONReader.place(file, at), code: "backtest.binding",
                                        message: "binding `\(name)` is an array; a binding is a constant or a series"))
            default:
                if let value = FormulaCheck.value(raw) { bindings.append((name, .constant(value), JSONReader.place(file, at))) }
            }
        }
        if reader.object["bindings"] == nil {
            problems.append(reader.problem("bindings", "json.missing", "`bindings` is required"))
        }
        var observed: HistorySeries?
        if let raw = reader.object["observed"] {
            observed = HistorySeries.decode(raw, at: path.appending("observed"), file: file, problems: &problems)
        } else {
            problems.append(reader.problem("observed", "json.missing", "`observed` is required"))
        }
        guard problems.count == before, let from, let to, let observed else { return nil }
        return BacktestSpec(formula: formula, from: from, to: to, bindings: bindings, observed: observed, json: value,
                            path: path, file: file)
    }
}
