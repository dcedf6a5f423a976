#!/usr/bin/env node
// The differential-test oracle: runs formulas in a real JavaScript engine and records exactly
// what JavaScript returns, for DifferentialTests.swift to compare with Cascade.
//
//   node oracle.js CASES.json RESULTS.json
//
// CASES.json is an array of
//   {id, form: "expression" | "body", params: [name…], source, checked?, bindings: [{name: value}…]}
// Bodies run as `new Function(...params, source)`; expressions as
// `new Function(...params, "return (" + source + "\n);")` (a trailing `;` is dropped first).
// Bindings are JSON values; objects become frozen plain objects (records), deeply.
//
// RESULTS.json is an array of {id, results: [result…]}, one result per binding set:
//   {type: "number", bits: "<16 hex digits of the IEEE-754 double>"}
//   {type: "boolean", value} | {type: "string", value, utf16: "<hex code units>"}
//   {type: "null"} | {type: "undefined"}
//   {type: "nonfinite", value: "NaN" | "Infinity" | "-Infinity"}
//   {type: "throw", message}            (the program threw, or did not compile)
//   {type: "other", value}              (anything else: an object, a function …)
// and, when the case has a `checked` text (the same program with every arithmetic node, call and
// concatenation wrapped in `$c(…)`), `trap`: "nonfinite" when some intermediate number was NaN or
// ±Infinity, "string-limit" when some computed string exceeded 1024 UTF-8 bytes — in both cases
// Cascade must stop with an error, even if the final JavaScript value is finite — and
// "binding-string-limit" when only a bound string is that long (Cascade may then fail with a
// limit error or return the same value). A checked run whose result differs from the plain run is reported as
// `{type: "throw", message: "oracle: checked run disagrees …"}` (a generator bug).
'use strict';

const fs = require('fs');

const MAX_STRING_BYTES = 1024;

function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze(value[key]);
    Object.freeze(value);
  }
  return value;
}

function bits(x) {
  const buffer = Buffer.alloc(8);
  buffer.writeDoubleBE(x);
  return buffer.toString('hex');
}

function utf16(s) {
  let out = '';
  for (let i = 0; i < s.length; i++) out += s.charCodeAt(i).toString(16).padStart(4, '0');
  return out;
}

function describe(v) {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? { type: 'number', bits: bits(v) } : { type: 'nonfinite', value: String(v) };
    case 'boolean':
      return { type: 'boolean', value: v };
    case 'string':
      return { type: 'string', value: v, utf16: utf16(v) };
    case 'undefined':
      return { type: 'undefined' };
    default:
      if (v === null) return { type: 'null' };
      let text;
      try { text = JSON.stringify(v); } catch (e) { text = String(e); }
      return { type: 'other', value: `${typeof v}: ${text}` };
  }
}

function sameResult(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function bodyOf(testCase, text) {
  if (testCase.form === 'expression') {
    return 'return (' + text.trim().replace(/;$/, '') + '\n);';
  }
  return text;
}

let trap = null;
function $c(v) {
  if (trap === null) {
    if (typeof v === 'number' && !Number.isFinite(v)) trap = 'nonfinite';
    else if (typeof v === 'string' && Buffer.byteLength(v, 'utf8') > MAX_STRING_BYTES) trap = 'string-limit';
  }
  return v;
}

// A bound string over the limit: Cascade may reject it.
function bindingTrap(value) {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8') > MAX_STRING_BYTES ? 'binding-string-limit' : null;
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const trap = bindingTrap(value[key]);
      if (trap) return trap;
    }
  }
  return null;
}

function compile(params, body) {
  try {
    return { fn: new Function(...params, body) };
  } catch (e) {
    return { error: `${e.name}: ${e.message}` };
  }
}

function run(testCase) {
  const params = testCase.params;
  const plain = compile(params, bodyOf(testCase, testCase.source));
  const checked = typeof testCase.checked === 'string'
    ? compile(['$c', ...params], bodyOf(testCase, testCase.checked))
    : null;
  return testCase.bindings.map((binding) => {
    if (plain.error) return { type: 'throw', message: plain.error };
    const args = params.map((name) => deepFreeze(binding[name]));
    let result;
    try {
      result = describe(plain.fn(...args));
    } catch (e) {
      return { type: 'throw', message: `${e.name}: ${e.message}` };
    }
    if (checked) {
      if (checked.error) return { type: 'throw', message: 'oracle: checked text does not compile: ' + checked.error };
      trap = null;
      let again;
      try {
        again = describe(checked.fn($c, ...args));
      } catch (e) {
        return { type: 'throw', message: `oracle: checked run threw ${e.name}: ${e.message}` };
      }
      if (!sameResult(result, again)) {
        return { type: 'throw', message: `oracle: checked run disagrees: ${JSON.stringify(again)}` };
      }
      if (trap === null) trap = bindingTrap(args);
      if (trap !== null) result.trap = trap;
    }
    return result;
  });
}

function main() {
  const [inPath, outPath] = process.argv.slice(2);
  if (!inPath || !outPath) {
    process.stderr.write('usage: node oracle.js CASES.json RESULTS.json\n');
    process.exit(2);
  }
  const cases = JSON.parse(fs.readFileSync(inPath, 'utf8'));
  const out = cases.map((testCase) => ({ id: testCase.id, results: run(testCase) }));
  fs.writeFileSync(outPath, JSON.stringify(out));
}

main();
