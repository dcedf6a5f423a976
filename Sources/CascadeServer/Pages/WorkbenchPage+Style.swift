extension WorkbenchPage {
    /// The workbench's layout, served after the report's stylesheet in `/assets/workbench.css`.
    static let style = #"""
[hidden] { display: none !important; }
#bar { display: flex; gap: 12px; align-items: baseline; padding: 10px 24px; border-bottom: 1px solid var(--rule); background: var(--soft); }
#bar #who { margin-left: auto; color: var(--muted); }
main#workbench { max-width: none; padding: 0; }
#login { max-width: 520px; margin: 48px auto; padding: 0 24px; }
#key { font: inherit; padding: 4px 8px; width: 340px; max-width: 100%; border: 1px solid var(--rule); border-radius: 4px; }
button { font: inherit; padding: 3px 12px; border: 1px solid var(--rule); border-radius: 4px; background: var(--bg); cursor: pointer; }
button:disabled { color: var(--muted); cursor: default; }
#app { display: grid; grid-template-columns: 300px 1fr; min-height: calc(100vh - 45px); }
#scenarios { border-right: 1px solid var(--rule); padding: 8px 16px; }
#scenarios h2 { margin-top: 8px; }
#scenario-search { font: inherit; padding: 4px 8px; width: 100%; border: 1px solid var(--rule); border-radius: 4px; }
#scenario-list { list-style: none; margin: 8px 0; padding: 0; }
#scenario-list li { padding: 6px 8px; border-radius: 4px; cursor: pointer; }
#scenario-list li .name { display: block; font-weight: 600; }
#scenario-list li:hover, #scenario-list li.selected { background: var(--soft); }
#detail { padding: 8px 24px 48px; min-width: 0; }
#whatif-form .fields { display: flex; flex-wrap: wrap; gap: 6px 18px; }
#whatif-form input { font: inherit; width: 120px; padding: 2px 6px; border: 1px solid var(--rule); border-radius: 4px; }
select { font: inherit; }
"""#
}
