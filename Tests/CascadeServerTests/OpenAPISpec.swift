import CascadeJSON
import Foundation
import Testing

/// `docs/openapi.json`, and a checker of real responses against it: the status must be one the
/// operation declares, and a JSON body must match the declared schema (the subset of JSON Schema
/// the description uses: type, properties, required, additionalProperties, items, enum, allOf, $ref).
struct OpenAPISpec {
    let root: JSONValue

    static let shared: OpenAPISpec = {
        let url = Cascade.packageRoot.appendingPathComponent("docs/openapi.json")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? "{}"
        return OpenAPISpec(root: (try? JSONValue.parse(text)) ?? .object(JSONObject()))
    }()

    /// Every operation as `METHOD path`.
    var operations: Set<String> {
        var out: Set<String> = []
        for (path, item) in root["paths"]?.objectValue ?? JSONObject() {
            for (method, _) in item.objectValue ?? JSONObject() where method != "parameters" {
                out.insert("\(method.uppercased()) \(path)")
            }
        }
        return out
    }

    /// Problems with `reply` as the answer of `method path` (a path template such as `/v1/runs/{id}`).
    func problems(_ method: String, _ path: String, _ reply: TestServer.Reply) -> [String] {
        guard let operation = root["paths"]?[path]?[method.lowercased()] else { return ["\(method) \(path) is not in the spec"] }
        guard let response = operation["responses"]?[String(reply.status)] else {
            return ["\(method) \(path): status \(reply.status) is not declared (body: \(reply.body.prefix(300)))"]
        }
        guard let schema = response["content"]?["application/json"]?["schema"] else {
            if response["content"]?["text/plain"] != nil {  // /metrics: Prometheus' text format
                return reply.headers["Content-Type"].first?.hasPrefix("text/plain") == true ? []
                    : ["\(method) \(path) \(reply.status): not text/plain as the spec declares"]
            }
            return reply.body.isEmpty ? [] : ["\(method) \(path) \(reply.status): a body where the spec declares none"]
        }
        guard let json = reply.json else { return ["\(method) \(path) \(reply.status): the body is not JSON: \(reply.body.prefix(200))"] }
        var problems: [String] = []
        validate(json, schema, at: "$", into: &problems)
        return problems.map { "\(method) \(path) \(reply.status): \($0)" }
    }

    private func resolve(_ schema: JSONValue) -> JSONValue {
        guard let ref = schema["$ref"]?.stringValue else { return schema }
        let name = String(ref.split(separator: "/").last ?? "")
        return root["components"]?["schemas"]?[name] ?? .null
    }

    private func validate(_ value: JSONValue, _ rawSchema: JSONValue, at path: String, into problems: inout [String]) {
        let schema = resolve(rawSchema)
        for part in schema["allOf"]?.arrayValue ?? [] { validate(value, part, at: path, into: &problems) }
        if let types = schema["type"] {
            let allowed = types.arrayValue?.compactMap(\.stringValue) ?? [types.stringValue ?? ""]
            guard allowed.contains(where: { matches(value, $0) }) else {
                problems.append("\(path): \(value.typeName) where the spec says \(allowed.joined(separator: " or "))")
                return
            }
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            problems.append("\(path): \(value.serialized()) is not one of \(JSONValue.array(options).serialized())")
        }
        if case .object(let object) = value {
            let properties = schema["properties"]?.objectValue ?? JSONObject()
            for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[required] == nil {
                problems.append("\(path): missing required `\(required)`")
            }
            for (key, member) in object {
                if let property = properties[key] {
                    validate(member, property, at: "\(path).\(key)", into: &problems)
                } else if schema["additionalProperties"] == .bool(false) {
                    problems.append("\(path): `\(key)` is not in the spec")
                } else if let additional = schema["additionalProperties"], additional.objectValue != nil {
                    validate(member, additional, at: "\(path).\(key)", into: &problems)
                }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() { validate(item, itemSchema, at: "\(path)[\(i)]", into: &problems) }
        }
    }

    private func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): true
        case ("integer", .number(let x)): x == x.rounded()
        default: false
        }
    }
}
