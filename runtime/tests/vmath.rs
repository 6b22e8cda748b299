//! Accuracy of the fast vector `exp` (`kernels::vmath`) on every code path this
//! CPU supports, measured in ulps against references more precise than the
//! result: `f64::exp` for f32 results, a double-double `exp` for f64 results.
//! Also the strength reduction `exp(-x) = 1 / exp(x)` the fused executor uses,
//! measured against libm's `exp(-x)`.
//!
//! The default tests sample enough to run in a few seconds unoptimized. The
//! ignored ones sweep every f32 and print throughput; run them with
//! `cargo test --release -p graphc-runtime --test vmath -- --ignored --nocapture`.

use graphc_runtime::kernels::eval;
use graphc_runtime::kernels::float::Float;
use graphc_runtime::kernels::vmath::{exp_f32, exp_f32_with, exp_f64, exp_f64_with, Isa};
use graphc_runtime::op::{Op, Unary};
use graphc_runtime::tensor::{DType, Tensor};

/// The accuracy every result must have, in ulps of the result's own format
/// (subnormal ulps for subnormal results): the contract the executor relies on.
const MAX_ULPS: f64 = 2.0;

/// The accuracy the kernels actually reach (see the module doc of `vmath`): a
/// regression past it fails even while the contract still holds.
const MEASURED_ULPS: f64 = 1.0;

fn isas() -> Vec<Isa> {
    Isa::ALL.into_iter().filter(|isa| isa.is_supported()).collect()
}

/// Position of `x` among the f32 values in increasing order, ±0 both at 0.
fn ordinal_f32(x: f32) -> i64 {
    let magnitude = (x.to_bits() & 0x7fff_ffff) as i64;
    if x.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    }
}

fn ordinal_f64(x: f64) -> i128 {
    let magnitude = (x.to_bits() & 0x7fff_ffff_ffff_ffff) as i128;
    if x.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    }
}

/// How many f32 values lie between `a` and `b`: 0 for equal values (and for
/// ±0), 1 for neighbours, and `f32::MAX` and infinity count as neighbours.
pub fn ulp_distance_f32(a: f32, b: f32) -> u32 {
    assert!(!a.is_nan() && !b.is_nan(), "ulp distance of NaN ({a}, {b})");
    (ordinal_f32(a) - ordinal_f32(b)).unsigned_abs() as u32
}

pub fn ulp_distance_f64(a: f64, b: f64) -> u64 {
    assert!(!a.is_nan() && !b.is_nan(), "ulp distance of NaN ({a}, {b})");
    (ordinal_f64(a) - ordinal_f64(b)).unsigned_abs() as u64
}

/// `2^e` as an f64, for `e` in the normal range.
fn pow2(e: i32) -> f64 {
    assert!((-1022..=1023).contains(&e), "2^{e} is not a normal f64");
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// `v * 2^e` with every intermediate normal, so exact unless the result is.
fn ldexp(mut v: f64, mut e: i32) -> f64 {
    while e != 0 {
        let step = e.clamp(-1000, 1000);
        v *= pow2(step);
        e -= step;
    }
    v
}

/// The error of the f32 result `y` in ulps of the exact value `exact` (which
/// must be far more precise than an f32). Infinity counts as 2^128, the value
/// one ulp above f32::MAX, and exact values past it as 2^128 too, so rounding
/// at the overflow threshold is measured like any other.
fn err_ulps_f32(y: f32, exact: f64) -> f64 {
    let two128 = 2f64.powi(128);
    let y = if y == f32::INFINITY { two128 } else { y as f64 };
    let exact = exact.min(two128);
    // The binade of `exact` from its exponent bits (0 for 0 and subnormals).
    let exponent = (((exact.to_bits() >> 52) & 0x7ff) as i32 - 1023).max(-126);
    (y - exact).abs() / 2f64.powi(exponent - 23)
}

/// `exp(x)` as `(hi + lo) * 2^k` with `hi` in [0.7, 1.5], about 100 bits
/// accurate: double-double range reduction with ln2 in three parts, then the
/// Taylor series in double-double arithmetic.
fn exp_dd(x: f64) -> (f64, f64, i32) {
    const LN2: [f64; 3] = [std::f64::consts::LN_2, 2.319_046_813_846_299_6e-17, 5.707_708_438_416_212e-34];
    let k = (x / LN2[0]).round();
    // x - k*LN2[0] is exact by Sterbenz's lemma; its product's error is kept.
    let p = k * LN2[0];
    let p_err = k.mul_add(LN2[0], -p);
    let mut r = dd_add((x - p, 0.0), (-p_err, 0.0));
    let p2 = k * LN2[1];
    r = dd_add(r, (-p2, -k.mul_add(LN2[1], -p2)));
    r = dd_add(r, (-k * LN2[2], 0.0));
    let mut sum = (1.0, 0.0);
    let mut term = (1.0, 0.0);
    for i in 1..=24 {
        term = dd_div(dd_mul(term, r), i as f64);
        sum = dd_add(sum, term);
    }
    (sum.0, sum.1, k as i32)
}

fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

fn dd_add(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let (s, e) = two_sum(a.0, b.0);
    let (hi, lo) = two_sum(s, e + a.1 + b.1);
    (hi, lo)
}

fn dd_mul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let p = a.0 * b.0;
    let e = a.0.mul_add(b.0, -p) + (a.0 * b.1 + a.1 * b.0);
    two_sum(p, e)
}

