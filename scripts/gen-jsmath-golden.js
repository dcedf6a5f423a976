#!/usr/bin/env node
// Regenerates Tests/CascadeFormulaTests/Fixtures/jsmath-golden.json: the expected results of
// the Math functions that Sources/CascadeFormula/Runtime/JSMath.swift must reproduce bit for
// bit, as computed by the node running this script (the reference is Node 20 / V8 11.3).
//
//   node scripts/gen-jsmath-golden.js            # writes the fixture
//   node scripts/gen-jsmath-golden.js --check    # exits 1 if the fixture would change
//
// Deterministic: inputs come from fixed lists and a seeded PRNG (sfc32), so the same node
// produces the same file byte for byte. Every number is stored as its 16-hex-digit IEEE 754
// bit pattern, so -0, subnormals and the last bit survive; a NaN result is stored as
// 7ff8000000000000 and means "any NaN".
'use strict';
const fs = require('fs');
const path = require('path');

const OUT = path.join(__dirname, '..', 'Tests', 'CascadeFormulaTests', 'Fixtures', 'jsmath-golden.json');

// --- bits and a seeded PRNG ------------------------------------------------------------------
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);   // little-endian: u32[0] low word, u32[1] high word
const i64 = new BigInt64Array(f64.buffer);
const hex = (x) => {
  if (Number.isNaN(x)) return '7ff8000000000000';
  f64[0] = x;
  return u32[1].toString(16).padStart(8, '0') + u32[0].toString(16).padStart(8, '0');
};
const bits = (hi, lo) => { u32[1] = hi >>> 0; u32[0] = lo >>> 0; return f64[0]; };

function sfc32(a, b, c, d) {
  return function () {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0; a = b ^ (b >>> 9); b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11); d = (d + 1) | 0; t = (t + d) | 0; c = (c + t) | 0;
    return t >>> 0;
  };
}
const r32 = sfc32(0x43617363, 0x61646521, 0x4A534D61, 0x74680001);
const U = () => r32() * 2 ** -32 + r32() * 2 ** -64;           // [0, 1)
const uni = (a, b) => a + (b - a) * U();
const ri = (a, b) => a + Math.floor(U() * (b - a + 1));         // integer in [a, b]
const oneOf = (xs) => xs[ri(0, xs.length - 1)];
const neg = (x) => (r32() & 1 ? -x : x);
const randBits = () => bits(r32(), r32());
const subnormal = () => bits(r32() & 0xFFFFF, r32());
const logUni = (e0, e1) => bits(((ri(e0, e1) + 1023) << 20) | (r32() & 0xFFFFF), r32()); // positive
const nearUlps = (x, k) => { f64[0] = x; i64[0] += BigInt(ri(-k, k)); return f64[0]; };
const LN2 = Math.LN2;

// --- inputs ----------------------------------------------------------------------------------
const SPECIAL = [
  0, -0, Infinity, -Infinity, NaN, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5, 2, -2, 3, -3,
  0.49999999999999994, -0.49999999999999994, 0.5000000000000001, -0.5000000000000001,
  5e-324, -5e-324, 1e-323, 2 ** -1022, -(2 ** -1022), 2 ** -1022 - 5e-324, Number.MAX_VALUE, -Number.MAX_VALUE,
  2 ** 52, -(2 ** 52), 2 ** 52 - 0.5, -(2 ** 52 - 0.5), 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 2 ** 31, -(2 ** 31),
  1 + 2 ** -52, 1 - 2 ** -53, -1 - 2 ** -52, -1 + 2 ** -53, Math.E, Math.LN2, Math.SQRT2, Math.SQRT1_2, Math.PI,
  0.1, -0.1, 10, 100, 1000, 1e22, 1e23, 1e-5, 1e-300, 1e300, -7, 7, 1023, 1024, 1074, 1075,
  709.782712893384, 709.7827128933841, 709.78, 710, -745.1332191019411, -745.1332191019412, -745.2,
  -708.3964185322641, -708.4, -744.44007192138, 0.5 * LN2, 1.5 * LN2, -0.5 * LN2, -1.5 * LN2,
  0.3465735902799726, 0.34657359027997264, 1.0397207708399179, 1.039720770839918,
  2 ** -28, -(2 ** -28), 2 ** -29, 2 ** -54, 2 ** -1074 * 3,
];

