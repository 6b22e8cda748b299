//! The slice forms of SLEEF's `exp` (`exp_slice_f32`, `exp_slice_f64`) give
//! every element the bits of the scalar function, on whichever path this CPU
//! takes (AVX-512, AVX2 or the portable loop), in the vector body and in the
//! tail alike. The softmax kernels call the slice forms for every element of
//! their rows, and `numerics_reduce` checks those against PyTorch only on its
//! random inputs; this covers the special values the conversion to integers
//! meets (NaN, infinities, the overflow and underflow edges), which the vector
//! code handles differently from a saturating scalar conversion.

use graphc_runtime::kernels::sleef::{exp_f32, exp_f64, exp_slice_f32, exp_slice_f64};

/// Inputs with every special case, then values spread over `exp`'s range.
fn inputs_f32() -> Vec<f32> {
    let mut v = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        f32::NAN,
        -f32::NAN,
        f32::from_bits(0x7fc0_1234),
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        f32::MIN,
        f32::MIN_POSITIVE,
        1e-45,
        88.72,
        88.73,
        100.0,
        100.000_01,
        -87.3,
        -103.9,
        -104.0,
        -104.000_01,
        -150.0,
        3e9,
        -3e9,
        2_147_483_648.0,
        -2_147_483_648.0,
    ];
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..5000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        v.push(((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 240.0);
    }
    v
}

fn inputs_f64() -> Vec<f64> {
    let mut v: Vec<f64> = inputs_f32().into_iter().map(f64::from).collect();
    v.extend([709.78, 709.79, 710.0, -708.4, -745.2, -999.9, -1000.0, -1000.1, 1e300, -1e300, 3e10, -3e10]);
    v
}

/// Every length from 0 to 40 and one long run, so that each element lands in
/// the vector body and, in another call, in the tail.
fn lengths(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..=40).flat_map(move |len| (0..n.saturating_sub(len)).step_by(37).map(move |start| (start, len))).chain([(0, n)])
}

#[test]
fn exp_slice_f32_has_the_scalar_bits_everywhere() {
    let x = inputs_f32();
    for (start, len) in lengths(x.len()) {
        let src = &x[start..start + len];
        let mut dst = vec![0.0f32; len];
        exp_slice_f32(src, &mut dst);
        for (i, (&s, &d)) in src.iter().zip(&dst).enumerate() {
            let want = exp_f32(s);
            assert_eq!(d.to_bits(), want.to_bits(), "exp_slice_f32 at {i} of {len}: exp({s:e}) gave {d:e}, the scalar {want:e}");
        }
    }
}

#[test]
fn exp_slice_f64_has_the_scalar_bits_everywhere() {
    let x = inputs_f64();
    for (start, len) in lengths(x.len()) {
        let src = &x[start..start + len];
        let mut dst = vec![0.0f64; len];
        exp_slice_f64(src, &mut dst);
        for (i, (&s, &d)) in src.iter().zip(&dst).enumerate() {
            let want = exp_f64(s);
            assert_eq!(d.to_bits(), want.to_bits(), "exp_slice_f64 at {i} of {len}: exp({s:e}) gave {d:e}, the scalar {want:e}");
        }
    }
}

/// The special values' results themselves, which SLEEF defines: the limits
/// replace whatever the integer conversion gave.
#[test]
fn exp_limits_are_sleefs() {
    assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
    assert_eq!(exp_f32(f32::NEG_INFINITY).to_bits(), 0);
    assert_eq!(exp_f32(3e9), f32::INFINITY);
    assert_eq!(exp_f32(-3e9).to_bits(), 0);
    assert!(exp_f32(f32::NAN).is_nan());
    assert_eq!(exp_f64(f64::INFINITY), f64::INFINITY);
    assert_eq!(exp_f64(f64::NEG_INFINITY).to_bits(), 0);
    assert_eq!(exp_f64(1e300), f64::INFINITY);
    assert_eq!(exp_f64(-1e300).to_bits(), 0);
    assert!(exp_f64(f64::NAN).is_nan());
}