fn dd_div(a: (f64, f64), d: f64) -> (f64, f64) {
    let q1 = a.0 / d;
    let rem = (-q1).mul_add(d, a.0);
    two_sum(q1, (rem + a.1) / d)
}

/// The error of the f64 result `y` in ulps of the exact `exp(x)`, with
/// infinity as 2^1024 as in [`err_ulps_f32`]. Everything is compared scaled by
/// 2^-k, where it is exact: `y` and the reference are then near 1.
fn err_ulps_f64(y: f64, x: f64) -> f64 {
    let (mut hi, mut lo, k) = exp_dd(x);
    let mut exponent = if hi < 1.0 { k - 1 } else { k };
    if exponent >= 1024 {
        (hi, lo, exponent) = (ldexp(1.0, 1024 - k), 0.0, 1023);
    }
    let y_scaled = if y == f64::INFINITY { ldexp(1.0, 1024 - k) } else { ldexp(y, -k) };
    let ulp_scaled = ldexp(1.0, exponent.max(-1022) - 52 - k);
    ((y_scaled - hi) - lo).abs() / ulp_scaled
}

/// The largest error over `xs` and where it occurs.
#[derive(Debug, Clone, Copy)]
struct Worst<T> {
    ulps: f64,
    x: T,
    got: T,
}

impl<T> Worst<T> {
    fn worse(self, other: Self) -> Self {
        if other.ulps > self.ulps {
            other
        } else {
            self
        }
    }
}

fn worst_f32(isa: Isa, xs: &[f32]) -> Worst<f32> {
    let mut ys = vec![0.0; xs.len()];
    exp_f32_with(isa, xs, &mut ys);
    let mut worst = Worst { ulps: 0.0, x: f32::NAN, got: f32::NAN };
    for (&x, &y) in xs.iter().zip(&ys) {
        let ulps = err_ulps_f32(y, (x as f64).exp());
        assert!(!y.is_nan(), "{isa:?}: exp_f32({x:e}) is NaN");
        worst = worst.worse(Worst { ulps, x, got: y });
    }
    worst
}

fn worst_f64(isa: Isa, xs: &[f64]) -> Worst<f64> {
    let mut ys = vec![0.0; xs.len()];
    exp_f64_with(isa, xs, &mut ys);
    let mut worst = Worst { ulps: 0.0, x: f64::NAN, got: f64::NAN };
    for (&x, &y) in xs.iter().zip(&ys) {
        let ulps = err_ulps_f64(y, x);
        assert!(!y.is_nan(), "{isa:?}: exp_f64({x:e}) is NaN");
        worst = worst.worse(Worst { ulps, x, got: y });
    }
    worst
}

fn assert_accurate<T: std::fmt::Debug>(what: &str, isa: Isa, worst: Worst<T>) {
    println!("{what}, {isa:?}: max {:.4} ulp at x = {:?} (got {:?})", worst.ulps, worst.x, worst.got);
    assert!(worst.ulps <= MAX_ULPS, "{what}, {isa:?}: {worst:?} breaks the {MAX_ULPS} ulp contract");
    assert!(worst.ulps <= MEASURED_ULPS, "{what}, {isa:?}: {worst:?} is worse than the {MEASURED_ULPS} ulp measured before");
}

