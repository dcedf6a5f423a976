// JSMath: the numeric functions of the formula language, bit-exact with Node 20 (V8 11.3).
//
// What was measured (Node v20.20.2 / V8 11.3.244.8 against glibc 2.36 on x86-64, Debian 12),
// comparing result bit patterns (any NaN equal to any NaN) over seeded inputs made of uniform
// doubles in several magnitude bands, random 64-bit patterns, subnormals, values within a few
// thousand ulps of 1 and of the overflow/underflow thresholds and the fdlibm branch points,
// integers, halves, powers of 2, 10 and e; for pow also negative bases with integer exponents,
// exponents near 2^53, huge exponents with bases near 1, exponents aimed at the overflow,
// underflow and subnormal boundaries, and the full matrix of special values:
//
// Two independent seeds of 10,000,000 inputs each per function (results for seed 1 / seed 2):
//
//   function  inputs        glibc ≠ node                  this file (port) ≠ node
//   exp       2×10,000,000  649,262 / 647,551  (6.5%)     0 / 0
//   log       2×10,000,000  109,242 / 108,492  (1.1%)     0 / 0
//   log2      2×10,000,000   23,749 /  23,099  (0.23%)    0 / 0
//   log10     2×10,000,000   76,931 /  76,210  (0.77%)    0 / 0
//   pow       2×10,000,000  384,827 / 385,027  (3.8%)     0 / 0  (Math.pow and ** alike)
//   sqrt, abs, floor, ceil, trunc, round, sign: 22,000,000 inputs each, 0 mismatches
//   max, min: 10,000,000 pairs each, 0 mismatches
//
// (glibc was called from a C harness, the same functions Python's math module wraps; node's
// results were identical with --jitless, so V8's tiers agree.) The glibc mismatches are 1 ulp
// for exp, log and log2 and up to 2 ulp for log10. For pow (seed 1) 383,724 are 1 ulp; 890 are
// JavaScript's NaN for 1 ** NaN and (±1) ** ±Infinity where C returns 1; and 213 are 79 to 536
// ulp: for |y| > 2^31 and x within 2^-20 of 1, fdlibm computes log2(x) from a short series
// whose leading product is not exact, so node's own answer is off by hundreds of ulp there
// (e.g. 0.9999998988824917 ** -3473992829.770437). The port reproduces that too.
//
// glibc's exp/log/log2/log10/pow are (almost) correctly rounded; V8 does not use them. V8 uses
// its own fdlibm port (src/base/ieee754.cc), whose results are mostly within 1 ulp but not correctly
// rounded (e.g. 10 ** 39 is 1.0000000000000001e+39 in node). So every one of these five is a
// faithful Swift port of V8's fdlibm-derived code below; none of them calls the C library, which
// also makes the results independent of the platform's libm. Every other function here is
// exactly specified by IEEE 754 / ECMAScript and uses Swift's standard library:
//   sqrt (.squareRoot(), correctly rounded), abs, floor, ceil, trunc (.rounded(...)), and
//   round, sign, max, min (ECMAScript rules, written out below).
// The regression test is Tests/CascadeFormulaTests/JSMathTests.swift over the node-generated
// fixture Tests/CascadeFormulaTests/Fixtures/jsmath-golden.json (scripts/gen-jsmath-golden.js).
//
// Porting notes: the C code reads and writes the two 32-bit halves of a double ("words"); the
// helpers `hi`, `lo`, `words`, `withHi` and `withLo` do the same on the bit pattern. Signed
// high words are Int32 as in C (int32_t), low words UInt32 (uint32_t). C's wrapping int
// arithmetic is written with &+ / &- where a value could leave the Int32 range. The C code's
// `volatile` objects only serve to raise floating-point exception flags, which JavaScript
// cannot observe; here they are plain constants. Swift never contracts a*b+c into a fused
// multiply-add, so the arithmetic is evaluated exactly as written, like V8's SSE2 build.
//
// ---------------------------------------------------------------------------------------------
// The following is adapted from fdlibm (http://www.netlib.org/fdlibm).
//
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunSoft, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================
//
// The original source code covered by the above license above has been
// modified significantly by Google Inc.
// Copyright 2016 the V8 project authors. All rights reserved.
//
// V8's modifications are used under V8's BSD-style license:
//
// Copyright 2014, the V8 project authors. All rights reserved.
// Redistribution and use in source and binary forms, with or without
// modification, are permitted provided that the following conditions are
// met:
//
//     * Redistributions of source code must retain the above copyright
//       notice, this list of conditions and the following disclaimer.
//     * Redistributions in binary form must reproduce the above
//       copyright notice, this list of conditions and the following
//       disclaimer in the documentation and/or other materials provided
//       with the distribution.
//     * Neither the name of Google Inc. nor the names of its
//       contributors may be used to endorse or promote products derived
//       from this software without specific prior written permission.
//
// THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
// "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
// LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
// A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
// OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
// SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
// LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
// DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
// THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
// (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
// OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
// ---------------------------------------------------------------------------------------------

