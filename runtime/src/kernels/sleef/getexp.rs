//! AVX-512's `getexp` (`vgetexpps`/`vgetexppd`), which SLEEF's AVX-512 builds
//! of `log`, `log1p` and `atanh` use to split off a value's exponent. One
//! definition for the three ports, so their bits cannot drift apart.

/// `floor(log2(|v|))` as a float: subnormals normalized (the hardware does),
/// -inf for zero, +inf for infinity, the NaN itself (sign and payload) for a NaN.
#[inline(always)]
pub(super) fn getexp_f32(v: f32) -> f32 {
    let a = v.abs();
    if a.is_nan() {
        v
    } else if a == 0.0 {
        f32::NEG_INFINITY
    } else if a.is_infinite() {
        f32::INFINITY
    } else if a < f32::MIN_POSITIVE {
        (-127 - (a.to_bits().leading_zeros() as i32 - 9)) as f32
    } else {
        (((a.to_bits() >> 23) & 0xff) as i32 - 127) as f32
    }
}

/// [`getexp_f32`] for f64.
#[inline(always)]
pub(super) fn getexp_f64(v: f64) -> f64 {
    let a = v.abs();
    if a.is_nan() {
        v
    } else if a == 0.0 {
        f64::NEG_INFINITY
    } else if a.is_infinite() {
        f64::INFINITY
    } else if a < f64::MIN_POSITIVE {
        f64::from(-1023 - (a.to_bits().leading_zeros() as i32 - 12))
    } else {
        f64::from(((a.to_bits() >> 52) & 0x7ff) as i32 - 1023)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Normal, subnormal and special values, f32 and f64.
    #[test]
    fn exponents_of_normal_subnormal_and_special_values() {
        assert_eq!(getexp_f32(1.0), 0.0);
        assert_eq!(getexp_f32(-3.0), 1.0);
        assert_eq!(getexp_f32(0.75), -1.0);
        assert_eq!(getexp_f32(f32::from_bits(1)), -149.0);
        assert_eq!(getexp_f32(f32::MIN_POSITIVE / 2.0), -127.0);
        assert_eq!(getexp_f32(0.0), f32::NEG_INFINITY);
        assert_eq!(getexp_f32(f32::NEG_INFINITY), f32::INFINITY);
        assert_eq!(getexp_f32(f32::from_bits(0xffc0_0001)).to_bits(), 0xffc0_0001);
        assert_eq!(getexp_f64(1.5), 0.0);
        assert_eq!(getexp_f64(f64::from_bits(1)), -1074.0);
        assert_eq!(getexp_f64(f64::MIN_POSITIVE / 2.0), -1023.0);
        assert_eq!(getexp_f64(-0.0), f64::NEG_INFINITY);
    }
}
