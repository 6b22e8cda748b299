//! SLEEF's double-float (`df.h`) and double-double (`dd.h`) arithmetic on its
//! FMA paths: a value as an unevaluated sum `x + y` of two floats of the type.
//! Only the operations the ported functions use. See the module documentation
//! for provenance and license.

/// Generates the operations for one float type.
macro_rules! pair_ops {
    ($m:ident, $t:ty) => {
        // Each type's functions use a different subset of the operations.
        #[allow(dead_code)]
        pub(super) mod $m {
            /// `x + y`, `|y|` at most half an ulp of `x`.
            #[derive(Clone, Copy)]
            pub struct P {
                pub x: $t,
                pub y: $t,
            }

            /// `dfadd_vf2_vf_vf2`: `x + y` where `|x| >= |y|`.
            #[inline(always)]
            pub fn add_s_p(x: $t, y: P) -> P {
                let rx = x + y.x;
                P { x: rx, y: ((x - rx) + y.x) + y.y }
            }

            /// `dfadd2_vf2_vf2_vf`: `x + y` for any magnitudes.
            #[inline(always)]
            pub fn add2_p_s(x: P, y: $t) -> P {
                let rx = x.x + y;
                let v = rx - x.x;
                let ry = (x.x - (rx - v)) + (y - v);
                P { x: rx, y: ry + x.y }
            }

            /// `dfadd2_vf2_vf_vf2`: `x + y` for any magnitudes.
            #[inline(always)]
            pub fn add2_s_p(x: $t, y: P) -> P {
                let rx = x + y.x;
                let v = rx - x;
                let ry = (x - (rx - v)) + (y.x - v);
                P { x: rx, y: ry + y.y }
            }

            /// `dfnormalize_vf2_vf2`: the pair with its sum in `x`.
            #[inline(always)]
            pub fn normalize(t: P) -> P {
                let s = t.x + t.y;
                P { x: s, y: (t.x - s) + t.y }
            }

            /// `dfabs_vf2_vf2`: `|x|`, the low part's sign flipped with the high part's.
            #[inline(always)]
            pub fn abs(d: P) -> P {
                P { x: d.x.abs(), y: if d.x.is_sign_negative() { -d.y } else { d.y } }
            }

            /// `dfadd2_vf2_vf2_vf2`.
            #[inline(always)]
            pub fn add2_p_p(x: P, y: P) -> P {
                let rx = x.x + y.x;
                let v = rx - x.x;
                let ry = (x.x - (rx - v)) + (y.x - v);
                P { x: rx, y: ry + (x.y + y.y) }
            }

            /// `dfmul_vf2_vf2_vf`.
            #[inline(always)]
            pub fn mul_p_s(x: P, y: $t) -> P {
                let rx = x.x * y;
                P { x: rx, y: x.y.mul_add(y, x.x.mul_add(y, -rx)) }
            }

            /// `dfmul_vf2_vf2_vf2`.
            #[inline(always)]
            pub fn mul_p_p(x: P, y: P) -> P {
                let rx = x.x * y.x;
                P { x: rx, y: x.x.mul_add(y.y, x.y.mul_add(y.x, x.x.mul_add(y.x, -rx))) }
            }

            /// `dfadd_vf2_vf2_vf2`: `x + y` where `|x| >= |y|`.
            #[inline(always)]
            pub fn add_p_p(x: P, y: P) -> P {
                let rx = x.x + y.x;
                P { x: rx, y: (((x.x - rx) + y.x) + x.y) + y.y }
            }

            /// `dfsub_vf2_vf2_vf2`: `x - y` where `|x| >= |y|`.
            #[inline(always)]
            pub fn sub_p_p(x: P, y: P) -> P {
                let rx = x.x - y.x;
                P { x: rx, y: (((x.x - rx) - y.x) + x.y) - y.y }
            }

            /// `dfneg_vf2_vf2`.
            #[inline(always)]
            pub fn neg(x: P) -> P {
                P { x: -x.x, y: -x.y }
            }

            /// `dfadd2_vf2_vf_vf`: `x + y` for any magnitudes.
            #[inline(always)]
            pub fn add2_s_s(x: $t, y: $t) -> P {
                let rx = x + y;
                let v = rx - x;
                P { x: rx, y: (x - (rx - v)) + (y - v) }
            }

            /// `dfdiv_vf2_vf2_vf2` on SLEEF's FMA path.
            #[inline(always)]
            pub fn div(n: P, d: P) -> P {
                let t = 1.0 / d.x;
                let s = n.x * t;
                let u = t.mul_add(n.x, -s);
                let v = (-d.y).mul_add(t, (-d.x).mul_add(t, 1.0));
                P { x: s, y: s.mul_add(v, n.y.mul_add(t, u)) }
            }

            /// `dfrec_vf2_vf2` on SLEEF's FMA path: `1 / d`.
            #[inline(always)]
            pub fn rec(d: P) -> P {
                let s = 1.0 / d.x;
                P { x: s, y: s * (-d.y).mul_add(s, (-d.x).mul_add(s, 1.0)) }
            }

            /// `dfmul_vf2_vf_vf` on SLEEF's FMA path: `x * y` exactly.
            #[inline(always)]
            pub fn mul_s_s(x: $t, y: $t) -> P {
                let rx = x * y;
                P { x: rx, y: x.mul_add(y, -rx) }
            }

            /// `dfrec_vf2_vf` on SLEEF's FMA path: `1 / d` of a single value.
            #[inline(always)]
            pub fn rec_s(d: $t) -> P {
                let s = 1.0 / d;
                P { x: s, y: s * (-d).mul_add(s, 1.0) }
            }

            /// `dfsqrt_vf2_vf2` without SLEEF's reciprocal-square-root variant
            /// (which x86 builds do not enable): one Newton step from the
            /// square root of the pair's sum.
            #[inline(always)]
            pub fn sqrt(d: P) -> P {
                let t = (d.x + d.y).sqrt();
                scale(mul_p_p(add2_p_p(d, mul_s_s(t, t)), rec_s(t)), 0.5)
            }

            /// `dfscale_vf2_vf2_vf`.
            #[inline(always)]
            pub fn scale(d: P, s: $t) -> P {
                P { x: d.x * s, y: d.y * s }
            }

            /// `dfsqu_vf2_vf2`.
            #[inline(always)]
            pub fn squ(x: P) -> P {
                let rx = x.x * x.x;
                P { x: rx, y: (x.x + x.x).mul_add(x.y, x.x.mul_add(x.x, -rx)) }
            }
        }
    };
}

pair_ops!(df, f32);
pair_ops!(dd, f64);
