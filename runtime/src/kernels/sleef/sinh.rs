//! SLEEF's `sinh` and `cosh` for f64 with 1.0-ulp bounds (`xsinh`, `xcosh`
//! over `expk2`), as built with FMA: the vector lambda of PyTorch's `sinh` and
//! `cosh` kernels for double (`cpu_kernel_vec`, glibc in the tail; for float
//! PyTorch calls glibc on every element). See the module documentation for
//! provenance and license.

use super::df::dd;
use super::expm1::expk2_f64;

/// SLEEF's `xsinh` (`Sleef_sinhd8_u10`) on its FMA path: `sinh(x)` in f64.
#[inline(always)]
pub fn sinh_f64(x: f64) -> f64 {
    let d = expk2_f64(dd::P { x: x.abs(), y: 0.0 });
    let d = dd::sub_p_p(d, dd::rec(d));
    let y = (d.x + d.y) * 0.5;
    // From |x| > 710 (and where exp overflowed to NaN) the result is infinite,
    // which is sooner than glibc's `sinh` overflows.
    let y = if x.abs() > 710.0 || y.is_nan() { f64::INFINITY } else { y };
    let y = f64::from_bits(y.to_bits() ^ (x.to_bits() & 0x8000_0000_0000_0000));
    if x.is_nan() {
        f64::from_bits(u64::MAX)
    } else {
        y
    }
}

/// SLEEF's `xcosh` (`Sleef_coshd8_u10`) on its FMA path: `cosh(x)` in f64.
#[inline(always)]
pub fn cosh_f64(x: f64) -> f64 {
    let d = expk2_f64(dd::P { x: x.abs(), y: 0.0 });
    let d = dd::add_p_p(d, dd::rec(d));
    let y = (d.x + d.y) * 0.5;
    let y = if x.abs() > 710.0 || y.is_nan() { f64::INFINITY } else { y };
    if x.is_nan() {
        f64::from_bits(u64::MAX)
    } else {
        y
    }
}