/// Every `step`-th f32 in `[lo, hi]` by bit pattern, so each binade gets the
/// same number of samples (tiny arguments included), plus `hi` itself.
fn f32_patterns(lo: f32, hi: f32, step: usize) -> Vec<f32> {
    assert!(lo <= 0.0 && hi >= 0.0);
    let negative = (0..=(-lo).to_bits()).step_by(step).map(|b| -f32::from_bits(b));
    let positive = (0..=hi.to_bits()).step_by(step).map(f32::from_bits);
    negative.chain(positive).chain([lo, hi]).collect()
}

/// `count` evenly spaced values in `[lo, hi]`, so every reduction `n` gets samples.
fn grid<T: Float>(lo: f64, hi: f64, count: usize) -> Vec<T> {
    (0..count).map(|i| T::from_f64(lo + (hi - lo) * i as f64 / (count - 1) as f64)).collect()
}

/// SplitMix64, so the f64 samples are random but the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)` with all 53 bits random.
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }

    /// A random bit pattern between those of 0 and `hi`, sign random: dense
    /// near zero, where uniform samples never land.
    fn pattern(&mut self, hi: f64) -> f64 {
        let v = f64::from_bits(self.next() % hi.to_bits());
        if self.next() & 1 == 0 {
            v
        } else {
            -v
        }
    }
}

/// The largest f32 whose exact exp rounds to a finite f32, and the smallest
/// whose exp rounds to a nonzero one, found from the f64 reference.
fn f32_thresholds() -> (f32, f32) {
    let mut overflow = 88.7f32;
    while (((overflow.next_up()) as f64).exp() as f32).is_finite() {
        overflow = overflow.next_up();
    }
    let mut underflow = -103.9f32;
    while ((underflow.next_down() as f64).exp() as f32) != 0.0 {
        underflow = underflow.next_down();
    }
    (overflow, underflow)
}

/// `v` and its `k` neighbours on either side.
fn around_f32(v: f32, k: usize) -> Vec<f32> {
    let mut out = vec![v];
    let (mut up, mut down) = (v, v);
    for _ in 0..k {
        up = up.next_up();
        down = down.next_down();
        out.extend([up, down]);
    }
    out
}

fn around_f64(v: f64, k: usize) -> Vec<f64> {
    let mut out = vec![v];
    let (mut up, mut down) = (v, v);
    for _ in 0..k {
        up = up.next_up();
        down = down.next_down();
        out.extend([up, down]);
    }
    out
}

#[test]
fn exp_f32_sweep_is_within_one_ulp() {
    // Every 4099th bit pattern (about 550k values, biased to small |x|) and a
    // 1M-point grid (every reduction n, the polynomial's whole interval).
    let mut xs = f32_patterns(-104.0, 89.0, 4099);
    xs.extend(grid::<f32>(-104.0, 89.0, 1_000_000));
    for isa in isas() {
        assert_accurate("exp_f32 on [-104, 89]", isa, worst_f32(isa, &xs));
    }
}

#[test]
fn exp_f32_subnormal_results_are_within_one_subnormal_ulp() {
    // Every 31st f32 whose exp is subnormal or rounds to 0 (about 70k values).
    let xs: Vec<f32> = ((87.0f32).to_bits()..=(104.0f32).to_bits()).step_by(31).map(|b| -f32::from_bits(b)).collect();
    for isa in isas() {
        assert_accurate("exp_f32 on [-104, -87]", isa, worst_f32(isa, &xs));
    }
}

