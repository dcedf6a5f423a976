import CascadeFormula
import CascadeJSON
import CascadeStore

extension Scenario {
    static let keys: Set<String> = [
        "name", "description", "author", "macro_variables", "level_settings", "entity_shocks", "as_of",
        "feedback_rounds", "feedback_tolerance", "feedback_max_rounds", "is_public", "sensitivities",
        "draws", "seed", "correlation", "threshold",
    ]
    static let levelKeys: Set<String> = ["enabled", "damping", "clamp", "max_cycle_rounds", "tolerance", "relaxation"]

    /// Parses and validates a scenario document, reporting every problem with its JSON path.
    /// `defaultAsOf` is used when the document has no `as_of` (the submission date).
    package static func parse(_ json: JSONValue, defaultAsOf: String) throws(ScenarioError) -> Scenario {
        var problems: [Problem] = []
        guard let document = JSONReader(json, what: "a scenario", problems: &problems) else {
            throw ScenarioError(problems: problems)
        }
        if let scenario = read(document, defaultAsOf: defaultAsOf, problems: &problems), problems.isEmpty { return scenario }
        throw ScenarioError(problems: problems)
    }

    /// Reads a scenario with the one document reader; every problem is recorded.
    static func read(_ document: JSONReader, defaultAsOf: String, problems: inout [Problem]) -> Scenario? {
        let before = problems.count
        document.rejectUnknownKeys(keys, problems: &problems)
        func string(_ key: String, required: Bool) -> String? {
            let value = document.string(key, required: required, problems: &problems)
            if let value, value.utf8.count > 1000 {
                problems.append(document.problem(key, "json.too-long", "`\(key)` is longer than 1000 bytes"))
            }
            return value
        }
        let name = string("name", required: true) ?? ""
        let description = string("description", required: false)
        let author = string("author", required: true) ?? ""

        var variables: [String: Double] = [:]
        var distributions: [String: Distribution] = [:]
        var wroteDistribution = false
        if !document.has("macro_variables") {
            problems.append(document.problem("macro_variables", "json.missing", "`macro_variables` is required (an object of variable → value)"))
        } else if let values = document.nested("macro_variables", what: "`macro_variables` (an object of variable → value)", problems: &problems) {
            for key in values.object.keys {
                if key.isEmpty { problems.append(values.problem(key, "scenario.variable", "variable names must not be empty")) }
                if case .object(let object) = values.object[key], isDistribution(object),
                   let reader = values.nested(key, what: "a distribution", problems: &problems) {
                    wroteDistribution = true
                    if let distribution = readDistribution(reader, problems: &problems) {
                        distributions[key] = distribution
                        variables[key] = distribution.mean
                    }
                } else if case .object = values.object[key], let explicit = values.nested(key, what: "an explicit value", problems: &problems) {
                    if let x = explicitUnitValue(explicit, problems: &problems) { variables[key] = x }
                } else if let x = values.number(key, required: true, problems: &problems) {
                    variables[key] = x  // the JSON reader accepts finite numbers only
                }
            }
        }

        var levels: [Int: LevelSettings] = [:]
        if let entries = document.nested("level_settings", what: "`level_settings` (an object keyed by level \"0\" … \"9\")", problems: &problems) {
            for key in entries.object.keys {
                guard let level = Int(key), (0...9).contains(level), String(level) == key else {
                    problems.append(entries.problem(key, "scenario.level", "unknown level `\(key)`; levels are 0 to 9"))
                    continue
                }
                if let entry = entries.nested(key, what: "a level's settings", problems: &problems) {
                    levels[level] = readLevel(entry, problems: &problems)
                } else if entries.object[key] == .null {
                    problems.append(entries.problem(key, "json.type", "a level's settings must be an object, not null"))
                }
            }
        }

        var shocks: [String: Double] = [:]
        if let entries = document.nested("entity_shocks", what: "`entity_shocks` (an object of entity id → relative impact)", problems: &problems) {
            for key in entries.object.keys {
                guard let x = entries.number(key, required: true, problems: &problems) else { continue }
                if x < -1 || x > 1 {
                    problems.append(entries.problem(key, "scenario.shock", "a shock is a relative impact between -1 and 1, not \(JSNumber.format(x))"))
                }
                shocks[key] = x
            }
        }

        var asOf = defaultAsOf
        if let value = string("as_of", required: false) {
            if CalendarDate(value) == nil {
                problems.append(document.problem("as_of", "json.date", "`\(value)` is not a date; write YYYY-MM-DD"))
            } else {
                asOf = value
            }
        }

        var feedbackRounds = 0
        var feedbackConvergence: FeedbackConvergence?
        let limit = Scenario.feedbackRoundsLimit
        switch document.object["feedback_rounds"] {
        case .string("converge")?:
            feedbackConvergence = FeedbackConvergence()
            feedbackRounds = limit
        case .number(let x)?:
            if x != x.rounded() || x < 0 || x > Double(limit) {
                problems.append(document.problem("feedback_rounds", "json.range", "`feedback_rounds` must be a whole number from 0 to \(limit), or \"converge\""))
            } else {
                feedbackRounds = Int(x)
            }
        case nil, .null?: break
        case let other?:
            problems.append(document.problem("feedback_rounds", "json.type", "`feedback_rounds` must be a whole number from 0 to \(limit) or \"converge\", not "
                                             + (other.stringValue.map { "`\($0)`" } ?? other.typeName)))
        }
        for key in ["feedback_tolerance", "feedback_max_rounds"] where document.has(key) {
            guard feedbackConvergence != nil else {
                problems.append(document.problem(key, "scenario.feedback", "`\(key)` applies only with \"feedback_rounds\": \"converge\""))
                continue
            }
            if key == "feedback_tolerance" {
                guard let x = document.number(key, problems: &problems) else { continue }
                if x <= 0 || x > 1 {
                    problems.append(document.problem(key, "json.range", "`\(key)` must be greater than 0 and at most 1"))
                } else {
                    feedbackConvergence?.tolerance = x
                }
            } else if let rounds = document.integer(key, in: 1...limit, problems: &problems) {
                feedbackRounds = rounds
            }
        }

        let isPublic = document.bool("is_public", problems: &problems) ?? false

        let sensitivities = document.bool("sensitivities", problems: &problems) ?? false
        let monteCarlo = readMonteCarlo(document, distributions: distributions, wroteDistribution: wroteDistribution, problems: &problems)

        guard problems.count == before else { return nil }
        var scenario = Scenario(name: name, author: author, macroVariables: variables, asOf: asOf, description: description,
                                levelSettings: levels, entityShocks: shocks, feedbackRounds: feedbackRounds,
                                feedbackConvergence: feedbackConvergence, isPublic: isPublic)
        scenario.sensitivities = sensitivities
        scenario.monteCarlo = monteCarlo
        return scenario
    }

