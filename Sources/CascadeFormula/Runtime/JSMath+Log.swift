// JSMath: log, log2 and log10, a faithful port of V8's fdlibm-derived code (src/base/ieee754.cc).
// Adapted from fdlibm (Sun Microsystems, 1993) as modified by the V8 project authors; the fdlibm
// notice and V8's BSD-style license that cover this file are reproduced in JSMath.swift, and what
// was measured against node is described there.

extension JSMath {
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
    @inline(__always) fileprivate static func k_log1p(_ f: Double) -> Double {
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
}
