import CascadeFormula
import CascadeJSON
import CascadeStore

extension Scenario {
    static let keys: Set<String> = [
        "name", "description", "author", "macro_variables", "level_settings", "entity_shocks", "as_of",
        "feedback_rounds", "feedback_tolerance", "feedback_max_rounds", "is_public", "sensitivities",
    ]
    static let levelKeys: Set<String> = ["enabled", "damping", "clamp", "max_cycle_rounds", "tolerance", "relaxation"]

    /// Parses and validates a scenario document, reporting every problem with its JSON path.
    /// `defaultAsOf` is used when the document has no `as_of` (the submission date).
    public static func parse(_ json: JSONValue, defaultAsOf: String) throws(ScenarioError) -> Scenario {
        var problems: [ScenarioError.Problem] = []
        func problem(_ path: JSONPath, _ message: String) {
            problems.append(.init(path: path.description, message: message))
        }
        guard case .object(let object) = json else {
            throw ScenarioError(problems: [.init(path: "$", message: "a scenario is a JSON object, not \(json.typeName)")])
        }
        let root = JSONPath.root
        for key in object.keys where !keys.contains(key) {
            problem(root.appending(key), "unknown key"
                    + (Suggestion.closest(to: key, among: keys.sorted()).map { " (did you mean `\($0)`?)" } ?? ""))
        }
        func string(_ key: String, required: Bool) -> String? {
            switch object[key] {
            case .string(let s)?:
                if s.isEmpty && required { problem(root.appending(key), "must not be empty") }
                if s.utf8.count > 1000 { problem(root.appending(key), "is longer than 1000 bytes") }
                return s
            case nil, .null?:
                if required { problem(root.appending(key), "is required") }
                return nil
            case let other?:
                problem(root.appending(key), "must be a string, not \(other.typeName)")
                return nil
            }
        }
        func number(_ value: JSONValue, _ path: JSONPath) -> Double? {
            guard case .number(let x) = value else {
                problem(path, "must be a number, not \(value.typeName)")
                return nil
            }
            return x  // the JSON reader accepts finite numbers only
        }

        let name = string("name", required: true) ?? ""
        let description = string("description", required: false)
        let author = string("author", required: true) ?? ""

        var variables: [String: Double] = [:]
        switch object["macro_variables"] {
        case .object(let values)?:
            for (key, value) in values {
                let path = root.appending("macro_variables").appending(key)
                if key.isEmpty { problem(path, "variable names must not be empty") }
                if case .object(let explicit) = value {
                    if let x = explicitUnitValue(explicit, path, problem: problem, number: number) { variables[key] = x }
                } else if let x = number(value, path) {
                    variables[key] = x
                }
            }
        case nil:
            problem(root.appending("macro_variables"), "is required (an object of variable → value)")
        case let other?:
            problem(root.appending("macro_variables"), "must be an object of variable → value, not \(other.typeName)")
        }

        var levels: [Int: LevelSettings] = [:]
        if let value = object["level_settings"], value != .null {
            if case .object(let entries) = value {
                for (key, entry) in entries {
                    let path = root.appending("level_settings").appending(key)
                    guard let level = Int(key), (0...9).contains(level), String(level) == key else {
                        problem(path, "unknown level `\(key)`; levels are 0 to 9")
                        continue
                    }
                    levels[level] = parseLevel(entry, path, problem: problem, number: number)
                }
            } else {
                problem(root.appending("level_settings"), "must be an object keyed by level (\"0\" … \"9\")")
            }
        }

        var shocks: [String: Double] = [:]
        if let value = object["entity_shocks"], value != .null {
            if case .object(let entries) = value {
                for (key, entry) in entries {
                    let path = root.appending("entity_shocks").appending(key)
                    if let x = number(entry, path) {
                        if x < -1 || x > 1 { problem(path, "a shock is a relative impact between -1 and 1") }
                        shocks[key] = x
                    }
                }
            } else {
                problem(root.appending("entity_shocks"), "must be an object of entity id → relative impact")
            }
        }

        var asOf = defaultAsOf
        if let value = string("as_of", required: false) {
            if CalendarDate(value) == nil {
                problem(root.appending("as_of"), "`\(value)` is not a date; write YYYY-MM-DD")
            } else {
                asOf = value
            }
        }

        var feedbackRounds = 0
        var feedbackConvergence: FeedbackConvergence?
        let limit = Scenario.feedbackRoundsLimit
        switch object["feedback_rounds"] {
        case .string("converge")?:
            feedbackConvergence = FeedbackConvergence()
            feedbackRounds = limit
        case .number(let x)?:
            if x != x.rounded() || x < 0 || x > Double(limit) {
                problem(root.appending("feedback_rounds"), "must be a whole number from 0 to \(limit), or \"converge\"")
            } else {
                feedbackRounds = Int(x)
            }
        case nil, .null?: break
        case let other?:
            problem(root.appending("feedback_rounds"), "must be a whole number from 0 to \(limit) or \"converge\", not "
                    + (other.stringValue.map { "`\($0)`" } ?? other.typeName))
        }
        for key in ["feedback_tolerance", "feedback_max_rounds"] {
            guard let value = object[key], value != .null else { continue }
            let path = root.appending(key)
            guard feedbackConvergence != nil else {
                problem(path, "applies only with \"feedback_rounds\": \"converge\"")
                continue
            }
            guard let x = number(value, path) else { continue }
            if key == "feedback_tolerance" {
                if x <= 0 || x > 1 { problem(path, "must be greater than 0 and at most 1") } else { feedbackConvergence?.tolerance = x }
            } else if x != x.rounded() || x < 1 || x > Double(limit) {
                problem(path, "must be a whole number from 1 to \(limit)")
            } else {
                feedbackRounds = Int(x)
            }
        }

        var isPublic = false
        switch object["is_public"] {
        case .bool(let b)?: isPublic = b
        case nil, .null?: break
        case let other?: problem(root.appending("is_public"), "must be true or false, not \(other.typeName)")
        }

        var sensitivities = false
        switch object["sensitivities"] {
        case .bool(let b)?: sensitivities = b
        case nil, .null?: break
        case let other?: problem(root.appending("sensitivities"), "must be true or false, not \(other.typeName)")
        }

        if !problems.isEmpty { throw ScenarioError(problems: problems) }
        var scenario = Scenario(name: name, author: author, macroVariables: variables, asOf: asOf, description: description,
                                levelSettings: levels, entityShocks: shocks, feedbackRounds: feedbackRounds,
                                feedbackConvergence: feedbackConvergence, isPublic: isPublic)
        scenario.sensitivities = sensitivities
        return scenario
    }

