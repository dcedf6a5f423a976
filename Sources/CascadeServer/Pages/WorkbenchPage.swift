import HTTPTypes
import Hummingbird
import NIOCore

/// The browser workbench of `cascade serve` at `GET /`: a page over the same API as every other
/// client. The key is typed once, kept in the tab's `sessionStorage` and sent as the
/// `Authorization` header (never in a URL); the page asks `GET /v1/me` for the key's role and
/// draws only the controls that role may use, while the API enforces the same rules anyway.
///
/// The page, its script and its stylesheet are constants compiled into the binary and served from
/// this origin only (`/assets/…`), so the Content-Security-Policy can be strict: no inline script
/// or style, nothing from another origin, no framing, no form posts. A result is drawn by the
/// report's own renderer (`ReportRenderer`), from the same data document (`GET
/// /v1/scenarios/{id}/report`), so the workbench and `cascade report` show the same views.
enum WorkbenchPage {
    /// The page's policy: its own script, style, icon and API calls, and nothing else.
    static let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// Path → (content type, body) of everything the page is made of.
    static let files: [(path: String, contentType: String, body: String)] = [
        ("/", "text/html; charset=utf-8", html),
        ("/assets/workbench.js", "text/javascript; charset=utf-8", ReportRenderer.script + script + formulasScript),
        ("/assets/workbench.css", "text/css; charset=utf-8", ReportRenderer.style + style + formulasStyle),
        ("/assets/favicon.svg", "image/svg+xml", icon),
    ]

    /// Serves `files` (GET; HEAD comes with it) with the page's policy.
    static func add(to router: Router<BasicRequestContext>) {
        for file in files {
            let buffer = ByteBuffer(string: file.body)
            router.get(RouterPath(file.path)) { _, _ -> Response in
                var headers = HTTPFields()
                headers[.contentType] = file.contentType
                headers[.contentSecurityPolicy] = policy
                headers[.cacheControl] = "no-cache"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: buffer))
            }
        }
    }

    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Cascade workbench</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/assets/workbench.css">
        <script src="/assets/workbench.js" defer></script>
        </head>
        <body>
        <header id="bar"><strong>Cascade</strong> <span class="muted">workbench</span> <span id="who"></span>
        <button id="logout" type="button" hidden>Sign out</button></header>
        <main id="workbench">
        <noscript><p>The workbench needs JavaScript; the API it uses is described in docs/openapi.json.</p></noscript>
        <form id="login" hidden>
        <h1>Sign in</h1>
        <p class="muted">Your API key (from <code>cascade user add NAME --role ROLE</code>) stays in this tab only.</p>
        <p><input id="key" type="password" autocomplete="off" spellcheck="false" placeholder="API key" aria-label="API key">
        <button id="login-button" type="submit">Sign in</button></p>
        <p id="login-error" class="errors"></p>
        </form>
        <div id="app" hidden>
        <aside id="scenarios">
        <h2>Scenarios</h2>
        <p><input id="scenario-search" type="search" placeholder="search by name or author" aria-label="search scenarios"></p>
        <ul id="scenario-list"></ul>
        </aside>
        <section id="detail"><p class="muted">Choose a scenario.</p></section>
        </div>
        </main>
        </body>
        </html>

        """

    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="4" cy="4" r="3" fill="#1a7f37"/>\
        <circle cx="12" cy="8" r="3" fill="#cf222e"/><circle cx="6" cy="13" r="2" fill="#0969da"/></svg>
        """
}
