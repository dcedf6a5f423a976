import CascadeJSON
import CascadeStore

extension API {
    static let evalEndpoints: [Endpoint] = [
        Endpoint(method: .post, path: "/v1/eval", access: .everyone, hasBody: true,
                 summary: "Evaluate a formula against bindings") { call in
            let request = try BodyReader.read(call.document) { body, problems in
                FormulaEvaluation.Request.read(body, problems: &problems)
            }
            return .json(request.evaluated())
        },
    ]
}
