import ArgumentParser
import CascadeJSON
import CascadeServer
import CascadeStore

/// `cascade user add | list | deactivate | activate`: the API's users and keys.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage the HTTP API's users and their API keys.",
        subcommands: [UserAddCommand.self, UserListCommand.self, UserDeactivateCommand.self, UserActivateCommand.self])
}

struct UserAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a user and print their API key (shown once; only a salted hash is stored).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The user name (a scenario's `author`).") var name: String
    @Option(help: "admin, calibrator, author or viewer.") var role: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            guard let role = UserRole(rawValue: role) else {
                throw StoreError(.invalidInput, "unknown role `\(role)`", location: "--role",
                                 hint: "roles: \(UserRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let (user, key) = try APIKey.issue(username: name, role: role, in: try store.openStore())
            if store.json {
                guard case .object(var object) = user.publicJSON else { return }
                object["api_key"] = .string(key)
                StoreOutput.printJSON(.object(object))
            } else {
                StoreOutput.note("added \(user.username) (\(user.role.rawValue)); the key is shown only now:")
                StoreOutput.print(key)
            }
        }
    }
}

struct UserListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List users (never their keys).")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let users = try store.openStore().users()
            if store.json {
                StoreOutput.printJSON(.array(users.map(\.publicJSON)))
            } else {
                StoreOutput.print(StoreOutput.table(["name", "role", "key id", "active", "created"],
                                                    users.map { [$0.username, $0.role.rawValue, $0.keyID, $0.isActive ? "yes" : "no", $0.createdAt] }))
            }
        }
    }
}

struct UserDeactivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deactivate", abstract: "Refuse a user's key from now on (audited).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The user name.") var name: String

    func run() throws { try UserActivation.set(name, false, store) }
}

struct UserActivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "activate", abstract: "Accept a deactivated user's key again (audited).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The user name.") var name: String

    func run() throws { try UserActivation.set(name, true, store) }
}

enum UserActivation {
    static func set(_ name: String, _ isActive: Bool, _ store: StoreOptions) throws {
        try StoreOutput.run(json: store.json) {
            let user = try store.openStore().setUserActive(username: name, isActive)
            store.json ? StoreOutput.printJSON(user.publicJSON)
                : StoreOutput.print("\(isActive ? "activated" : "deactivated") \(user.username)")
        }
    }
}