#[test]
fn exp_f32_thresholds_and_neighbours() {
    let (overflow, underflow) = f32_thresholds();
    // ln(2^-126), below which results are subnormal, and ln(2^-149), the
    // smallest subnormal; the overflow threshold is ln(f32::MAX + ulp/2).
    let mut xs = around_f32(overflow, 64);
    xs.extend(around_f32(underflow, 64));
    xs.extend(around_f32(-87.336_55, 64));
    xs.extend(around_f32(-103.278_93, 64));
    xs.extend(around_f32(0.0, 64));
    xs.extend(around_f32(-0.0, 64));
    for isa in isas() {
        assert_accurate("exp_f32 at the thresholds", isa, worst_f32(isa, &xs));
        let mut ys = [0.0; 4];
        exp_f32_with(isa, &[overflow.next_up(), 88.8, 1e10, f32::MAX], &mut ys);
        assert_eq!(ys, [f32::INFINITY; 4], "{isa:?}: exp past ln(f32::MAX) must overflow");
        exp_f32_with(isa, &[underflow.next_down(), -104.0, -1e10, f32::MIN], &mut ys);
        assert!(ys.iter().all(|y| y.to_bits() == 0), "{isa:?}: exp far below ln(2^-150) must be +0, got {ys:?}");
        exp_f32_with(isa, &[underflow, -103.278_93, -87.5, -87.0], &mut ys);
        assert!(ys.iter().all(|&y| y > 0.0), "{isa:?}: exp just above the underflow threshold must not flush, got {ys:?}");
    }
}

#[test]
fn exp_f32_special_values() {
    let nans = [f32::NAN, -f32::NAN, f32::from_bits(0x7f80_0001), f32::from_bits(0xffc1_2345)];
    let tiny = [f32::from_bits(1), -f32::from_bits(1), f32::MIN_POSITIVE, -f32::MIN_POSITIVE, 1e-30, -1e-30];
    for isa in isas() {
        let mut ys = [0.0; 4];
        exp_f32_with(isa, &nans, &mut ys);
        assert!(ys.iter().all(|y| y.is_nan()), "{isa:?}: exp(NaN) must be NaN, got {ys:?}");
        exp_f32_with(isa, &[f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0], &mut ys);
        assert_eq!(ys.map(f32::to_bits), [f32::INFINITY, 0.0, 1.0, 1.0].map(f32::to_bits), "{isa:?}: exp(±inf), exp(±0)");
        let mut ys = [0.0; 6];
        exp_f32_with(isa, &tiny, &mut ys);
        assert_eq!(ys, [1.0; 6], "{isa:?}: exp of a tiny argument rounds to 1");
    }
}

#[test]
fn exp_f64_samples_are_within_one_ulp() {
    // 150k uniform values over the whole finite range, 50k bit patterns (small
    // |x|), and 50k values whose results are subnormal.
    let mut rng = Rng(0x5eed);
    let mut xs: Vec<f64> = (0..150_000).map(|_| rng.uniform(-746.0, 710.0)).collect();
    xs.extend((0..50_000).map(|_| rng.pattern(710.0)));
    xs.extend((0..50_000).map(|_| rng.uniform(-746.0, -708.0)));
    for isa in isas() {
        assert_accurate("exp_f64 on [-746, 710]", isa, worst_f64(isa, &xs));
    }
}

#[test]
fn exp_f64_thresholds_and_special_values() {
    // ln(f64::MAX + ulp/2), ln(2^-1022), ln(2^-1074) and ln(2^-1075).
    let mut xs = around_f64(709.782_712_893_384, 64);
    xs.extend(around_f64(-708.396_418_532_264_1, 64));
    xs.extend(around_f64(-744.440_071_921_381_3, 64));
    xs.extend(around_f64(-745.133_219_101_941_2, 64));
    xs.extend(around_f64(0.0, 64));
    xs.extend(around_f64(-0.0, 64));
    for isa in isas() {
        assert_accurate("exp_f64 at the thresholds", isa, worst_f64(isa, &xs));
        let mut ys = [0.0; 4];
        exp_f64_with(isa, &[f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY], &mut ys);
        assert!(ys[0].is_nan() && ys[1].is_nan(), "{isa:?}: exp(NaN) must be NaN, got {ys:?}");
        assert_eq!([ys[2], ys[3]].map(f64::to_bits), [f64::INFINITY, 0.0].map(f64::to_bits), "{isa:?}: exp(±inf)");
        exp_f64_with(isa, &[0.0, -0.0, f64::from_bits(1), -1e-300], &mut ys);
        assert_eq!(ys, [1.0; 4], "{isa:?}: exp(±0) and exp of tiny arguments");
        exp_f64_with(isa, &[709.79, 1e300, -745.2, -1e300], &mut ys);
        assert_eq!(ys.map(f64::to_bits), [f64::INFINITY, f64::INFINITY, 0.0, 0.0].map(f64::to_bits), "{isa:?}: overflow and underflow");
    }
}

