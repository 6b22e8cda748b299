//! SLEEF's `hypotf` and `hypot` with 0.5-ulp bounds (`xhypotf_u05`,
//! `xhypot_u05`), as built with FMA: `Vectorized::hypot`, the vector lambda of
//! PyTorch's `hypot` kernel. See the module documentation for provenance and
//! license.

/// Generates one type's function: `max * sqrt(1 + (min / max)^2)` in
/// double-float arithmetic, with the operands scaled up first when both are
/// subnormal so that the quotient keeps its bits.
macro_rules! hypot_fn {
    ($name:ident, $t:ty, $pair:ident, $scale:expr) => {
        /// SLEEF's `hypot` u05 of one pair of elements.
        #[inline(always)]
        pub fn $name(x: $t, y: $t) -> $t {
            use super::df::$pair::{add2_p_s, div, mul_p_s, sqrt, squ, P};
            let (x, y) = (x.abs(), y.abs());
            // `vmin`/`vmax` (`minps`/`maxps`): a NaN operand gives the second;
            // the NaN cases are decided at the end, so either is fine here.
            let min = if x < y { x } else { y };
            let max = if x > y { x } else { y };
            let (mut n, mut d) = (min, max);
            if max < <$t>::MIN_POSITIVE {
                n *= $scale;
                d *= $scale;
            }
            let t = div(P { x: n, y: 0.0 }, P { x: d, y: 0.0 });
            let t = mul_p_s(sqrt(add2_p_s(squ(t), 1.0)), max);
            let mut ret = t.x + t.y;
            if ret.is_nan() {
                ret = <$t>::INFINITY;
            }
            if min == 0.0 {
                ret = max;
            }
            if x.is_nan() || y.is_nan() {
                ret = <$t>::NAN;
            }
            if x == <$t>::INFINITY || y == <$t>::INFINITY {
                ret = <$t>::INFINITY;
            }
            ret
        }
    };
}

hypot_fn!(hypot_f32, f32, df, (1u64 << 24) as f32);
hypot_fn!(hypot_f64, f64, dd, (1u64 << 54) as f64);
