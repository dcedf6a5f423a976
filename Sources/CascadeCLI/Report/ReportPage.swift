import CascadeServer

/// A report as one self-contained HTML file: a static skeleton, one inline style, one inline
/// script, and the data as JSON in a `<script type="application/json">` block that the script
/// renders from.
///
/// Nothing in the page refers to another resource — no URL in `src` or `href`, no web font, no
/// CDN — so it opens offline, attached to an email or printed to PDF. The charts are SVG drawn by
/// the script (hand-written; no charting library: the page needs bars, a waterfall and a column
/// layout of circles and curves, which are a few dozen lines each, and a vendored library would be
/// the largest and least-reviewed part of the file). The style and the script are constants
/// compiled into the binary, the same bytes for every report, so a Content-Security-Policy can
/// allow them by hash (as `cascade serve` will); only the data block differs.
struct ReportPage {
    let data: ReportData

    var html: String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="cascade report">
        <title>Cascade report</title>
        <style>\(Self.style)</style>
        </head>
        <body>
        <main id="report">
        <noscript><p>This report draws its charts with JavaScript, which is turned off; the result is in the page source as JSON.</p></noscript>
        </main>
        <script type="application/json" id="report-data">\(data.text)</script>
        <script>\(Self.script)</script>
        </body>
        </html>

        """
    }

    /// The page's stylesheet: the renderer's.
    static let style = ReportRenderer.style

    /// The page's one script: the shared renderer, then a few lines that draw the data block into
    /// `#report` and mark the page rendered (`data-rendered`), or show the error.
    static let script = ReportRenderer.script + #"""
(function () {
  "use strict";
  try {
    var data = JSON.parse(document.getElementById("report-data").textContent);
    CascadeReport.render(document.getElementById("report"), data, { standalone: true });
    document.documentElement.setAttribute("data-rendered", "true");
  } catch (error) {
    CascadeReport.fail(error && error.stack ? error.stack : error);
  }
})();
"""#
}

/// The report's data is built where the workbench's API builds it too.
typealias ReportData = CascadeServer.ReportData