    /// Units a variable's value may be written in (`{"value": 2.5, "unit": "%"}`), and what to
    /// divide by for the decimals the scenario stores (a division, so 2.5 % is exactly `0.025`).
    static let explicitUnits: [(names: [String], divisor: Double)] = [
        (["%", "percent"], 100), (["bp", "bps"], 10_000), (["decimal"], 1),
    ]

    /// `{"value": 2.5, "unit": "%"}` → 0.025.
    private static func explicitUnitValue(_ explicit: JSONReader, problems: inout [Problem]) -> Double? {
        explicit.rejectUnknownKeys(["value", "unit"], example: #"a value with its unit is {"value": 2.5, "unit": "%"}"#, problems: &problems)
        let known = explicitUnits.flatMap(\.names)
        var divisor: Double?
        if !explicit.has("unit") {
            problems.append(explicit.problem("unit", "json.missing", "`unit` is required with an explicit value",
                                             hint: "one of " + known.map { "\"\($0)\"" }.joined(separator: ", ")))
        } else if let unit = explicit.choice("unit", among: known, problems: &problems) {
            divisor = explicitUnits.first { $0.names.contains(unit) }?.divisor
        }
        let value = explicit.number("value", required: true, problems: &problems)
        guard let value, let divisor else { return nil }
        return value / divisor
    }
    /// The variables whose value the document gives with an explicit unit (so a decimal that looks
    /// implausible for its unit was meant).
    package static func variablesWithExplicitUnits(in document: JSONValue) -> Set<String> {
        guard case .object(let values)? = document["macro_variables"] else { return [] }
        // A distribution counts as explicit when its parameters give their unit.
        return Set(values.pairs.compactMap { pair in
            guard case .object(let object) = pair.value else { return nil }
            guard isDistribution(object) else { return pair.key }
            return object.pairs.contains { if case .object(let parameters) = $0.value { parameters.keys.contains("unit") } else { false } } ? pair.key : nil
        })
    }

    private static func readLevel(_ entry: JSONReader, problems: inout [Problem]) -> LevelSettings {
        var settings = LevelSettings()
        entry.rejectUnknownKeys(levelKeys, what: "level setting", problems: &problems)
        if let enabled = entry.bool("enabled", problems: &problems) { settings.isEnabled = enabled }
        if let x = entry.number("damping", problems: &problems) {
            if x < 0 || x > LevelSettings.dampingLimit {
                problems.append(entry.problem("damping", "json.range", "`damping` must be between 0 and \(JSNumber.format(LevelSettings.dampingLimit))"))
            } else {
                settings.damping = x
            }
        }
        if let bounds = entry.array("clamp", problems: &problems) {
            let at = entry.path.appending("clamp")
            if bounds.count != 2 {
                problems.append(entry.problem("clamp", "json.type", "`clamp` must be [lower, upper]"))
            } else {
                var values: [Double] = []
                for (k, bound) in bounds.enumerated() {
                    if case .number(let x) = bound { values.append(x) } else {
                        problems.append(Problem(path: JSONReader.place(entry.file, at.appending(k)), code: "json.type",
                                                message: "a clamp bound must be a number, not \(bound.typeName)"))
                    }
                }
                if values.count == 2 {
                    let (lo, hi) = (values[0], values[1])
                    let limit = LevelSettings.clampLimit
                    let outside = values.indices.filter { abs(values[$0]) > limit }
                    for k in outside {
                        problems.append(Problem(path: JSONReader.place(entry.file, at.appending(k)), code: "json.range",
                                                message: "a clamp bound is a relative impact from \(JSNumber.format(-limit)) to \(JSNumber.format(limit)), so contributions stay finite"))
                    }
                    if lo > 0 || hi < 0 || lo >= hi {
                        problems.append(entry.problem("clamp", "json.range", "`clamp` must satisfy lower ≤ 0 ≤ upper and lower < upper"))
                    } else if outside.isEmpty {
                        settings.clamp = lo...hi
                    }
                }
            }
        }
        if let rounds = entry.integer("max_cycle_rounds", in: 1...10_000, problems: &problems) { settings.maxCycleRounds = rounds }
        for key in ["tolerance", "relaxation"] {
            guard let x = entry.number(key, problems: &problems) else { continue }
            if x <= 0 || x > 1 {
                problems.append(entry.problem(key, "json.range", "`\(key)` must be greater than 0 and at most 1"))
            } else if key == "tolerance" {
                settings.tolerance = x
            } else {
                settings.relaxation = x
            }
        }
        return settings
    }

    /// The scenario as its canonical JSON document (what is stored and fingerprinted).
    package var json: JSONValue {
        var object = JSONObject()
        object["name"] = .string(name)
        if let description { object["description"] = .string(description) }
        object["author"] = .string(author)
        object["macro_variables"] = .object(JSONObject(macroVariables.sorted { JSONObject.canonicalOrder($0.key, $1.key) }.map {
            ($0.key, monteCarlo?.distributions[$0.key].map(Self.distributionJSON) ?? .number($0.value))
        }))
        if !levelSettings.isEmpty {
            object["level_settings"] = .object(JSONObject(levelSettings.sorted { $0.key < $1.key }.map { level, s in
                (String(level), .object(JSONObject([
                    ("enabled", .bool(s.isEnabled)), ("damping", .number(s.damping)),
                    ("clamp", .array([.number(s.clamp.lowerBound), .number(s.clamp.upperBound)])),
                    ("max_cycle_rounds", .number(Double(s.maxCycleRounds))), ("tolerance", .number(s.tolerance)),
                    ("relaxation", .number(s.relaxation)),
                ])))
            }))
        }
        if !entityShocks.isEmpty {
            object["entity_shocks"] = .object(JSONObject(entityShocks.sorted { JSONObject.canonicalOrder($0.key, $1.key) }.map { ($0.key, .number($0.value)) }))
        }
        object["as_of"] = .string(asOf)
        if let feedbackConvergence {
            object["feedback_rounds"] = .string("converge")
            object["feedback_tolerance"] = .number(feedbackConvergence.tolerance)
            object["feedback_max_rounds"] = .number(Double(feedbackRounds))
        } else {
            object["feedback_rounds"] = .number(Double(feedbackRounds))
        }
        object["is_public"] = .bool(isPublic)
        if sensitivities { object["sensitivities"] = .bool(true) }  // absent when off: older documents are unchanged
        writeMonteCarlo(into: &object)  // absent for a point scenario
        return .object(object)
    }
}

/// A proleptic Gregorian calendar date, compared as (year, month, day).
struct CalendarDate: Comparable, Hashable, Sendable {
    var year: Int, month: Int, day: Int

    /// A `YYYY-MM-DD` date as the store reads it (year 1 or later; `0000-01-01` is not a date).
    init?(_ text: String) {
        guard let date = CascadeStore.CalendarDate.parse(text) else { return nil }
        (year, month, day) = date
    }

    static func < (a: CalendarDate, b: CalendarDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}