/// `n` values covering specials, both signs, small and large arguments, so
/// that each length puts each kind of value into the vector body and the tail.
fn mixed(n: usize) -> Vec<f64> {
    let pool = [0.5, -1.25, 88.0, -95.0, 1e-3, 0.0, -0.0, f64::NAN, 3.0, -20.0, f64::INFINITY, f64::NEG_INFINITY, 89.5, -104.5, 42.0];
    (0..n).map(|i| pool[(i * 7 + n) % pool.len()] * (1.0 + i as f64 / 64.0)).collect()
}

/// Same NaN-ness, and within `max` ulps, elementwise.
fn assert_close_f32(what: &str, got: &[f32], want: &[f32], max: u32) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.is_nan(), w.is_nan(), "{what}[{i}]: {g:e} vs {w:e}");
        if !g.is_nan() {
            assert!(ulp_distance_f32(g, w) <= max, "{what}[{i}]: {g:e} vs {w:e}");
        }
    }
}

fn assert_close_f64(what: &str, got: &[f64], want: &[f64], max: u64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.is_nan(), w.is_nan(), "{what}[{i}]: {g:e} vs {w:e}");
        if !g.is_nan() {
            assert!(ulp_distance_f64(g, w) <= max, "{what}[{i}]: {g:e} vs {w:e}");
        }
    }
}

fn exp_fast<T: Float>(src: &[T]) -> Vec<T> {
    let mut dst = vec![T::ZERO; src.len()];
    T::exp_fast(src, &mut dst);
    dst
}

#[test]
fn every_length_agrees_with_the_scalar_kernel_and_each_element_alone() {
    for n in 0..=37 {
        let xs = mixed(n);
        let x32: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
        let scalar32 = eval(&Op::Unary(Unary::Exp), &[&Tensor::from_f32(vec![n], x32.clone())], DType::F32, &[n]);
        let scalar64 = eval(&Op::Unary(Unary::Exp), &[&Tensor::from_f64(vec![n], xs.clone())], DType::F64, &[n]);
        for isa in isas() {
            let mut y32 = vec![0.0; n];
            exp_f32_with(isa, &x32, &mut y32);
            assert_close_f32(&format!("{isa:?} exp_f32, length {n}"), &y32, scalar32.as_f32().unwrap(), 1);
            let mut y64 = vec![0.0; n];
            exp_f64_with(isa, &xs, &mut y64);
            assert_close_f64(&format!("{isa:?} exp_f64, length {n}"), &y64, scalar64.as_f64().unwrap(), 1);
            // A value's result must not depend on where it sits in the slice.
            for i in 0..n {
                let (mut one32, mut one64) = ([0.0f32], [0.0f64]);
                exp_f32_with(isa, &x32[i..=i], &mut one32);
                exp_f64_with(isa, &xs[i..=i], &mut one64);
                assert_eq!(one32[0].to_bits(), y32[i].to_bits(), "{isa:?} exp_f32 of {} alone vs at {i} of {n}", x32[i]);
                assert_eq!(one64[0].to_bits(), y64[i].to_bits(), "{isa:?} exp_f64 of {} alone vs at {i} of {n}", xs[i]);
            }
        }
        // The default entry points and the generic one run the best path.
        let best = *isas().last().unwrap();
        let (mut want32, mut want64) = (vec![0.0; n], vec![0.0; n]);
        exp_f32_with(best, &x32, &mut want32);
        exp_f64_with(best, &xs, &mut want64);
        let (mut got32, mut got64) = (vec![0.0; n], vec![0.0; n]);
        exp_f32(&x32, &mut got32);
        exp_f64(&xs, &mut got64);
        let bits32 = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let bits64 = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits32(&got32), bits32(&want32));
        assert_eq!(bits64(&got64), bits64(&want64));
        assert_eq!(bits32(&exp_fast(&x32)), bits32(&want32));
        assert_eq!(bits64(&exp_fast(&xs)), bits64(&want64));
    }
    assert_eq!(Isa::best(), *isas().last().unwrap());
}

