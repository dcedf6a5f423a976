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
    @inline(__always) private static func hi(_ d: Double) -> Int32 {
        Int32(truncatingIfNeeded: d.bitPattern >> 32)
    }

    /// GET_LOW_WORD: the less significant 32 bits.
    @inline(__always) private static func lo(_ d: Double) -> UInt32 {
        UInt32(truncatingIfNeeded: d.bitPattern)
    }

    /// INSERT_WORDS.
    @inline(__always) private static func words(_ high: Int32, _ low: UInt32) -> Double {
        Double(bitPattern: UInt64(UInt32(bitPattern: high)) << 32 | UInt64(low))
    }

    /// SET_HIGH_WORD.
    @inline(__always) private static func withHi(_ d: Double, _ high: Int32) -> Double {
        words(high, lo(d))
    }

    /// SET_LOW_WORD.
    @inline(__always) private static func withLo(_ d: Double, _ low: UInt32) -> Double {
        words(hi(d), low)
    }

    // MARK: - exp

    /* exp(x)
     * Returns the exponential of x.
     *
     * Method
     *   1. Argument reduction:
     *      Reduce x to an r so that |r| <= 0.5*ln2 ~ 0.34658.
     *      Given x, find r and integer k such that
     *
     *               x = k*ln2 + r,  |r| <= 0.5*ln2.
     *
     *      Here r will be represented as r = hi-lo for better
     *      accuracy.
     *
     *   2. Approximation of exp(r) by a special rational function on
     *      the interval [0,0.34658]:
     *      Write
     *          R(r**2) = r*(exp(r)+1)/(exp(r)-1) = 2 + r*r/6 - r**4/360 + ...
     *      We use a special Remes algorithm on [0,0.34658] to generate
     *      a polynomial of degree 5 to approximate R. The maximum error
     *      of this polynomial approximation is bounded by 2**-59. In
     *      other words,
     *          R(z) ~ 2.0 + P1*z + P2*z**2 + P3*z**3 + P4*z**4 + P5*z**5
     *      (where z=r*r, and the values of P1 to P5 are listed below)
     *      and
     *          |                  5          |     -59
     *          | 2.0+P1*z+...+P5*z   -  R(z) | <= 2
     *          |                             |
     *      The computation of exp(r) thus becomes
     *                             2*r
     *              exp(r) = 1 + -------
     *                            R - r
     *                                 r*R1(r)
     *                     = 1 + r + ----------- (for better accuracy)
     *                                2 - R1(r)
     *      where
     *                               2       4             10
     *              R1(r) = r - (P1*r  + P2*r  + ... + P5*r   ).
     *
     *   3. Scale back to obtain exp(x):
     *      From step 1, we have
     *         exp(x) = 2^k * exp(r)
     *
     * Special cases:
     *      exp(INF) is INF, exp(NaN) is NaN;
     *      exp(-INF) is 0, and
     *      for finite argument, only exp(0)=1 is exact.
     *
     * Accuracy:
     *      according to an error analysis, the error is always less than
     *      1 ulp (unit in the last place).
     *
     * Misc. info.
     *      For IEEE double
     *          if x >  7.09782712893383973096e+02 then exp(x) overflow
     *          if x < -7.45133219101941108420e+02 then exp(x) underflow
     *
     * Constants:
     * The hexadecimal values are the intended ones for the following
     * constants. The decimal values may be used, provided that the
     * compiler will convert from decimal to binary accurately enough
     * to produce the hexadecimal values shown.
     */
    static func exp(_ xIn: Double) -> Double {
        let one = 1.0
        let o_threshold = 7.09782712893383973096e+02   /* 0x40862E42, 0xFEFA39EF */
        let u_threshold = -7.45133219101941108420e+02  /* 0xC0874910, 0xD52D3051 */
        let ln2HI0 = 6.93147180369123816490e-01        /* 0x3FE62E42, 0xFEE00000 */
        let ln2LO0 = 1.90821492927058770002e-10        /* 0x3DEA39EF, 0x35793C76 */
        let invln2 = 1.44269504088896338700e+00        /* 0x3FF71547, 0x652B82FE */
        let P1 = 1.66666666666666019037e-01            /* 0x3FC55555, 0x5555553E */
        let P2 = -2.77777777770155933842e-03           /* 0xBF66C16C, 0x16BEBD93 */
        let P3 = 6.61375632143793436117e-05            /* 0x3F11566A, 0xAF25DE2C */
        let P4 = -1.65339022054652515390e-06           /* 0xBEBBBD41, 0xC5D26BF1 */
        let P5 = 4.13813679705723846039e-08            /* 0x3E663769, 0x72BEA4D0 */
        let E = 2.718281828459045                      /* 0x4005BF0A, 0x8B145769 */
        let huge = 1.0e+300
        let twom1000 = 9.33263618503218878990e-302     /* 2**-1000=0x01700000,0*/
        let two1023 = 8.988465674311579539e307         /* 0x1p1023 */

        var x = xIn
        var hi = 0.0, lo = 0.0
        var k: Int32 = 0

        var hx = UInt32(bitPattern: Self.hi(x))
        let xsb = Int32((hx >> 31) & 1) /* sign bit of x */
        hx &= 0x7FFFFFFF                /* high word of |x| */

        /* filter out non-finite argument */
        if hx >= 0x40862E42 { /* if |x|>=709.78... */
            if hx >= 0x7FF00000 {
                let lx = Self.lo(x)
                if ((hx & 0xFFFFF) | lx) != 0 {
                    return x + x /* NaN */
                } else {
                    return (xsb == 0) ? x : 0.0 /* exp(+-inf)={inf,0} */
                }
            }
            if x > o_threshold { return huge * huge }          /* overflow */
            if x < u_threshold { return twom1000 * twom1000 }  /* underflow */
        }

        /* argument reduction */
        if hx > 0x3FD62E42 {   /* if  |x| > 0.5 ln2 */
            if hx < 0x3FF0A2B2 { /* and |x| < 1.5 ln2 */
                /* TODO(rtoy): We special case exp(1) here to return the correct
                 * value of E, as the computation below would get the last bit
                 * wrong. We should probably fix the algorithm instead.
                 */
                if x == 1.0 { return E }
                hi = x - (xsb == 0 ? ln2HI0 : -ln2HI0)
                lo = xsb == 0 ? ln2LO0 : -ln2LO0
                k = 1 - xsb - xsb
            } else {
                // static_cast<int>: truncation toward zero; |x| < 746 here, so it is in range.
                k = Int32(invln2 * x + (xsb == 0 ? 0.5 : -0.5))
                let t = Double(k)
                hi = x - t * ln2HI0 /* t*ln2HI is exact here */
                lo = t * ln2LO0
            }
            x = hi - lo
        } else if hx < 0x3E300000 {         /* when |x|<2**-28 */
            if huge + x > one { return one + x } /* trigger inexact */
        } else {
            k = 0
        }

        /* x is now in primary range */
        let t = x * x
        let twopk: Double
        if k >= -1021 {
            twopk = words(0x3FF00000 &+ (k << 20), 0)
        } else {
            twopk = words(0x3FF00000 &+ ((k + 1000) << 20), 0)
        }
        let c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))))
        if k == 0 {
            return one - ((x * c) / (c - 2.0) - x)
        }
        let y = one - ((lo - (x * c) / (2.0 - c)) - hi)
        if k >= -1021 {
            if k == 1024 { return y * 2.0 * two1023 }
            return y * twopk
        } else {
            return y * twopk * twom1000
        }
    }

    // MARK: - log

    /* log(x)
     * Return the logrithm of x
     *
     * Method :
     *   1. Argument Reduction: find k and f such that
     *     x = 2^k * (1+f),
     *     where  sqrt(2)/2 < 1+f < sqrt(2) .
     *
     *   2. Approximation of log(1+f).
     *  Let s = f/(2+f) ; based on log(1+f) = log(1+s) - log(1-s)
     *     = 2s + 2/3 s**3 + 2/5 s**5 + .....,
     *         = 2s + s*R
     *      We use a special Reme algorithm on [0,0.1716] to generate
     *  a polynomial of degree 14 to approximate R The maximum error
     *  of this polynomial approximation is bounded by 2**-58.45. In
     *  other words,
     *            2      4      6      8      10      12      14
     *      R(z) ~ Lg1*s +Lg2*s +Lg3*s +Lg4*s +Lg5*s  +Lg6*s  +Lg7*s
     *    (the values of Lg1 to Lg7 are listed in the program)
     *  and
     *      |      2          14          |     -58.45
     *      | Lg1*s +...+Lg7*s    -  R(z) | <= 2
     *      |                             |
     *  Note that 2s = f - s*f = f - hfsq + s*hfsq, where hfsq = f*f/2.
     *  In order to guarantee error in log below 1ulp, we compute log
     *  by
     *    log(1+f) = f - s*(f - R)  (if f is not too large)
     *    log(1+f) = f - (hfsq - s*(hfsq+R)). (better accuracy)
     *
     *  3. Finally,  log(x) = k*ln2 + log(1+f).
     *          = k*ln2_hi+(f-(hfsq-(s*(hfsq+R)+k*ln2_lo)))
     *     Here ln2 is split into two floating point number:
     *      ln2_hi + ln2_lo,
     *     where n*ln2_hi is always exact for |n| < 2000.
     *
     * Special cases:
     *  log(x) is NaN with signal if x < 0 (including -INF) ;
     *  log(+INF) is +INF; log(0) is -INF with signal;
     *  log(NaN) is that NaN with no signal.
     *
     * Accuracy:
     *  according to an error analysis, the error is always less than
     *  1 ulp (unit in the last place).
     *
     * Constants:
     * The hexadecimal values are the intended ones for the following
     * constants. The decimal values may be used, provided that the
     * compiler will convert from decimal to binary accurately enough
     * to produce the hexadecimal values shown.
     */
    static func log(_ xIn: Double) -> Double {
        let ln2_hi = 6.93147180369123816490e-01  /* 3fe62e42 fee00000 */
        let ln2_lo = 1.90821492927058770002e-10  /* 3dea39ef 35793c76 */
        let two54 = 1.80143985094819840000e+16   /* 43500000 00000000 */
        let Lg1 = 6.666666666666735130e-01       /* 3FE55555 55555593 */
        let Lg2 = 3.999999999940941908e-01       /* 3FD99999 9997FA04 */
        let Lg3 = 2.857142874366239149e-01       /* 3FD24924 94229359 */
        let Lg4 = 2.222219843214978396e-01       /* 3FCC71C5 1D8E78AF */
        let Lg5 = 1.818357216161805012e-01       /* 3FC74664 96CB03DE */
        let Lg6 = 1.531383769920937332e-01       /* 3FC39A09 D078C69F */
        let Lg7 = 1.479819860511658591e-01       /* 3FC2F112 DF3E5244 */
        let zero = 0.0

        var x = xIn
        var hx = Self.hi(x)
        let lx = Self.lo(x)

        var k: Int32 = 0
        if hx < 0x00100000 { /* x < 2**-1022  */
            if (hx & 0x7FFFFFFF) == 0 && lx == 0 {
                return -Double.infinity /* log(+-0)=-inf */
            }
            if hx < 0 {
                return Double.nan /* log(-#) = NaN */
            }
            k -= 54
            x *= two54 /* subnormal number, scale up x */
            hx = Self.hi(x)
        }
        if hx >= 0x7FF00000 { return x + x }
        k += (hx >> 20) - 1023
        hx &= 0x000FFFFF
        var i = (hx + 0x95F64) & 0x100000
        x = withHi(x, hx | (i ^ 0x3FF00000)) /* normalize x or x/2 */
        k += (i >> 20)
        let f = x - 1.0
        if (0x000FFFFF & (2 + hx)) < 3 { /* -2**-20 <= f < 2**-20 */
            if f == zero {
                if k == 0 {
                    return zero
                } else {
                    let dk = Double(k)
                    return dk * ln2_hi + dk * ln2_lo
                }
            }
            let R = f * f * (0.5 - 0.33333333333333333 * f)
            if k == 0 {
                return f - R
            } else {
                let dk = Double(k)
                return dk * ln2_hi - ((R - dk * ln2_lo) - f)
            }
        }
        let s = f / (2.0 + f)
        let dk = Double(k)
        let z = s * s
        i = hx - 0x6147A
        let w = z * z
        let j = 0x6B851 - hx
        let t1 = w * (Lg2 + w * (Lg4 + w * Lg6))
        let t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)))
        i |= j
        let R = t2 + t1
        if i > 0 {
            let hfsq = 0.5 * f * f
            if k == 0 {
                return f - (hfsq - s * (hfsq + R))
            } else {
                return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f)
            }
        } else {
            if k == 0 {
                return f - s * (f - R)
            } else {
                return dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f)
            }
        }
    }

    // MARK: - log2

    /*
     * k_log1p(f):
     * Return log(1+f) - f for 1+f in ~[sqrt(2)/2, sqrt(2)].
     *
     * The following describes the overall strategy for computing
     * logarithms in base e.  The argument reduction and adding the final
     * term of the polynomial are done by the caller for increased accuracy
     * when different bases are used.
     *
     * (The method is that of log above: s = f/(2+f), R(z) ~ Lg1*s^2+...+Lg7*s^14.)
     *
     * We always inline k_log1p(), since doing so produces a
     * substantial performance improvement (~40% on amd64).
     */
    @inline(__always) private static func k_log1p(_ f: Double) -> Double {
        let Lg1 = 6.666666666666735130e-01  /* 3FE55555 55555593 */
        let Lg2 = 3.999999999940941908e-01  /* 3FD99999 9997FA04 */
        let Lg3 = 2.857142874366239149e-01  /* 3FD24924 94229359 */
        let Lg4 = 2.222219843214978396e-01  /* 3FCC71C5 1D8E78AF */
        let Lg5 = 1.818357216161805012e-01  /* 3FC74664 96CB03DE */
        let Lg6 = 1.531383769920937332e-01  /* 3FC39A09 D078C69F */
        let Lg7 = 1.479819860511658591e-01  /* 3FC2F112 DF3E5244 */

        let s = f / (2.0 + f)
        let z = s * s
        let w = z * z
        let t1 = w * (Lg2 + w * (Lg4 + w * Lg6))
        let t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)))
        let R = t2 + t1
        let hfsq = 0.5 * f * f
        return s * (hfsq + R)
    }

    /*
     * Return the base 2 logarithm of x.  See e_log.c and k_log.h for most
     * comments.
     *
     * This reduces x to {k, 1+f} exactly as in e_log.c, then calls the kernel,
     * then does the combining and scaling steps
     *    log2(x) = (f - 0.5*f*f + k_log1p(f)) / ln2 + k
     * in not-quite-routine extra precision.
     */
    static func log2(_ xIn: Double) -> Double {
        let two54 = 1.80143985094819840000e+16    /* 0x43500000, 0x00000000 */
        let ivln2hi = 1.44269504072144627571e+00  /* 0x3FF71547, 0x65200000 */
        let ivln2lo = 1.67517131648865118353e-10  /* 0x3DE705FC, 0x2EEFA200 */

        var x = xIn
        var hx = Self.hi(x)
        let lx = Self.lo(x)

        var k: Int32 = 0
        if hx < 0x00100000 { /* x < 2**-1022  */
            if (hx & 0x7FFFFFFF) == 0 && lx == 0 {
                return -Double.infinity /* log(+-0)=-inf */
            }
            if hx < 0 {
                return Double.nan /* log(-#) = NaN */
            }
            k -= 54
            x *= two54 /* subnormal number, scale up x */
            hx = Self.hi(x)
        }
        if hx >= 0x7FF00000 { return x + x }
        if hx == 0x3FF00000 && lx == 0 { return 0.0 } /* log(1) = +0 */
        k += (hx >> 20) - 1023
        hx &= 0x000FFFFF
        let i = (hx + 0x95F64) & 0x100000
        x = withHi(x, hx | (i ^ 0x3FF00000)) /* normalize x or x/2 */
        k += (i >> 20)
        let y = Double(k)
        let f = x - 1.0
        let hfsq = 0.5 * f * f
        let r = k_log1p(f)

        /*
         * f-hfsq must (for args near 1) be evaluated in extra precision
         * to avoid a large cancellation when x is near sqrt(2) or 1/sqrt(2).
         * This is fairly efficient since f-hfsq only depends on f, so can
         * be evaluated in parallel with R.  Not combining hfsq with R also
         * keeps R small (though not as small as a true `lo' term would be),
         * so that extra precision is not needed for terms involving R.
         *
         * y must (for args near sqrt(2) and 1/sqrt(2)) be added in extra
         * precision to avoid a very large cancellation when x is very near
         * these values.  Unlike the above cancellations, this problem is
         * specific to base 2.  It is strange that adding +-1 is so much
         * harder than adding +-ln2 or +-log10_2.
         *
         * This uses Dekker's theorem to normalize y+val_hi.
         *
         * The multi-precision calculations for the multiplications are
         * routine.
         */
        var hi = f - hfsq
        hi = withLo(hi, 0)
        let lo = (f - hi) - hfsq + r
        var val_hi = hi * ivln2hi
        var val_lo = (lo + hi) * ivln2lo + lo * ivln2hi

        /* spadd(val_hi, val_lo, y), except for not using double_t: */
        let w = y + val_hi
        val_lo += (y - w) + val_hi
        val_hi = w

        return val_lo + val_hi
    }

    // MARK: - log10

    /*
     * Return the base 10 logarithm of x
     *
     * Method :
     *      Let log10_2hi = leading 40 bits of log10(2) and
     *          log10_2lo = log10(2) - log10_2hi,
     *          ivln10   = 1/log(10) rounded.
     *      Then
     *              n = ilogb(x),
     *              if(n<0)  n = n+1;
     *              x = scalbn(x,-n);
     *              log10(x) := n*log10_2hi + (n*log10_2lo + ivln10*log(x))
     *
     *  Note 1:
     *     To guarantee log10(10**n)=n, where 10**n is normal, the rounding
     *     mode must set to Round-to-Nearest.
     *  Note 2:
     *      [1/log(10)] rounded to 53 bits has error .198 ulps;
     *      log10 is monotonic at all binary break points.
     *
     *  Special cases:
     *      log10(x) is NaN if x < 0;
     *      log10(+INF) is +INF; log10(0) is -INF;
     *      log10(NaN) is that NaN;
     *      log10(10**N) = N  for N=0,1,...,22.
     */
    static func log10(_ xIn: Double) -> Double {
        let two54 = 1.80143985094819840000e+16      /* 0x43500000, 0x00000000 */
        let ivln10 = 4.34294481903251816668e-01
        let log10_2hi = 3.01029995663611771306e-01  /* 0x3FD34413, 0x509F6000 */
        let log10_2lo = 3.69423907715893078616e-13  /* 0x3D59FEF3, 0x11F12B36 */

        var x = xIn
        var hx = Self.hi(x)
        var lx = Self.lo(x)

        var k: Int32 = 0
        if hx < 0x00100000 { /* x < 2**-1022  */
            if (hx & 0x7FFFFFFF) == 0 && lx == 0 {
                return -Double.infinity /* log(+-0)=-inf */
            }
            if hx < 0 {
                return Double.nan /* log(-#) = NaN */
            }
            k -= 54
            x *= two54 /* subnormal number, scale up x */
            hx = Self.hi(x)
            lx = Self.lo(x)
        }
        if hx >= 0x7FF00000 { return x + x }
        if hx == 0x3FF00000 && lx == 0 { return 0.0 } /* log(1) = +0 */
        k += (hx >> 20) - 1023

        let i: Int32 = k < 0 ? 1 : 0   /* (k & 0x80000000) >> 31 */
        hx = (hx & 0x000FFFFF) | ((0x3FF - i) << 20)
        let y = Double(k + i)
        x = words(hx, lx)

        let z = y * log10_2lo + ivln10 * Self.log(x)
        return z + y * log10_2hi
    }

    // MARK: - pow

    /// fdlibm s_scalbn.c: x * 2^n, correctly rounded (one rounding, at the very end). V8's pow
    /// calls the C library's scalbn, which is exact in the same way; only subnormal results
    /// reach it.
    private static func scalbn(_ xIn: Double, _ n: Int32) -> Double {
        let two54 = 1.80143985094819840000e+16   /* 0x43500000, 0x00000000 */
        let twom54 = 5.55111512312578270212e-17  /* 0x3C900000, 0x00000000 */
        let huge = 1.0e+300
        let tiny = 1.0e-300

        var x = xIn
        var hx = Self.hi(x)
        let lx = Self.lo(x)
        var k = (hx & 0x7FF00000) >> 20 /* extract exponent */
        if k == 0 { /* 0 or subnormal x */
            if lx == 0 && (hx & 0x7FFFFFFF) == 0 { return x } /* +-0 */
            x *= two54
            hx = Self.hi(x)
            k = ((hx & 0x7FF00000) >> 20) - 54
            if n < -50000 { return tiny * x } /*underflow*/
        }
        if k == 0x7FF { return x + x } /* NaN or Inf */
        k = k &+ n
        if k > 0x7FE { return huge * (x.sign == .minus ? -huge : huge) } /* overflow  */
        if k > 0 { /* normal result */
            return Self.withHi(x, (hx & Int32(bitPattern: 0x800FFFFF)) | (k << 20))
        }
        if k <= -54 {
            if n > 50000 { /* in case integer overflow in n+k */
                return huge * (x.sign == .minus ? -huge : huge) /*overflow*/
            } else {
                return tiny * (x.sign == .minus ? -tiny : tiny) /*underflow*/
            }
        }
        k += 54 /* subnormal result */
        x = withHi(x, (hx & Int32(bitPattern: 0x800FFFFF)) | (k << 20))
        return x * twom54
    }

    /*
     * ES2019 Draft 2019-01-02 12.6.4
     * Math.pow & Exponentiation Operator
     *
     * Return X raised to the Yth power
     *
     * Method:
     *     Let x =  2   * (1+f)
     *     1. Compute and return log2(x) in two pieces:
     *        log2(x) = w1 + w2,
     *        where w1 has 53-24 = 29 bit trailing zeros.
     *     2. Perform y*log2(x) = n+y' by simulating muti-precision
     *        arithmetic, where |y'|<=0.5.
     *     3. Return x**y = 2**n*exp(y'*log2)
     *
     * Special cases:
     *     1.  (anything) ** 0  is 1
     *     2.  (anything) ** 1  is itself
     *     3.  (anything) ** NAN is NAN
     *     4.  NAN ** (anything except 0) is NAN
     *     5.  +-(|x| > 1) **  +INF is +INF
     *     6.  +-(|x| > 1) **  -INF is +0
     *     7.  +-(|x| < 1) **  +INF is +0
     *     8.  +-(|x| < 1) **  -INF is +INF
     *     9.  +-1         ** +-INF is NAN
     *     10. +0 ** (+anything except 0, NAN)               is +0
     *     11. -0 ** (+anything except 0, NAN, odd integer)  is +0
     *     12. +0 ** (-anything except 0, NAN)               is +INF
     *     13. -0 ** (-anything except 0, NAN, odd integer)  is +INF
     *     14. -0 ** (odd integer) = -( +0 ** (odd integer) )
     *     15. +INF ** (+anything except 0,NAN) is +INF
     *     16. +INF ** (-anything except 0,NAN) is +0
     *     17. -INF ** (anything)  = -0 ** (-anything)
     *     18. (-anything) ** (integer) is (-1)**(integer)*(+anything**integer)
     *     19. (-anything except 0 and inf) ** (non-integer) is NAN
     *
     * Accuracy:
     *      pow(x,y) returns x**y nearly rounded. In particular,
     *      pow(integer, integer) always returns the correct integer provided it is
     *      representable.
     *
     * Constants:
     *     The hexadecimal values are the intended ones for the following
     *     constants. The decimal values may be used, provided that the
     *     compiler will convert from decimal to binary accurately enough
     *     to produce the hexadecimal values shown.
     */
    static func pow(_ x: Double, _ y: Double) -> Double {
        let bp0 = 1.0, bp1 = 1.5                        // bp[] = {1.0, 1.5}
        let dp_h1 = 5.84962487220764160156e-01          // dp_h[] = {0.0, ...}: 0x3FE2B803, 0x40000000
        let dp_l1 = 1.35003920212974897128e-08          // dp_l[] = {0.0, ...}: 0x3E4CFDEB, 0x43CFD006
        let zero = 0.0, one = 1.0, two = 2.0
        let two53 = 9007199254740992.0                  // 0x43400000, 0x00000000
        let huge = 1.0e300, tiny = 1.0e-300
        // poly coefs for (3/2)*(log(x)-2s-2/3*s**3
        let L1 = 5.99999999999994648725e-01             // 0x3FE33333, 0x33333303
        let L2 = 4.28571428578550184252e-01             // 0x3FDB6DB6, 0xDB6FABFF
        let L3 = 3.33333329818377432918e-01             // 0x3FD55555, 0x518F264D
        let L4 = 2.72728123808534006489e-01             // 0x3FD17460, 0xA91D4101
        let L5 = 2.30660745775561754067e-01             // 0x3FCD864A, 0x93C9DB65
        let L6 = 2.06975017800338417784e-01             // 0x3FCA7E28, 0x4A454EEF
        let P1 = 1.66666666666666019037e-01             // 0x3FC55555, 0x5555553E
        let P2 = -2.77777777770155933842e-03            // 0xBF66C16C, 0x16BEBD93
        let P3 = 6.61375632143793436117e-05             // 0x3F11566A, 0xAF25DE2C
        let P4 = -1.65339022054652515390e-06            // 0xBEBBBD41, 0xC5D26BF1
        let P5 = 4.13813679705723846039e-08             // 0x3E663769, 0x72BEA4D0
        let lg2 = 6.93147180559945286227e-01            // 0x3FE62E42, 0xFEFA39EF
        let lg2_h = 6.93147182464599609375e-01          // 0x3FE62E43, 0x00000000
        let lg2_l = -1.90465429995776804525e-09         // 0xBE205C61, 0x0CA86C39
        let ovt = 8.0085662595372944372e-0017           // -(1024-log2(ovfl+.5ulp))
        let cp = 9.61796693925975554329e-01             // 0x3FEEC709, 0xDC3A03FD =2/(3ln2)
        let cp_h = 9.61796700954437255859e-01           // 0x3FEEC709, 0xE0000000 =(float)cp
        let cp_l = -7.02846165095275826516e-09          // 0xBE3E2FE0, 0x145B01F5 =tail cp_h
        let ivln2 = 1.44269504088896338700e+00          // 0x3FF71547, 0x652B82FE =1/ln2
        let ivln2_h = 1.44269502162933349609e+00        // 0x3FF71547, 0x60000000 =24b 1/ln2
        let ivln2_l = 1.92596299112661746887e-08        // 0x3E54AE0B, 0xF85DDF44 =1/ln2 tail

        var z: Double, ax: Double, z_h: Double, z_l: Double, p_h: Double, p_l: Double
        var t1: Double, t2: Double, r: Double, s: Double, t: Double, u: Double, v: Double, w: Double
        var i: Int32, j: Int32, k: Int32, yisint: Int32, n: Int32

        let hx = Self.hi(x), lx = Self.lo(x)
        let hy = Self.hi(y), ly = Self.lo(y)
        var ix = hx & 0x7fffffff
        let iy = hy & 0x7fffffff

        /* y==zero: x**0 = 1 */
        if iy == 0 && ly == 0 { return one }

        /* +-NaN return x+y */
        if ix > 0x7ff00000 || (ix == 0x7ff00000 && lx != 0) || iy > 0x7ff00000 ||
            (iy == 0x7ff00000 && ly != 0) {
            return x + y
        }

        /* determine if y is an odd int when x < 0
         * yisint = 0 ... y is not an integer
         * yisint = 1 ... y is an odd int
         * yisint = 2 ... y is an even int
         */
        yisint = 0
        if hx < 0 {
            if iy >= 0x43400000 {
                yisint = 2 /* even integer y */
            } else if iy >= 0x3ff00000 {
                k = (iy >> 20) - 0x3ff /* exponent */
                if k > 20 {
                    let uj = ly >> UInt32(52 - k)
                    if (uj << UInt32(52 - k)) == ly { yisint = 2 - Int32(uj & 1) }
                } else if ly == 0 {
                    j = iy >> (20 - k)
                    if (j << (20 - k)) == iy { yisint = 2 - (j & 1) }
                }
            }
        }

        /* special value of y */
        if ly == 0 {
            if iy == 0x7ff00000 { /* y is +-inf */
                if ix == 0x3ff00000 && lx == 0 {
                    return y - y               /* inf**+-1 is NaN */
                } else if ix >= 0x3ff00000 { /* (|x|>1)**+-inf = inf,0 */
                    return (hy >= 0) ? y : zero
                } else { /* (|x|<1)**-,+inf = inf,0 */
                    return (hy < 0) ? -y : zero
                }
            }
            if iy == 0x3ff00000 { /* y is  +-1 */
                if hy < 0 {
                    return one / x
                } else {
                    return x
                }
            }
            if hy == 0x40000000 { return x * x } /* y is  2 */
            if hy == 0x3fe00000 {             /* y is  0.5 */
                if hx >= 0 {                    /* x >= +0 */
                    return x.squareRoot()
                }
            }
        }

        ax = Swift.abs(x)
        /* special value of x */
        if lx == 0 {
            if ix == 0x7ff00000 || ix == 0 || ix == 0x3ff00000 {
                z = ax                         /*x is +-0,+-inf,+-1*/
                if hy < 0 { z = one / z }      /* z = (1/|x|) */
                if hx < 0 {
                    if ix == 0x3ff00000 && yisint == 0 {
                        /* (-1)**non-int is NaN */
                        z = Double.nan
                    } else if yisint == 1 {
                        z = -z /* (x<0)**odd = -(|x|**odd) */
                    }
                }
                return z
            }
        }

        n = (hx >> 31) + 1

        /* (x<0)**(non-int) is NaN */
        if (n | yisint) == 0 {
            return Double.nan
        }

        s = one /* s (sign of result -ve**odd) = -1 else = 1 */
        if n == 0 && yisint == 1 { s = -one } /* (-ve)**(odd int) */

        /* |y| is huge */
        if iy > 0x41e00000 {   /* if |y| > 2**31 */
            if iy > 0x43f00000 { /* if |y| > 2**64, must o/uflow */
                if ix <= 0x3fefffff { return (hy < 0) ? huge * huge : tiny * tiny }
                if ix >= 0x3ff00000 { return (hy > 0) ? huge * huge : tiny * tiny }
            }
            /* over/underflow if x is not close to one */
            if ix < 0x3fefffff { return (hy < 0) ? s * huge * huge : s * tiny * tiny }
            if ix > 0x3ff00000 { return (hy > 0) ? s * huge * huge : s * tiny * tiny }
            /* now |1-x| is tiny <= 2**-20, suffice to compute
               log(x) by x-x^2/2+x^3/3-x^4/4 */
            t = ax - one /* t has 20 trailing zeros */
            w = (t * t) * (0.5 - t * (0.3333333333333333333333 - t * 0.25))
            u = ivln2_h * t /* ivln2_h has 21 sig. bits */
            v = t * ivln2_l - w * ivln2
            t1 = u + v
            t1 = withLo(t1, 0)
            t2 = v - (t1 - u)
        } else {
            var ss: Double, s2: Double, s_h: Double, s_l: Double, t_h: Double, t_l: Double
            n = 0
            /* take care subnormal number */
            if ix < 0x00100000 {
                ax *= two53
                n -= 53
                ix = Self.hi(ax)
            }
            n += ((ix) >> 20) - 0x3ff
            j = ix & 0x000fffff
            /* determine interval */
            ix = j | 0x3ff00000 /* normalize ix */
            if j <= 0x3988E {
                k = 0 /* |x|<sqrt(3/2) */
            } else if j < 0xBB67A {
                k = 1 /* |x|<sqrt(3)   */
            } else {
                k = 0
                n += 1
                ix -= 0x00100000
            }
            ax = withHi(ax, ix)
            let bpk = k == 0 ? bp0 : bp1
            let dp_hk = k == 0 ? 0.0 : dp_h1
            let dp_lk = k == 0 ? 0.0 : dp_l1

            /* compute ss = s_h+s_l = (x-1)/(x+1) or (x-1.5)/(x+1.5) */
            u = ax - bpk /* bp[0]=1.0, bp[1]=1.5 */
            v = one / (ax + bpk)
            ss = u * v
            s_h = ss
            s_h = withLo(s_h, 0)
            /* t_h=ax+bp[k] High */
            t_h = zero
            t_h = withHi(t_h, ((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18))
            t_l = ax - (t_h - bpk)
            s_l = v * ((u - s_h * t_h) - s_h * t_l)
            /* compute log(ax) */
            s2 = ss * ss
            r = s2 * s2 *
                (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))))
            r += s_l * (s_h + ss)
            s2 = s_h * s_h
            t_h = 3.0 + s2 + r
            t_h = withLo(t_h, 0)
            t_l = r - ((t_h - 3.0) - s2)
            /* u+v = ss*(1+...) */
            u = s_h * t_h
            v = s_l * t_h + t_l * ss
            /* 2/(3log2)*(ss+...) */
            p_h = u + v
            p_h = withLo(p_h, 0)
            p_l = v - (p_h - u)
            z_h = cp_h * p_h /* cp_h+cp_l = 2/(3*log2) */
            z_l = cp_l * p_h + p_l * cp + dp_lk
            /* log2(ax) = (ss+..)*2/(3*log2) = n + dp_h + z_h + z_l */
            t = Double(n)
            t1 = (((z_h + z_l) + dp_hk) + t)
            t1 = withLo(t1, 0)
            t2 = z_l - (((t1 - t) - dp_hk) - z_h)
        }

        /* split up y into y1+y2 and compute (y1+y2)*(t1+t2) */
        let y1 = withLo(y, 0)
        p_l = (y - y1) * t1 + y * t2
        p_h = y1 * t1
        z = p_l + p_h
        j = Self.hi(z)
        i = Int32(bitPattern: Self.lo(z))
        if j >= 0x40900000 {                        /* z >= 1024 */
            if j != 0x40900000 || i != 0 {          /* if z > 1024 */
                return s * huge * huge              /* overflow */
            } else {
                if p_l + ovt > z - p_h { return s * huge * huge } /* overflow */
            }
        } else if (j & 0x7fffffff) >= 0x4090cc00 {  /* z <= -1075 */
            if j != Int32(bitPattern: 0xc090cc00) || i != 0 { /* z < -1075 */
                return s * tiny * tiny              /* underflow */
            } else {
                if p_l <= z - p_h { return s * tiny * tiny } /* underflow */
            }
        }
        /*
         * compute 2**(p_h+p_l)
         */
        i = j & 0x7fffffff
        k = (i >> 20) - 0x3ff
        n = 0
        if i > 0x3fe00000 { /* if |z| > 0.5, set n = [z+0.5] */
            n = j &+ (0x00100000 >> (k + 1))
            k = ((n & 0x7fffffff) >> 20) - 0x3ff /* new k for n */
            t = zero
            t = withHi(t, n & ~(0x000fffff >> k))
            n = ((n & 0x000fffff) | 0x00100000) >> (20 - k)
            if j < 0 { n = -n }
            p_h -= t
        }
        t = p_l + p_h
        t = withLo(t, 0)
        u = t * lg2_h
        v = (p_l - (t - p_h)) * lg2 + t * lg2_l
        z = u + v
        w = v - (z - u)
        t = z * z
        t1 = z - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))))
        r = (z * t1) / ((t1 - two) - (w + z * w))
        z = one - (r - z)
        j = Self.hi(z)
        j = j &+ Int32(bitPattern: UInt32(bitPattern: n) << 20)
        if (j >> 20) <= 0 {
            z = Self.scalbn(z, n) /* subnormal output */
        } else {
            let tmp = Self.hi(z)
            z = withHi(z, tmp &+ Int32(bitPattern: UInt32(bitPattern: n) << 20))
        }
        return s * z
    }
}