    /// Units a variable's value may be written in (`{"value": 2.5, "unit": "%"}`), and what to
    /// divide by for the decimals the scenario stores (a division, so 2.5 % is exactly `0.025`).
    static let explicitUnits: [(names: [String], divisor: Double)] = [
        (["%", "percent"], 100), (["bp", "bps"], 10_000), (["decimal"], 1),
    ]

    /// `{"value": 2.5, "unit": "%"}` → 0.025.
    private static func explicitUnitValue(_ object: JSONObject, _ path: JSONPath, problem: (JSONPath, String) -> Void,
                                          number: (JSONValue, JSONPath) -> Double?) -> Double? {
        for key in object.keys where key != "value" && key != "unit" {
            problem(path.appending(key), "unknown key; a value with its unit is {\"value\": 2.5, \"unit\": \"%\"}")
        }
        let known = explicitUnits.flatMap(\.names)
        guard case .string(let unit)? = object["unit"] else {
            problem(path.appending("unit"), "is required with an explicit value: one of \(known.map { "\"\($0)\"" }.joined(separator: ", "))")
            return nil
        }
        guard let divisor = explicitUnits.first(where: { $0.names.contains(unit) })?.divisor else {
            problem(path.appending("unit"), "unknown unit `\(unit)`; known: \(known.joined(separator: ", "))"
                    + (Suggestion.closest(to: unit, among: known).map { " (did you mean `\($0)`?)" } ?? ""))
            return nil
        }
        guard let value = object["value"] else {
            problem(path.appending("value"), "is required")
            return nil
        }
        return number(value, path.appending("value")).map { $0 / divisor }
    }

    /// The variables whose value the document gives with an explicit unit (so a decimal that looks
    /// implausible for its unit was meant).
    public static func variablesWithExplicitUnits(in document: JSONValue) -> Set<String> {
        guard case .object(let values)? = document["macro_variables"] else { return [] }
        return Set(values.pairs.compactMap { if case .object = $0.value { $0.key } else { nil } })
    }

    private static func parseLevel(_ value: JSONValue, _ path: JSONPath, problem: (JSONPath, String) -> Void,
                                   number: (JSONValue, JSONPath) -> Double?) -> LevelSettings {
        var settings = LevelSettings()
        guard case .object(let entry) = value else {
            problem(path, "must be an object of settings")
            return settings
        }
        for (key, field) in entry {
            let at = path.appending(key)
            switch key {
            case "enabled":
                if case .bool(let b) = field { settings.isEnabled = b } else { problem(at, "must be true or false") }
            case "damping":
                if let x = number(field, at) {
                    if x < 0 || x > LevelSettings.dampingLimit {
                        problem(at, "must be between 0 and \(JSNumber.format(LevelSettings.dampingLimit))")
                    } else {
                        settings.damping = x
                    }
                }
            case "clamp":
                guard case .array(let bounds) = field, bounds.count == 2 else {
                    problem(at, "must be [lower, upper]")
                    continue
                }
                if let lo = number(bounds[0], at.appending(0)), let hi = number(bounds[1], at.appending(1)) {
                    let limit = LevelSettings.clampLimit
                    let outside = [lo, hi].indices.filter { abs([lo, hi][$0]) > limit }
                    for k in outside {
                        problem(at.appending(k), "a clamp bound is a relative impact from \(JSNumber.format(-limit)) to \(JSNumber.format(limit)), so contributions stay finite")
                    }
                    if lo > 0 || hi < 0 || lo >= hi {
                        problem(at, "must satisfy lower ≤ 0 ≤ upper and lower < upper")
                    } else if outside.isEmpty {
                        settings.clamp = lo...hi
                    }
                }
            case "max_cycle_rounds":
                if let x = number(field, at) {
                    if x != x.rounded() || x < 1 || x > 10_000 { problem(at, "must be a whole number from 1 to 10000") }
                    else { settings.maxCycleRounds = Int(x) }
                }
            case "tolerance":
                if let x = number(field, at) {
                    if x <= 0 || x > 1 { problem(at, "must be greater than 0 and at most 1") } else { settings.tolerance = x }
                }
            case "relaxation":
                if let x = number(field, at) {
                    if x <= 0 || x > 1 { problem(at, "must be greater than 0 and at most 1") } else { settings.relaxation = x }
                }
            default:
                problem(at, "unknown level setting; known: \(levelKeys.sorted().joined(separator: ", "))")
            }
        }
        return settings
    }

    /// The scenario as its canonical JSON document (what is stored and fingerprinted).
    public var json: JSONValue {
        var object = JSONObject()
        object["name"] = .string(name)
        if let description { object["description"] = .string(description) }
        object["author"] = .string(author)
        object["macro_variables"] = .object(JSONObject(macroVariables.sorted { JSONObject.canonicalOrder($0.key, $1.key) }.map { ($0.key, .number($0.value)) }))
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
