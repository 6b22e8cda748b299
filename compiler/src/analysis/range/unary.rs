//! The range rules of the one-operand elementwise ops: the generic rules that a
//! row of the op table can name (`Increasing`, `IncreasingFrom`, `Even`), which
//! evaluate the row's element formula at the ends of the operand's interval, and
//! the rules of their own that the other rows name.

use graphc_runtime::op::{Unary, UnaryRange};
use graphc_runtime::DType;

use super::{exp_limit, extend, hull, max_finite, overflow_origins, Cause, Cond, HazardKind, Range, Run, Side};
use crate::ir::graph::NodeId;

impl Run<'_> {
    /// The range of `u` applied to operand `x`, whose range (as `n` sees it) is `a`.
    pub(super) fn unary(&mut self, n: NodeId, u: Unary, x: NodeId, a: &Range, dt: DType) -> Range {
        match u.range_rule() {
            UnaryRange::Increasing => self.increasing(n, u, a, f64::NEG_INFINITY, dt),
            UnaryRange::IncreasingFrom(min) => self.increasing(n, u, a, min, dt),
            UnaryRange::Decreasing => decreasing(u, a),
            UnaryRange::Even => self.even(n, u, a, dt),
            UnaryRange::Negation => Range { lo: -a.hi, hi: -a.lo, pos_inf: a.neg_inf.clone(), neg_inf: a.pos_inf.clone(), ..a.clone() },
            UnaryRange::Identity => a.clone(),
            UnaryRange::Exp => self.exp(n, x, a, dt),
            UnaryRange::AsPower(c) => self.pow_scalar(n, a, c),
            UnaryRange::IncreasingOn(lo, hi) => self.monotone_on(n, u, a, (lo, hi), true),
            UnaryRange::DecreasingOn(lo, hi) => self.monotone_on(n, u, a, (lo, hi), false),
            UnaryRange::Tan => self.tan(n, u, a, dt),
            UnaryRange::Unbounded => {
                let mut r = Range::unbounded();
                r.nan = a.nan || a.lo < 0.0;
                r.nan_reported = a.nan_reported;
                r
            }
            UnaryRange::Dip(argmin) => self.dip(n, u, a, argmin, dt),
            UnaryRange::Log => {
                let smallest = match dt {
                    DType::F32 => 2f64.powi(-149).ln(),
                    DType::F64 | DType::I64 | DType::Bool => 4.9e-324f64.ln(),
                };
                let mut r = Range::new(if a.lo <= 0.0 { smallest } else { a.lo.ln() }, if a.hi <= 0.0 { smallest } else { a.hi.ln() });
                r.pos_inf = a.pos_inf.clone();
                if a.may_be_zero() {
                    r.neg_inf.push(Cause { origin: n, overflow: false, cond: None });
                }
                r.nan = a.nan || a.lo < 0.0;
                r.nan_reported = a.nan_reported;
                if !a.neg_inf.is_empty() && !a.nan_reported {
                    self.hazard(n, HazardKind::NanAtInf, overflow_origins(&a.neg_inf), &mut r);
                }
                r
            }
            UnaryRange::Sqrt => {
                let mut r = Range::new(a.lo.max(0.0).sqrt(), a.hi.max(0.0).sqrt());
                r.pos_inf = a.pos_inf.clone();
                r.nan = a.nan || a.lo < 0.0;
                r.nan_reported = a.nan_reported;
                if !a.neg_inf.is_empty() && !a.nan_reported {
                    self.hazard(n, HazardKind::NanAtInf, overflow_origins(&a.neg_inf), &mut r);
                }
                r
            }
            UnaryRange::Periodic => {
                let mut r = Range::new(-1.0, 1.0);
                r.nan = a.nan;
                r.nan_reported = a.nan_reported;
                if a.may_be_inf() && !a.nan_reported {
                    self.hazard(n, HazardKind::NanAtInf, overflow_origins(&a.all_inf()), &mut r);
                }
                r
            }
            UnaryRange::Abs => {
                let (lo, hi) = if a.lo >= 0.0 {
                    (a.lo, a.hi)
                } else if a.hi <= 0.0 {
                    (-a.hi, -a.lo)
                } else {
                    (0.0, a.hi.max(-a.lo))
                };
                Range { lo, hi, pos_inf: a.all_inf(), neg_inf: Vec::new(), ..a.clone() }
            }
            UnaryRange::Sign => {
                // sign(NaN) is 0 in graphc's kernel, so no NaN passes through.
                let lo = if a.may_be_negative() {
                    -1.0
                } else if a.may_be_zero() || a.nan {
                    0.0
                } else {
                    1.0
                };
                let hi = if a.may_be_positive() {
                    1.0
                } else if a.may_be_zero() || a.nan {
                    0.0
                } else {
                    -1.0
                };
                Range::new(lo, hi)
            }
        }
    }

    /// A non-decreasing op on `[min, inf)` (all reals when `min` is -inf), NaN
    /// below `min`: the formula at the ends of the operand's interval, clipped to
    /// the domain, and at ±inf where the operand can be infinite. A value of -inf
    /// at `min` itself is a pole (an exact infinity); one at a finite operand
    /// beyond the dtype's range is an overflow, claimed only for a bounded operand
    /// (as for linear arithmetic, an unknown bound is not taken as an overflow).
    fn increasing(&mut self, n: NodeId, u: Unary, a: &Range, min: f64, dt: DType) -> Range {
        let f = |x: f64| u.apply(x);
        let (lo_x, hi_x) = (a.lo.max(min), a.hi.max(min));
        let mut r = Range::new(f(lo_x), f(hi_x));
        r.nan = a.nan || a.lo < min;
        r.nan_reported = a.nan_reported;
        let pole = lo_x.is_finite() && r.lo == f64::NEG_INFINITY;
        if pole {
            r.neg_inf.push(Cause { origin: n, overflow: false, cond: None });
        }
        let at_pos_inf = f(f64::INFINITY);
        if !a.pos_inf.is_empty() {
            if at_pos_inf.is_infinite() {
                extend(&mut r.pos_inf, &a.pos_inf);
            } else {
                r.hi = r.hi.max(at_pos_inf);
            }
        }
        if !a.neg_inf.is_empty() {
            if min > f64::NEG_INFINITY {
                // Below the domain: NaN, caused by whatever made the operand -inf.
                if !a.nan_reported {
                    self.hazard(n, HazardKind::NanAtInf, overflow_origins(&a.neg_inf), &mut r);
                }
            } else {
                let at_neg_inf = f(f64::NEG_INFINITY);
                if at_neg_inf.is_infinite() {
                    extend(&mut r.neg_inf, &a.neg_inf);
                } else {
                    r.lo = r.lo.min(at_neg_inf);
                }
            }
        }
        self.overflow_check(n, &mut r, a.bounded() && !pole, dt);
        r
    }

    /// An even op, non-decreasing in `|x|`: the formula at the smallest and
    /// largest magnitude of the operand; either infinity of the operand gives the
    /// formula at +inf.
    fn even(&mut self, n: NodeId, u: Unary, a: &Range, dt: DType) -> Range {
        let f = |x: f64| u.apply(x);
        let (m_lo, m_hi) = if a.lo >= 0.0 {
            (a.lo, a.hi)
        } else if a.hi <= 0.0 {
            (-a.hi, -a.lo)
        } else {
            (0.0, a.hi.max(-a.lo))
        };
        let mut r = Range::new(f(m_lo), f(m_hi));
        r.nan = a.nan;
        r.nan_reported = a.nan_reported;
        if a.may_be_inf() {
            let at_inf = f(f64::INFINITY);
            if at_inf.is_infinite() {
                r.pos_inf = a.all_inf();
            } else {
                let (lo, hi) = hull(&[r.lo, r.hi, at_inf]);
                (r.lo, r.hi) = (lo, hi);
            }
        }
        self.overflow_check(n, &mut r, a.bounded(), dt);
        r
    }

    /// An op monotone on `[lo, hi]` and NaN outside it: the formula at the ends
    /// of the operand's interval clipped to the domain. An infinite value at an
    /// end of the domain is a pole (`atanh(1)`), an exact infinity.
    fn monotone_on(&mut self, n: NodeId, u: Unary, a: &Range, (lo, hi): (f64, f64), increasing: bool) -> Range {
        let f = |x: f64| u.apply(x);
        let (x0, x1) = (a.lo.clamp(lo, hi), a.hi.clamp(lo, hi));
        let (v0, v1) = if increasing { (f(x0), f(x1)) } else { (f(x1), f(x0)) };
        let mut r = Range::new(v0, v1);
        let pole = Cause { origin: n, overflow: false, cond: None };
        if r.hi == f64::INFINITY {
            r.pos_inf.push(pole);
        }
        if r.lo == f64::NEG_INFINITY {
            r.neg_inf.push(pole);
        }
        r.nan = a.nan || a.lo < lo || a.hi > hi;
        r.nan_reported = a.nan_reported;
        // Outside the domain, so an infinite operand gives NaN.
        if a.may_be_inf() && !a.nan_reported {
            self.hazard(n, HazardKind::NanAtInf, overflow_origins(&a.all_inf()), &mut r);
        }
        r
    }

    /// `tan`: increasing within `(-pi/2, pi/2)`; an operand beyond that can give
    /// any finite value (no float is a pole, so `tan` itself never overflows to
    /// inf in practice), and NaN at infinity.
    fn tan(&mut self, n: NodeId, u: Unary, a: &Range, dt: DType) -> Range {
        let half_pi = std::f64::consts::FRAC_PI_2;
        let mut r = if a.lo > -half_pi && a.hi < half_pi {
            let mut r = Range::new(u.apply(a.lo), u.apply(a.hi));
            self.overflow_check(n, &mut r, a.bounded(), dt);
            r
        } else {
            Range::unbounded()
        };
        r.nan = a.nan;
        r.nan_reported = a.nan_reported;
        if a.may_be_inf() && !a.nan_reported {
            self.hazard(n, HazardKind::NanAtInf, overflow_origins(&a.all_inf()), &mut r);
        }
        r
    }

    /// `silu`, `mish`: decreasing below their minimum at `argmin` and increasing
    /// above it, so the largest value over an interval is at an end, and the
    /// smallest at an end or the minimum. The value at +inf is +inf; at -inf it
    /// is NaN (`-inf / inf`, `-inf * 0`).
    fn dip(&mut self, n: NodeId, u: Unary, a: &Range, argmin: f64, dt: DType) -> Range {
        let f = |x: f64| u.apply(x);
        // An unknown lower end stands for values near 0 from below, an unknown
        // upper end for no upper bound.
        let at_lo = if a.lo.is_finite() { f(a.lo) } else { 0.0 };
        let at_hi = if a.hi.is_finite() { f(a.hi) } else { f64::INFINITY };
        let (mut lo, hi) = hull(&[at_lo, at_hi]);
        if a.lo <= argmin && argmin <= a.hi {
            lo = lo.min(f(argmin));
        }
        let mut r = Range::new(lo, hi);
        r.pos_inf = a.pos_inf.clone();
        r.nan = a.nan;
        r.nan_reported = a.nan_reported;
        if !a.neg_inf.is_empty() && !a.nan_reported {
            self.hazard(n, HazardKind::NanAtInf, overflow_origins(&a.neg_inf), &mut r);
        }
        self.overflow_check(n, &mut r, a.bounded(), dt);
        r
    }

    fn exp(&mut self, n: NodeId, x: NodeId, a: &Range, dt: DType) -> Range {
        let limit = exp_limit(dt);
        let lo = if a.neg_inf.is_empty() { a.lo.exp() } else { 0.0 };
        let mut r = Range::new(lo, a.hi.exp().min(max_finite(dt)));
        r.pos_inf = a.pos_inf.clone();
        r.nan = a.nan;
        r.nan_reported = a.nan_reported;
        // exp overflows on ordinary arguments, so an unbounded argument counts too.
        if a.hi > limit {
            let f = self.affine.get(&x).copied();
            let cond = f.map(|f| Cond { root: f.root, side: if f.a > 0.0 { Side::Above } else { Side::Below }, t: (limit - f.b) / f.a });
            r.pos_inf.insert(0, Cause { origin: n, overflow: true, cond });
        }
        r
    }

    pub(super) fn pow_scalar(&mut self, n: NodeId, a: &Range, c: f64) -> Range {
        let dt = self.graph.node(n).dtype;
        if c == 0.0 {
            // PyTorch's special case: ones, even for NaN and infinities.
            return Range::new(1.0, 1.0);
        }
        if c == 1.0 {
            return a.clone();
        }
        let int = c.fract() == 0.0;
        let odd = int && (c.abs() % 2.0) == 1.0;
        let mut r;
        // A non-integer power of a negative number is NaN; only x >= 0 counts for bounds.
        let (lo, hi) = if int { (a.lo, a.hi) } else { (a.lo.max(0.0), a.hi.max(0.0)) };
        let straddles = lo <= 0.0 && 0.0 <= hi;
        if c < 0.0 && straddles {
            // 1 / 0: an exact infinity, not an overflow.
            r = Range::new(if odd && lo < 0.0 { f64::NEG_INFINITY } else { 0.0 }, f64::INFINITY);
            let cause = Cause { origin: n, overflow: false, cond: None };
            r.pos_inf.push(cause);
            if odd && lo < 0.0 {
                r.neg_inf.push(cause);
            }
            if !(odd && lo < 0.0) {
                // Without a sign change the smallest value is at the largest magnitude.
                r.lo = lo.abs().max(hi.abs()).powf(c);
            }
        } else {
            let mut points = vec![lo.powf(c), hi.powf(c)];
            if straddles {
                points.push(0.0);
            }
            let (plo, phi) = hull(&points);
            r = Range::new(plo, phi);
        }
        // Infinities in: inf ** c is inf for c > 0 and 0 for c < 0.
        if c > 0.0 {
            extend(&mut r.pos_inf, &a.pos_inf);
            if odd {
                extend(&mut r.neg_inf, &a.neg_inf);
            } else {
                extend(&mut r.pos_inf, &a.neg_inf);
            }
        }
        r.nan = a.nan || (!int && a.may_be_negative());
        r.nan_reported = a.nan_reported;
        // Near zero a negative power is unbounded because of the division, not an overflow.
        self.overflow_check(n, &mut r, a.bounded() && !(c < 0.0 && straddles), dt);
        r
    }
}

/// A non-increasing op with finite values at ±inf (`erfc`): the formula at the
/// operand's upper and lower bounds, widened to the value at an infinity the
/// operand may take. Its values are bounded, so it never overflows.
fn decreasing(u: Unary, a: &Range) -> Range {
    let f = |x: f64| u.apply(x);
    let mut r = Range::new(f(a.hi), f(a.lo));
    if !a.pos_inf.is_empty() {
        r.lo = r.lo.min(f(f64::INFINITY));
    }
    if !a.neg_inf.is_empty() {
        r.hi = r.hi.max(f(f64::NEG_INFINITY));
    }
    r.nan = a.nan;
    r.nan_reported = a.nan_reported;
    r
}
