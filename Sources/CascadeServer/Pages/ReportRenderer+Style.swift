extension ReportRenderer {
    /// The report's stylesheet (the report file inlines it; the workbench serves it): system fonts only, print-friendly (`@media print`).
    package static let style = #"""
:root { --pos: #1a7f37; --neg: #cf222e; --zero: #8c959f; --clamp: #9a6700; --ink: #1f2328; --muted: #59636e;
  --rule: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa; --sel: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 15px; margin: 16px 0 6px; }
p { margin: 4px 0; }
.muted, .note { color: var(--muted); }
.note { font-size: 12px; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { text-align: left; padding: 3px 10px 3px 0; vertical-align: middle; border-bottom: 1px solid var(--soft); }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.pos { color: var(--pos); } .neg { color: var(--neg); } .zero { color: var(--zero); }
.num.plain { color: inherit; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: var(--ink); }
svg .label { fill: var(--muted); }
.node { cursor: pointer; stroke: #fff; stroke-width: 1; }
.node.pos, .bar.pos, .step.pos { fill: var(--pos); }
.node.neg, .bar.neg, .step.neg { fill: var(--neg); }
.node.zero, .bar.zero, .step.zero { fill: var(--zero); }
.node.selected { stroke: var(--sel); stroke-width: 3; }
.link { fill: none; stroke: #8c959f; stroke-opacity: .45; }
.axis { stroke: var(--muted); stroke-width: 1; }
.clamp { fill: none; stroke: var(--clamp); stroke-width: 1.5; stroke-dasharray: 3 2; }
.clamp-mark { stroke: var(--clamp); stroke-width: 2; }
.step.total { fill: #57606a; } .step.clamped { fill: var(--clamp); }
.levels { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 4px 24px; }
.level h3 { margin-bottom: 2px; }
tr.mover { cursor: pointer; }
td.name { max-width: 220px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
tr.mover:hover, tr.mover.selected { background: var(--soft); }
.flag { font-size: 11px; color: var(--clamp); border: 1px solid var(--clamp); border-radius: 3px; padding: 0 3px; margin-left: 4px; }
#entity-search { font: inherit; padding: 4px 8px; width: 340px; max-width: 100%; border: 1px solid var(--rule); border-radius: 4px; }
.legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
.panel { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 14px 12px; margin-top: 8px; }
.errors { color: var(--neg); white-space: pre-wrap; }
table.explain td { vertical-align: top; }
table.heatmap td.heat { min-width: 64px; padding: 3px 8px; }
table.heatmap td.deep { color: #ffffff; }
table.heatmap td.undefined { color: var(--muted); font-style: italic; }
tr.heat-row { cursor: pointer; }
tr.heat-row:hover { outline: 1px solid var(--sel); }
table.bands td.name { max-width: 200px; }
.band.outer { fill: #8c959f; fill-opacity: .35; } .band.inner { fill: #0969da; fill-opacity: .75; }
.median { stroke: var(--ink); stroke-width: 2; }
tr.band-row { cursor: pointer; }
tr.band-row:hover { background: var(--soft); }
table.explain ul.inputs { margin: 0; padding: 0; list-style: none; }
table.explain code.formula { display: inline-block; max-width: 340px; white-space: pre-wrap; word-break: break-word; }
@media print {
  body { font-size: 11px; }
  main { max-width: none; padding: 0; }
  #entity-search, .search { display: none; }
  section { break-inside: avoid-page; }
  h2 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .levels { grid-template-columns: 1fr 1fr; }
}
"""#
}
