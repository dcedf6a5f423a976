#!/usr/bin/env node
// Validates cascade-bench's `check` arrays against a real JavaScript engine.
//
//   node scripts/bench-check.js [WORKLOAD] [BENCH.json|-]
//
// For each formula of WORKLOAD (default ../shared/bench/formulas.json, relative to the working
// directory) it evaluates the first 64 binding sets with `new Function` and, when a benchmark JSON
// document is given (a file, or `-` for standard input), compares them with its `check` arrays using
// `===` (null stands for no value, as in the benchmark). Without one it prints the expected arrays.
// Exit status: 0 all match, 1 a mismatch or a missing formula, 2 usage or input errors.
'use strict';
const fs = require('fs');

const args = process.argv.slice(2);
if (args.includes('-h') || args.includes('--help') || args.length > 2) {
  console.error('usage: node scripts/bench-check.js [WORKLOAD] [BENCH.json|-]');
  process.exit(2);
}
const workloadPath = args[0] || '../shared/bench/formulas.json';
const benchPath = args[1];
const N = 64;

/** A formula body as a JS function: a bare expression returns its value, else a function body. */
function compile(params, text) {
  try {
    return new Function(...params, 'return (\n' + text + '\n);');
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    return new Function(...params, text);
  }
}

const workload = JSON.parse(fs.readFileSync(workloadPath, 'utf8'));
const expected = {};
for (const f of workload.formulas) {
  const fn = compile(f.parameters, f.formula);
  expected[f.name] = f.inputs.slice(0, N).map((b) => {
    const r = fn(...f.parameters.map((p) => b[p]));
    return r === undefined ? null : r;
  });
}

if (benchPath === undefined) {
  console.log(JSON.stringify(expected));
  process.exit(0);
}

const text = fs.readFileSync(benchPath === '-' ? 0 : benchPath, 'utf8');
// The benchmark prints one JSON object; tolerate build chatter before it.
const bench = JSON.parse(text.slice(text.indexOf('{"engine"') >= 0 ? text.indexOf('{"engine"') : 0));
let bad = 0;
for (const [name, want] of Object.entries(expected)) {
  const got = bench.formulas && bench.formulas[name];
  if (!got || !Array.isArray(got.check)) {
    console.log(`${name}: MISSING (${got && got.error ? got.error.split('\n')[0] : 'no check array'})`);
    bad++;
    continue;
  }
  const mismatches = [];
  for (let i = 0; i < want.length; i++) {
    const g = got.check[i];
    if (!(g === want[i])) mismatches.push(i);
  }
  if (got.check.length !== want.length) mismatches.push(`length ${got.check.length} ≠ ${want.length}`);
  if (mismatches.length === 0) {
    console.log(`${name}: ok (${want.length} results match node ${process.version})`);
  } else {
    bad++;
    console.log(`${name}: MISMATCH at ${mismatches.length} of ${want.length}`);
    for (const i of mismatches.slice(0, 5)) {
      if (typeof i === 'number') {
        console.log(`  #${i}: cascade ${JSON.stringify(got.check[i])}, node ${JSON.stringify(want[i])}`);
      } else {
        console.log(`  ${i}`);
      }
    }
  }
}
console.log(bad === 0 ? 'bench-check: all check arrays match node' : `bench-check: ${bad} formula(s) differ`);
process.exit(bad === 0 ? 0 : 1);