// Per-function random inputs, aimed at each function's interesting ranges.
const RANDOM = {
  exp: () => oneOf([
    randBits, () => uni(-745.2, 709.8), () => uni(-1, 1), () => uni(-20, 20), () => neg(logUni(-70, 0)),
    () => nearUlps(oneOf([709.782712893384, -745.1332191019411, -708.3964185322641, 0.5 * LN2, 1.5 * LN2, -0.5 * LN2, -1.5 * LN2]), 2000),
    () => ri(-760, 720), () => ri(-1500, 1440) / 2, () => neg(subnormal()), () => ri(-2000, 2000) * LN2 / ri(1, 8),
  ])(),
  log: () => oneOf([
    randBits, () => logUni(-1022, 1023), () => 1 + neg(U() * 2 ** -ri(0, 52)), () => nearUlps(1, 1000),
    () => uni(0, 2), () => uni(0, 1e6), subnormal, () => ri(1, 1e6), () => ri(1, 1e6) / 2,
    () => oneOf([2 ** ri(-1074, 1023), 10 ** ri(-323, 308), Math.E ** ri(-700, 700)]),
    () => nearUlps(oneOf([Math.SQRT2, Math.SQRT1_2, 2 ** ri(-1022, 1023), 10 ** ri(-300, 300), Number.MAX_VALUE, 5e-324]), 50),
  ])(),
  rounding: () => oneOf([
    randBits, () => ri(-4000, 4000) / 2, () => nearUlps(ri(-4000, 4000) / 2, 3), () => uni(-3, 3),
    () => neg(logUni(-60, 60)), () => neg(nearUlps(2 ** 52, 4)), () => neg(nearUlps(2 ** 53, 4)), () => neg(subnormal()),
  ])(),
};
RANDOM.log2 = RANDOM.log10 = RANDOM.log;
RANDOM.sqrt = () => (r32() & 1 ? RANDOM.log() : RANDOM.rounding());
RANDOM.abs = RANDOM.floor = RANDOM.ceil = RANDOM.trunc = RANDOM.round = RANDOM.sign = RANDOM.rounding;

function randomPowPair() {
  switch (ri(0, 13)) {
    case 0: return [randBits(), randBits()];
    case 1: return [logUni(-1022, 1023), uni(-50, 50)];
    case 2: return [uni(0, 10), uni(-400, 400)];
    case 3: return [1 + neg(U() * 2 ** -ri(10, 52)), neg(logUni(0, 60))];   // near 1, huge exponent
    case 4: return [-uni(0, 10) * 1e3 ** ri(-3, 3), ri(-1100, 1100)];         // negative base, integer exponent
    case 5: return [-logUni(-40, 40), neg(2 ** 53 + 2 * ri(-1000, 1000) + (r32() & 1))];
    case 6: return [ri(0, 1000), ri(-70, 70)];                                // integer ** integer
    case 7: return [neg(ri(0, 1000)), oneOf([0.5, -0.5, 1.5, -1.5, 2, -2, 3, -3, 1 / 3, 0.25])];
    case 8: return [neg(subnormal()), uni(-2, 2)];
    case 9: {                                                                 // near overflow / underflow / subnormal
      const x = logUni(-30, 30);
      return [x, nearUlps(oneOf([1024, -1022, -1074, -1075]) * LN2 / Math.log(x), 2000)];
    }
    case 10: return [10, ri(-330, 310)];
    case 11: return [neg(uni(0, 2)), neg(ri(0, 2 ** 31))];
    case 12: return [oneOf([2, 0.5, -2, -0.5, 3, 1.1]), neg(2 ** ri(0, 64)) + oneOf([0, 0, 1, 0.5])];
    default: return [uni(-100, 100), uni(-100, 100)];
  }
}