#[test]
#[should_panic(expected = "lengths differ")]
fn mismatched_lengths_panic() {
    exp_f32(&[1.0, 2.0], &mut [0.0]);
}

/// The largest ulp distance between `1 / exp(x)` and `exp(-x)`, both with
/// libm, over `xs`, and where it occurs.
fn reciprocal_worst_f32(xs: impl Iterator<Item = f32>) -> (u32, f32) {
    xs.map(|x| (ulp_distance_f32(1.0 / x.exp(), (-x).exp()), x)).fold((0, f32::NAN), |a, b| if b.0 > a.0 { b } else { a })
}

fn reciprocal_worst_f64(xs: impl Iterator<Item = f64>) -> (u64, f64) {
    xs.map(|x| (ulp_distance_f64(1.0 / x.exp(), (-x).exp()), x)).fold((0, f64::NAN), |a, b| if b.0 > a.0 { b } else { a })
}

/// The fused executor computes `exp(-x)` as `1 / exp(x)` where it already has
/// `exp(x)`. The extra rounding keeps it within 1 ulp of libm's `exp(-x)` as
/// long as `exp(x)` is normal, i.e. `x >= ln(2^-126) = -87.34` in f32 and
/// `x >= -708.39` in f64. Below that `exp(x)` is subnormal and has lost bits:
/// every f32 from -88.72283 to -87.69949 (where `exp(-x)` overflows) was
/// checked, and 28,249 of them are 2 to 4 ulp off (see the exhaustive test).
#[test]
fn reciprocal_of_exp_is_within_one_ulp_of_exp_of_negation() {
    let xs = (0..=(87.0f32).to_bits()).step_by(97).flat_map(|b| [f32::from_bits(b), -f32::from_bits(b)]);
    let (ulps, x) = reciprocal_worst_f32(xs);
    println!("1/expf(x) vs expf(-x) on [-87, 87], every 97th f32: max {ulps} ulp at x = {x:e}");
    assert!(ulps <= 1, "1/expf({x:e}) is {ulps} ulp from expf({:e})", -x);

    let mut rng = Rng(0xec1);
    let xs = (0..2_000_000).map(|i| if i % 4 == 0 { rng.pattern(700.0) } else { rng.uniform(-700.0, 700.0) });
    let (ulps, x) = reciprocal_worst_f64(xs);
    println!("1/exp(x) vs exp(-x) on [-700, 700], 2M samples: max {ulps} ulp at x = {x:e}");
    assert!(ulps <= 1, "1/exp({x:e}) is {ulps} ulp from exp({:e})", -x);
}

/// Every f32 on every path: prints the largest error over the whole range
/// where exp is finite and nonzero, and checks it.
#[test]
#[ignore = "exhaustive, a few minutes in release mode"]
fn exp_f32_exhaustive() {
    for isa in isas() {
        // 1024 chunks of 2^22 bit patterns, half of them for each of two threads.
        let chunks: Vec<(u32, u32)> = (0..1024u32).map(|i| (i << 22, ((i + 1) << 22).wrapping_sub(1))).collect();
        let worst = std::thread::scope(|s| {
            let halves = chunks.chunks(512).map(|part| {
                s.spawn(move || {
                    let mut worst = Worst { ulps: 0.0, x: f32::NAN, got: f32::NAN };
                    for &(lo, hi) in part {
                        let xs: Vec<f32> = (lo..=hi).map(f32::from_bits).filter(|x| !x.is_nan()).collect();
                        worst = worst.worse(worst_f32(isa, &xs));
                    }
                    worst
                })
            });
            let halves: Vec<_> = halves.collect();
            halves.into_iter().map(|h| h.join().unwrap()).reduce(Worst::worse).unwrap()
        });
        assert_accurate("exp_f32, every f32", isa, worst);
    }
}

