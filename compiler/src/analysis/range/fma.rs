//! The range of `fma(a, b, c)` (`a * b + c`, the optimizers' update kernels):
//! interval arithmetic on the finite bounds, unbounded where a bound is unknown.

use super::Range;

/// The range of `a * b + c`: NaN can come from an operand's NaN; an infinity in
/// an operand gives an unknown bound, which the analysis treats as no bound.
pub(super) fn fma(a: &Range, b: &Range, c: &Range) -> Range {
    let corners = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
    let lo = corners.iter().copied().fold(f64::INFINITY, f64::min) + c.lo;
    let hi = corners.iter().copied().fold(f64::NEG_INFINITY, f64::max) + c.hi;
    // `0 * inf` among the corners, or `inf - inf`, leaves nothing known.
    let known = !corners.iter().any(|v| v.is_nan()) && !lo.is_nan() && !hi.is_nan();
    let mut r = if known { Range::new(lo, hi) } else { Range::unbounded() };
    r.nan = a.nan || b.nan || c.nan;
    r.nan_reported = a.nan_reported || b.nan_reported || c.nan_reported;
    r
}
