// JSMath: exp, a faithful port of V8's fdlibm-derived code (src/base/ieee754.cc).
// Adapted from fdlibm (Sun Microsystems, 1993) as modified by the V8 project authors; the fdlibm
// notice and V8's BSD-style license that cover this file are reproduced in JSMath.swift, and what
// was measured against node is described there.

extension JSMath {
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
}
