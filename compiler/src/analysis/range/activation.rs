//! The range rule of the [`Activation`] family (`clamp`, `hardtanh`,
//! `leaky_relu`, `elu`, `softplus`).
//!
//! With the parameters users pass (a slope in [0, 1], a non-negative alpha, a
//! positive beta and a moderate threshold) each op is non-decreasing and never
//! grows past its operand's magnitude or a constant, so the result lies between
//! the formula at the operand's bounds and cannot overflow. Other parameters
//! make the op non-monotone or able to overflow, and the rule gives up: any
//! value, infinite where the operand may be.

use graphc_runtime::op::Activation;

use super::{extend, Range};

/// The range of `f` applied to an operand whose range is `a`.
pub(super) fn activation(f: Activation, a: &Range) -> Range {
    let at = |x: f64| f.apply(x);
    if !monotone_and_bounded(f) {
        let mut r = Range::unbounded();
        extend(&mut r.pos_inf, &a.all_inf());
        extend(&mut r.neg_inf, &a.all_inf());
        r.nan = a.nan;
        r.nan_reported = a.nan_reported;
        return r;
    }
    // `leaky_relu` with slope 0 is `-inf * 0`, NaN, at -inf: its limit there
    // is the formula at the most negative finite value.
    let finite_at = |x: f64| {
        let v = at(x);
        if v.is_nan() {
            at(x.clamp(-f64::MAX, f64::MAX))
        } else {
            v
        }
    };
    let mut r = Range::new(finite_at(a.lo), finite_at(a.hi));
    for (causes, inf, out_is_pos) in [(&a.pos_inf, f64::INFINITY, true), (&a.neg_inf, f64::NEG_INFINITY, false)] {
        if causes.is_empty() {
            continue;
        }
        let v = finite_at(inf);
        match (v.is_infinite(), out_is_pos) {
            (true, true) => extend(&mut r.pos_inf, causes),
            (true, false) => extend(&mut r.neg_inf, causes),
            (false, _) => {
                r.lo = r.lo.min(v);
                r.hi = r.hi.max(v);
            }
        }
    }
    r.nan = a.nan;
    r.nan_reported = a.nan_reported;
    r
}

/// Whether `f`'s parameters keep it non-decreasing and free of overflow.
fn monotone_and_bounded(f: Activation) -> bool {
    match f {
        Activation::Clamp { .. } | Activation::Hardtanh { .. } | Activation::Hardsigmoid => true,
        // Both move a value toward 0 and never decrease (hardshrink jumps up at ±lambd).
        Activation::Softshrink { .. } | Activation::Hardshrink { .. } => true,
        // The value may lie above what it replaces.
        Activation::Threshold { .. } => false,
        // Not monotone: it dips to -3/8 at x = -3/2.
        Activation::Hardswish => false,
        Activation::LeakyRelu { slope } => (0.0..=1.0).contains(&slope.get()),
        Activation::Elu { alpha } | Activation::Celu { alpha } => alpha.get() > 0.0 && alpha.get().is_finite(),
        Activation::Selu => true,
        // exp(x * beta) stays finite for x * beta <= threshold <= 80.
        Activation::Softplus { beta, threshold } => beta.get() > 0.0 && threshold.get() <= 80.0,
        // `x * 10^d` overflows near the largest finite values, so the rule gives up.
        Activation::RoundDecimals { .. } => false,
        // Rounding to decimals moves a value by at most half a unit of its last digit.
        Activation::PyRound { .. } => false,
        // Poles at 0 and the negative integers.
        Activation::Polygamma { .. } => false,
    }
}
