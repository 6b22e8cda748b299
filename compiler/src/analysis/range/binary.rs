//! The range rules of the two-operand elementwise ops, named by the rows of the
//! op table.

use graphc_runtime::op::{Binary, BinaryRange};
use graphc_runtime::DType;

use super::{clash, extend, hull, max_finite, mul_b, overflow_origins, Cause, HazardKind, Range, Run};
use crate::ir::graph::NodeId;

impl Run<'_> {
    /// The range of `op` applied to operands `ops`, whose ranges (as `n` sees them) are `args`.
    pub(super) fn binary(&mut self, n: NodeId, op: Binary, ops: &[NodeId], args: &[Range], dt: DType) -> Range {
        let rule = op.range_rule();
        match rule {
            // `keep_graph(old, new)` holds `new`'s values.
            BinaryRange::Second => args[1].clone(),
            // A gradient times a factor in [0, 1] stays within the gradient's magnitude.
            BinaryRange::UnitFactorOfFirst => {
                let m = args[0].lo.abs().max(args[0].hi.abs());
                let mut r = Range::new(-m, m);
                r.nan = args[0].nan || args[1].nan;
                r.nan_reported = args[0].nan_reported || args[1].nan_reported;
                r
            }
            // `copysign(a, b)`: `|a|` with either sign; NaN only from `a` (a NaN sign source gives `±|a|`).
            BinaryRange::MagnitudeOfFirst => {
                let a = &args[0];
                let m = a.lo.abs().max(a.hi.abs());
                let mut r = Range::new(-m, m);
                let inf: Vec<_> = a.pos_inf.iter().chain(&a.neg_inf).cloned().collect();
                r.pos_inf = inf.clone();
                r.neg_inf = inf;
                r.nan = a.nan;
                r.nan_reported = a.nan_reported;
                r
            }
            // `hypot(a, b)`: from 0 to the hypotenuse of the largest magnitudes,
            // infinite where either operand is; NaN from either.
            BinaryRange::Hypot => {
                let (a, b) = (&args[0], &args[1]);
                let (ma, mb) = (a.lo.abs().max(a.hi.abs()), b.lo.abs().max(b.hi.abs()));
                let mut r = Range::new(0.0, ma.hypot(mb));
                for inf in [&a.pos_inf, &a.neg_inf, &b.pos_inf, &b.neg_inf] {
                    extend(&mut r.pos_inf, inf);
                }
                r.nan = a.nan || b.nan;
                r.nan_reported = a.nan_reported || b.nan_reported;
                r
            }
            // `heaviside(a, b)`: 0 or 1 where `a` is nonzero (NaN included), `b`'s
            // values where it is zero.
            BinaryRange::Heaviside => {
                let b = &args[1];
                let mut r = Range::new(b.lo.min(0.0), b.hi.max(1.0));
                r.pos_inf = b.pos_inf.clone();
                r.neg_inf = b.neg_inf.clone();
                r.nan = b.nan;
                r.nan_reported = b.nan_reported;
                r
            }
            // A quotient is bounded by the quotients of the bounds when both are
            // bounded and the divisor keeps one sign (`epoch // 4` of an epoch
            // counted from 0 is never negative); otherwise it is the true quotient's range,
            // floored, with its infinities (`x // 0` is one, as `x / 0`), so that
            // `remainder`'s gradient `-grad * floor_divide(x, y)` is judged as
            // `div`'s `(x / y) / y`.
            BinaryRange::FloorDivide => {
                let (a, b) = (&args[0], &args[1]);
                let corners = [a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi];
                if a.bounded() && b.bounded() && (b.lo > 0.0 || b.hi < 0.0) && !corners.iter().any(|q| q.is_nan()) {
                    let (lo, hi) = hull(&corners);
                    let mut r = Range::new(lo.floor().max(-f64::MAX), hi.floor().min(f64::MAX));
                    r.nan = args[0].nan || args[1].nan;
                    r.nan_reported = args[0].nan_reported || args[1].nan_reported;
                    r
                } else {
                    let mut r = self.div(n, a, b);
                    (r.lo, r.hi) = (r.lo.floor(), r.hi.floor());
                    r
                }
            }
            // The remainder lies between zero and the divisor.
            BinaryRange::Remainder => {
                let m = args[1].lo.abs().max(args[1].hi.abs());
                let mut r = Range::new(-m, m);
                r.nan = args[0].nan || args[1].nan;
                r.nan_reported = args[0].nan_reported || args[1].nan_reported;
                r
            }
            BinaryRange::Add | BinaryRange::Sub => {
                let (a, b) = (&args[0], &args[1]);
                let sub = rule == BinaryRange::Sub;
                let (blo, bhi, bpos, bneg) = if sub { (-b.hi, -b.lo, &b.neg_inf, &b.pos_inf) } else { (b.lo, b.hi, &b.pos_inf, &b.neg_inf) };
                let mut r = Range::new(a.lo + blo, a.hi + bhi);
                extend(&mut r.pos_inf, &a.pos_inf);
                extend(&mut r.pos_inf, bpos);
                extend(&mut r.neg_inf, &a.neg_inf);
                extend(&mut r.neg_inf, bneg);
                r.nan = a.nan || b.nan;
                r.nan_reported = a.nan_reported || b.nan_reported;
                if !r.nan_reported {
                    let mut origins = clash(&a.pos_inf, bneg);
                    for o in clash(&a.neg_inf, bpos) {
                        if !origins.contains(&o) {
                            origins.push(o);
                        }
                    }
                    if !(a.pos_inf.is_empty() || bneg.is_empty()) || !(a.neg_inf.is_empty() || bpos.is_empty()) {
                        self.hazard(n, HazardKind::InfMinusInf, origins, &mut r);
                    }
                }
                self.overflow_check(n, &mut r, a.bounded() && b.bounded(), dt);
                r
            }
            // `x * x` is a square (the optimizer writes `x ** 2` so): never negative.
            BinaryRange::Mul if ops[0] == ops[1] => self.pow_scalar(n, &args[0], 2.0),
            BinaryRange::Mul => {
                let mut r = self.mul(n, &args[0], &args[1], HazardKind::ZeroTimesInf);
                self.overflow_check(n, &mut r, args[0].bounded() && args[1].bounded(), dt);
                r
            }
            BinaryRange::Div => {
                let mut r = self.div(n, &args[0], &args[1]);
                let bounded = args[0].bounded() && args[1].bounded() && !args[1].may_be_zero();
                self.overflow_check(n, &mut r, bounded, dt);
                r
            }
            BinaryRange::Pow => self.pow(n, &args[0], &args[1], dt),
            BinaryRange::Maximum | BinaryRange::Minimum => {
                let (a, b) = (&args[0], &args[1]);
                let max = rule == BinaryRange::Maximum;
                // An infinity on the losing side is replaced by the other operand.
                let eff_lo = |r: &Range| if r.neg_inf.is_empty() { r.lo } else { f64::NEG_INFINITY };
                let eff_hi = |r: &Range| if r.pos_inf.is_empty() { r.hi } else { f64::INFINITY };
                let mut r = Range::new(a.lo.min(b.lo), a.hi.max(b.hi));
                if max {
                    r.lo = eff_lo(a).max(eff_lo(b));
                    if r.lo == f64::NEG_INFINITY {
                        r.lo = a.lo.min(b.lo);
                    }
                    extend(&mut r.pos_inf, &a.pos_inf);
                    extend(&mut r.pos_inf, &b.pos_inf);
                    if !a.neg_inf.is_empty() && !b.neg_inf.is_empty() {
                        extend(&mut r.neg_inf, &a.neg_inf);
                        extend(&mut r.neg_inf, &b.neg_inf);
                    }
                } else {
                    r.hi = eff_hi(a).min(eff_hi(b));
                    if r.hi == f64::INFINITY {
                        r.hi = a.hi.max(b.hi);
                    }
                    extend(&mut r.neg_inf, &a.neg_inf);
                    extend(&mut r.neg_inf, &b.neg_inf);
                    if !a.pos_inf.is_empty() && !b.pos_inf.is_empty() {
                        extend(&mut r.pos_inf, &a.pos_inf);
                        extend(&mut r.pos_inf, &b.pos_inf);
                    }
                }
                r.nan = a.nan || b.nan;
                r.nan_reported = a.nan_reported || b.nan_reported;
                r
            }
            // Finite for any operands, infinities included (atan2(inf, inf) is pi/4).
            BinaryRange::Atan2 => {
                let (a, b) = (&args[0], &args[1]);
                let mut r = Range::new(-std::f64::consts::PI, std::f64::consts::PI);
                r.nan = a.nan || b.nan;
                r.nan_reported = a.nan_reported || b.nan_reported;
                r
            }
            // max(a, b) + log1p(exp(-|a - b|)): the larger operand plus (0, ln 2];
            // in base 2, plus (0, 1].
            BinaryRange::Logaddexp | BinaryRange::Logaddexp2 => {
                let (a, b) = (&args[0], &args[1]);
                let most = if rule == BinaryRange::Logaddexp { std::f64::consts::LN_2 } else { 1.0 };
                let mut r = Range::new(a.lo.max(b.lo), a.hi.max(b.hi) + most);
                r.nan = a.nan || b.nan;
                r.nan_reported = a.nan_reported || b.nan_reported;
                r
            }
            BinaryRange::TanhBackward => {
                // grad * (1 - y*y): the factor first, then a product with the gradient.
                let y = &args[1];
                let sq = self.pow_scalar(n, y, 2.0);
                let mut t = Range::new(1.0 - sq.hi, 1.0 - sq.lo);
                t.neg_inf = sq.pos_inf.clone();
                t.nan = sq.nan;
                t.nan_reported = sq.nan_reported;
                let mut r = self.mul(n, &args[0], &t, HazardKind::ZeroTimesInf);
                self.overflow_check(n, &mut r, args[0].bounded() && t.bounded(), dt);
                r
            }
        }
    }

    pub(super) fn mul(&mut self, n: NodeId, a: &Range, b: &Range, kind: HazardKind) -> Range {
        let (lo, hi) = hull(&[mul_b(a.lo, b.lo), mul_b(a.lo, b.hi), mul_b(a.hi, b.lo), mul_b(a.hi, b.hi)]);
        let mut r = Range::new(lo, hi);
        // An infinity times a nonzero value is an infinity of the product's sign.
        for (inf, other, positive) in [(&a.pos_inf, b, true), (&a.neg_inf, b, false), (&b.pos_inf, a, true), (&b.neg_inf, a, false)] {
            if other.may_be_positive() {
                extend(if positive { &mut r.pos_inf } else { &mut r.neg_inf }, inf);
            }
            if other.may_be_negative() {
                extend(if positive { &mut r.neg_inf } else { &mut r.pos_inf }, inf);
            }
        }
        r.nan = a.nan || b.nan;
        r.nan_reported = a.nan_reported || b.nan_reported;
        let zero_inf = (a.may_be_inf() && b.may_be_zero()) || (b.may_be_inf() && a.may_be_zero());
        if zero_inf && !r.nan_reported {
            let mut origins = Vec::new();
            if b.may_be_zero() {
                origins.extend(overflow_origins(&a.all_inf()));
            }
            if a.may_be_zero() {
                for o in overflow_origins(&b.all_inf()) {
                    if !origins.contains(&o) {
                        origins.push(o);
                    }
                }
            }
            self.hazard(n, kind, origins, &mut r);
        }
        // A zero made by dividing by an overflowed infinity, times that infinity.
        let mut origins = clash(&a.zero_from_inf, &b.all_inf());
        extend_origins(&mut origins, clash(&b.zero_from_inf, &a.all_inf()));
        if !origins.is_empty() && !r.nan_reported {
            self.hazard(n, kind, origins, &mut r);
        }
        // Such a zero times a finite value stays zero.
        extend(&mut r.zero_from_inf, &a.zero_from_inf);
        extend(&mut r.zero_from_inf, &b.zero_from_inf);
        r
    }

    fn div(&mut self, n: NodeId, a: &Range, b: &Range) -> Range {
        let mut r = if b.may_be_zero() {
            Range::unbounded()
        } else {
            let (lo, hi) = hull(&[a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi]);
            Range::new(lo, hi)
        };
        // inf / x keeps the infinity, with the sign of x (zero included, whose sign
        // the analysis does not know).
        let b_pos = b.hi >= 0.0 || !b.pos_inf.is_empty();
        let b_neg = b.lo <= 0.0 || !b.neg_inf.is_empty();
        if b_pos {
            extend(&mut r.pos_inf, &a.pos_inf);
            extend(&mut r.neg_inf, &a.neg_inf);
        }
        if b_neg {
            extend(&mut r.pos_inf, &a.neg_inf);
            extend(&mut r.neg_inf, &a.pos_inf);
        }
        // x / 0 is an exact infinity, and 0 / 0 is NaN; neither is an overflow.
        if b.may_be_zero() {
            let c = Cause { origin: n, overflow: false, cond: None };
            r.pos_inf.push(c);
            r.neg_inf.push(c);
        }
        r.nan = a.nan || b.nan || (a.may_be_zero() && b.may_be_zero());
        r.nan_reported = a.nan_reported || b.nan_reported;
        // A finite value over an overflowed infinity is an exact zero.
        let overflowed: Vec<Cause> = b.all_inf().into_iter().filter(|c| c.overflow).collect();
        extend(&mut r.zero_from_inf, &overflowed);
        extend(&mut r.zero_from_inf, &a.zero_from_inf);
        if a.may_be_inf() && b.may_be_inf() && !r.nan_reported {
            let origins = clash(&a.all_inf(), &b.all_inf());
            self.hazard(n, HazardKind::InfOverInf, origins, &mut r);
        }
        r
    }

    fn pow(&mut self, n: NodeId, a: &Range, b: &Range, dt: DType) -> Range {
        // The magnitude |a| ** b is bilinear in (b, ln|a|), so its extremes are at corners.
        let (mlo, mhi) = if a.lo >= 0.0 {
            (a.lo, a.hi)
        } else if a.hi <= 0.0 {
            (-a.hi, -a.lo)
        } else {
            (0.0, a.hi.max(-a.lo))
        };
        let (plo, phi) =
            hull(&[mlo.powf(b.lo), mlo.powf(b.hi), mhi.powf(b.lo), mhi.powf(b.hi), if mlo <= 1.0 && 1.0 <= mhi { 1.0 } else { f64::NAN }]);
        let negative_base = a.may_be_negative();
        let mut r = if negative_base { Range::new(-phi, phi) } else { Range::new(plo, phi) };
        let max = max_finite(dt);
        // With exponents at most 1, a magnitude past the top comes from an
        // unbounded base (an unknown bound, as for linear arithmetic) or from
        // a base near 0 under a negative exponent (a division's exact infinity),
        // not from an overflow, unless the base is bounded away from both.
        let shrinking = b.hi <= 1.0 && b.bounded() && b.pos_inf.is_empty() && b.neg_inf.is_empty();
        let zero_pole = mlo == 0.0 && b.lo < 0.0;
        if phi > max && !(shrinking && !a.bounded() && !zero_pole) {
            // 0 ** negative is an exact infinity; anything else past the top is an
            // overflow, and pow overflows on ordinary arguments, so an unbounded
            // operand counts too.
            let overflow = if shrinking && !a.bounded() {
                false
            } else {
                !(zero_pole && a.bounded() && b.bounded() && mhi.powf(b.hi) <= max && mhi.powf(b.lo) <= max)
            };
            let cause = Cause { origin: n, overflow, cond: None };
            r.pos_inf.push(cause);
            r.hi = max;
            if negative_base {
                r.neg_inf.push(cause);
                r.lo = -max;
            }
        }
        // Infinities in: inf ** (b > 0) is inf; a ** inf is inf for |a| > 1; a ** -inf for |a| < 1.
        if b.may_be_positive() {
            extend(&mut r.pos_inf, &a.pos_inf);
            extend(&mut r.pos_inf, &a.neg_inf);
            if negative_base {
                extend(&mut r.neg_inf, &a.neg_inf);
            }
        }
        if mhi > 1.0 {
            extend(&mut r.pos_inf, &b.pos_inf);
        }
        if mlo < 1.0 {
            extend(&mut r.pos_inf, &b.neg_inf);
        }
        r.nan = a.nan || b.nan || negative_base;
        r.nan_reported = a.nan_reported || b.nan_reported;
        r
    }
}

/// Adds origins without repeating one.
fn extend_origins(into: &mut Vec<NodeId>, from: Vec<NodeId>) {
    for o in from {
        if !into.contains(&o) {
            into.push(o);
        }
    }
}