const POW_SPECIAL = [
  0, -0, Infinity, -Infinity, NaN, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 1.5, -1.5, 1 / 3, 5e-324, -5e-324,
  Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 64, 2 ** 31 + 1, -(2 ** 31 + 1),
  1 + 2 ** -52, 1 - 2 ** -53, -1 - 2 ** -52, 10, -1023, 1024, -1075, 1e-300, 1e300,
];
// Cases where glibc's correctly rounded answer differs from V8's fdlibm (found by the comparison
// described in JSMath.swift); kept explicitly so a regression to libm cannot go unnoticed.
const KNOWN = {
  exp: [-0.551401345932163, 104.2469105362577, -543, 0.34654159215748637, -0.5589311626084927, 317.22271875691763],
  log: [1.5932581405316464, 186605.71917858947, 0.39125249559604186, 0.7989116819103097, 920864],
  log2: [0.7823307669396837, 0.8241326277177078, 0.04216318893936263, 0.707106781186554, 1.437955822397207],
  log10: [1.5932581405316464, 0.7989116819103097, 0.6220331898787377, 469385.02019964985, 1.957803694284313],
  pow: [[10, 39], [6.508363690666286, -328.10043456976126], [1.691035625665662e-32, 5.697267643304862],
    [3.483808146351513, 113.72734523088775], [5.526860478514925, 338.0718898810313], [1.487708992796081, 230.8016052966659],
    [1, NaN], [-1, Infinity], [1, -Infinity],                                   // NaN in JS, 1 in C
    [0.9999998988824917, -3473992829.770437], [1.0000001986425386, 3191599297.9709535]], // fdlibm off by 100s of ulp
};

// --- cases -----------------------------------------------------------------------------------
const UNARY = ['exp', 'log', 'log2', 'log10', 'sqrt', 'abs', 'floor', 'ceil', 'trunc', 'round', 'sign'];
const RANDOM_PER_UNARY = 220;
const RANDOM_POW = 1100;
const RANDOM_MINMAX = 60;

const lines = [];
const add = (f, args, r) => lines.push(`{"f":"${f}",` + args.map((a, i) => `"${'xy'[i]}":"${hex(a)}"`).join(',') + `,"r":"${hex(r)}"}`);

for (const name of UNARY) {
  const fn = Math[name];
  const inputs = [...SPECIAL, ...(KNOWN[name] || [])];
  for (let i = 0; i < RANDOM_PER_UNARY; i++) inputs.push(RANDOM[name]());
  for (const x of inputs) add(name, [x], fn(x));
}
{
  const pairs = [...KNOWN.pow];
  for (const x of POW_SPECIAL) for (const y of POW_SPECIAL) pairs.push([x, y]);
  for (let i = 0; i < RANDOM_POW; i++) pairs.push(randomPowPair());
  for (const [x, y] of pairs) add('pow', [x, y], Math.pow(x, y));
}
for (const name of ['max', 'min']) {
  const vals = [0, -0, Infinity, -Infinity, NaN, 1, -1, 5e-324, -5e-324, Number.MAX_VALUE, 0.5];
  const pairs = [];
  for (const x of vals) for (const y of vals) pairs.push([x, y]);
  for (let i = 0; i < RANDOM_MINMAX; i++) pairs.push([RANDOM.rounding(), RANDOM.rounding()]);
  for (const [x, y] of pairs) add(name, [x, y], Math[name](x, y));
}

const text = '{\n' +
  '"comment":"Expected Math results from Node; numbers are IEEE 754 bit patterns (hex); r 7ff8000000000000 = any NaN. Regenerate with scripts/gen-jsmath-golden.js.",\n' +
  `"node":"${process.version}","v8":"${process.versions.v8}",\n` +
  '"cases":[\n' + lines.join(',\n') + '\n]}\n';

if (process.argv.includes('--check')) {
  const old = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (old !== text) { console.error(`${OUT} is out of date (${lines.length} cases)`); process.exit(1); }
  console.log(`${OUT} is up to date (${lines.length} cases)`);
} else {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
  console.log(`wrote ${lines.length} cases to ${OUT}`);
}