/// Every f32 in [-103.97, 88.73]: where `1 / expf(x)` is more than 1 ulp from
/// `expf(-x)`, printed as the range of x where that happens; and 50M f64
/// samples where `exp(x)` is normal, and 5M where it is subnormal.
#[test]
#[ignore = "exhaustive, a few minutes in release mode"]
fn reciprocal_of_exp_exhaustive() {
    let (overflow, underflow) = f32_thresholds();
    let positive = (0..=overflow.to_bits()).map(f32::from_bits);
    let negative = (0..=(-underflow).to_bits()).map(|b| -f32::from_bits(b));
    let (mut worst, mut far, mut lowest_far, mut highest_far) = ((0, f32::NAN), 0u64, f32::INFINITY, f32::NEG_INFINITY);
    for x in positive.chain(negative) {
        let d = ulp_distance_f32(1.0 / x.exp(), (-x).exp());
        if d > 1 {
            far += 1;
            lowest_far = lowest_far.min(x);
            highest_far = highest_far.max(x);
        }
        if d > worst.0 {
            worst = (d, x);
        }
    }
    println!(
        "1/expf(x) vs expf(-x) on [{underflow:e}, {overflow:e}]: max {} ulp at x = {:e}; {far} values over 1 ulp, all in [{lowest_far:e}, {highest_far:e}]",
        worst.0, worst.1
    );
    let normal = (0..=(87.336f32).to_bits()).map(f32::from_bits).flat_map(|x| [x, -x]);
    let (ulps, x) = reciprocal_worst_f32(normal);
    println!("1/expf(x) vs expf(-x) on [-87.336, 87.336], every f32: max {ulps} ulp at x = {x:e}");
    assert!(ulps <= 1);

    let mut rng = Rng(0xec2);
    let (ulps, x) = reciprocal_worst_f64((0..50_000_000).map(|_| rng.uniform(-708.39, 709.78)));
    println!("1/exp(x) vs exp(-x) on [-708.39, 709.78], 50M samples: max {ulps} ulp at x = {x:e}");
    assert!(ulps <= 1);
    let (ulps, x) = reciprocal_worst_f64((0..5_000_000).map(|_| rng.uniform(-709.78, -708.4)));
    println!("1/exp(x) vs exp(-x) on [-709.78, -708.4] (exp(x) subnormal), 5M samples: max {ulps} ulp at x = {x:e}");
}

/// `exp(x)` over 10M elements, best of 5, in ns per element.
#[test]
#[ignore = "a benchmark: run in release mode"]
fn throughput() {
    fn time(mut f: impl FnMut()) -> f64 {
        (0..5)
            .map(|_| {
                let start = std::time::Instant::now();
                f();
                start.elapsed().as_secs_f64() * 1e9 / 10e6
            })
            .fold(f64::INFINITY, f64::min)
    }
    let x64 = grid::<f64>(-80.0, 80.0, 10_000_000);
    let x32: Vec<f32> = x64.iter().map(|&v| v as f32).collect();
    let (mut y32, mut y64) = (vec![0.0f32; x32.len()], vec![0.0f64; x64.len()]);
    let libm32 = time(|| y32.iter_mut().zip(&x32).for_each(|(y, &x)| *y = std::hint::black_box(x).exp()));
    let libm64 = time(|| y64.iter_mut().zip(&x64).for_each(|(y, &x)| *y = std::hint::black_box(x).exp()));
    println!("libm, one element at a time: f32 {libm32:.3} ns/element, f64 {libm64:.3} ns/element");
    for isa in isas() {
        let t32 = time(|| exp_f32_with(isa, std::hint::black_box(&x32), &mut y32));
        let t64 = time(|| exp_f64_with(isa, std::hint::black_box(&x64), &mut y64));
        println!("vmath {isa:?}: f32 {t32:.3} ns/element, f64 {t64:.3} ns/element");
    }
    // 10M elements again as 2442 passes over the same 4096 spread over the
    // range, source and destination in L1: the kernel's own speed, without
    // waiting for memory.
    let (l1_32, l1_64): (Vec<f32>, Vec<f64>) = (x32.iter().step_by(2442).copied().collect(), x64.iter().step_by(2442).copied().collect());
    let (mut small32, mut small64) = (vec![0.0f32; l1_32.len()], vec![0.0f64; l1_64.len()]);
    for isa in isas() {
        let t32 = time(|| (0..2442).for_each(|_| exp_f32_with(isa, std::hint::black_box(&l1_32), &mut small32)));
        let t64 = time(|| (0..2442).for_each(|_| exp_f64_with(isa, std::hint::black_box(&l1_64), &mut small64)));
        println!("vmath {isa:?}, a 4096-element slice in L1: f32 {t32:.3} ns/element, f64 {t64:.3} ns/element");
    }
}