#if canImport(Glibc)
// Nothing here calls the C library's math functions, but on Linux the standard library lowers
// .squareRoot() and .rounded(_:) to calls of libm's sqrt/floor/ceil/trunc/round/rint, and only
// importing Glibc makes the linker add -lm (without it an executable that uses this module and
// imports neither Glibc nor Foundation fails to link). Calls inside JSMath resolve to JSMath's
// own functions (members shadow Glibc's globals; the ports also say Self. explicitly).
import Glibc
#endif

enum JSMath {

    // MARK: - Exactly specified functions (IEEE 754 / ECMAScript)

    /// Math.sqrt: IEEE 754 correctly rounded square root (sqrt(-0) = -0, sqrt(x < 0) = NaN).
    static func sqrt(_ x: Double) -> Double { x.squareRoot() }

    /// Math.abs.
    static func abs(_ x: Double) -> Double { Swift.abs(x) }

    /// Math.floor (keeps -0; floor(-0.5) = -1).
    static func floor(_ x: Double) -> Double { x.rounded(.down) }

    /// Math.ceil (ceil(-0.5) = -0).
    static func ceil(_ x: Double) -> Double { x.rounded(.up) }

    /// Math.trunc (trunc(-0.5) = -0).
    static func trunc(_ x: Double) -> Double { x.rounded(.towardZero) }

    /// Math.round: the integer closest to x, ties toward +Infinity; -0 for x in [-0.5, -0];
    /// NaN, ±Infinity, ±0 and every |x| ≥ 2^52 (already integral) are returned unchanged.
    /// Same method as V8 (ceil, then step back if that overshot by more than one half); every
    /// operation is exact, so this is the mathematical definition.
    static func round(_ x: Double) -> Double {
        if !x.isFinite || x == 0 { return x }
        var r = x.rounded(.up)          // ceil: -0 for x in (-1, -0)
        if r - 0.5 > x { r -= 1.0 }     // -0 - 1 = -1; the -0 survives for x in [-0.5, -0)
        return r
    }

    /// Math.sign: -1, +1, or x itself for ±0 and NaN.
    static func sign(_ x: Double) -> Double {
        if x > 0 { return 1.0 }
        if x < 0 { return -1.0 }
        return x
    }

    /// Math.max of two numbers: NaN if either is NaN; +0 is larger than -0.
    static func max(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        if a == b { return a.sign == .minus ? b : a }   // only ±0 vs ∓0 can differ here
        return a > b ? a : b
    }

    /// Math.min of two numbers: NaN if either is NaN; -0 is smaller than +0.
    static func min(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        if a == b { return a.sign == .minus ? a : b }
        return a < b ? a : b
    }

    // MARK: - Word access (the fdlibm macros)

    /// GET_HIGH_WORD: the more significant 32 bits, signed.
    @inline(__always) static func hi(_ d: Double) -> Int32 {
        Int32(truncatingIfNeeded: d.bitPattern >> 32)
    }

    /// GET_LOW_WORD: the less significant 32 bits.
    @inline(__always) static func lo(_ d: Double) -> UInt32 {
        UInt32(truncatingIfNeeded: d.bitPattern)
    }

    /// INSERT_WORDS.
    @inline(__always) static func words(_ high: Int32, _ low: UInt32) -> Double {
        Double(bitPattern: UInt64(UInt32(bitPattern: high)) << 32 | UInt64(low))
    }

    /// SET_HIGH_WORD.
    @inline(__always) static func withHi(_ d: Double, _ high: Int32) -> Double {
        words(high, lo(d))
    }

    /// SET_LOW_WORD.
    @inline(__always) static func withLo(_ d: Double, _ low: UInt32) -> Double {
        words(hi(d), low)
    }
}
