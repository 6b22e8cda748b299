//! The port of glibc's `expf` (`kernels::glibc_exp`) gives `f32::exp`'s bits.
//!
//! The sampled test runs by default (every 997th f32, the probes and slices of
//! every length up to 40); the exhaustive one sweeps all 2^32 inputs on every
//! path and is ignored because it takes minutes unoptimized:
//! `cargo test --release -p graphc-runtime --test glibc_exp -- --ignored --nocapture`.

use graphc_runtime::kernels::glibc_exp::{exp_f32, exp_f32_with, exp_scalar, libm_is_matched, Path};
use proptest::prelude::*;

/// The paths of the port this CPU runs, when this machine's libm is the one it
/// reproduces; otherwise none (`exp_f32` then runs libm itself).
fn port_paths() -> Vec<Path> {
    if !libm_is_matched() {
        eprintln!("this libm is not glibc's FMA build: only the libm fallback is checked");
        return Vec::new();
    }
    [Path::Avx512, Path::Avx2Fma, Path::Portable].into_iter().filter(|p| p.is_supported()).collect()
}

/// The inputs of `bits` on which `path` and `f32::exp` differ (NaNs agree with NaNs).
fn mismatches(path: Path, bits: &[u32]) -> Vec<u32> {
    let xs: Vec<f32> = bits.iter().map(|&b| std::hint::black_box(f32::from_bits(b))).collect();
    let mut out = vec![0.0f32; xs.len()];
    exp_f32_with(path, &xs, &mut out);
    xs.iter()
        .zip(&out)
        .filter(|(x, o)| {
            let e = x.exp();
            o.to_bits() != e.to_bits() && !(o.is_nan() && e.is_nan())
        })
        .map(|(x, _)| x.to_bits())
        .collect()
}

#[test]
fn on_glibc_with_fma_the_port_is_chosen() {
    // The machines this project runs on: x86-64 Linux with glibc and AVX2+FMA.
    if cfg!(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu")) && Path::Avx2Fma.is_supported() {
        assert!(libm_is_matched(), "glibc's expf no longer matches the port on the probes");
        let fastest = if Path::Avx512.is_supported() { Path::Avx512 } else { Path::Avx2Fma };
        assert_eq!(Path::best(), fastest);
    }
}

#[test]
fn a_sample_of_f32_inputs_gets_libms_bits_on_every_path() {
    let mut bits: Vec<u32> = (0..=u32::MAX).step_by(997).collect();
    // Inputs that round the other way without the fused range reduction, the
    // overflow and underflow thresholds and their neighbours, and the specials.
    bits.extend([
        0x4202422f, 0xc27c65d9, 0x42b17217, 0x42b17218, 0xc2cff1b4, 0xc2cff1b5, 0xc2b00000, 0x42b00000, 0x7f800000, 0xff800000, 0x7fc00000,
        0xffc00001, 0, 0x80000000, 1,
    ]);
    for path in port_paths().into_iter().chain([Path::Libm]) {
        assert_eq!(mismatches(path, &bits), Vec::<u32>::new(), "{path:?} differs from f32::exp");
    }
    for &b in &bits {
        let x = std::hint::black_box(f32::from_bits(b));
        let mut o = [0.0f32];
        exp_f32(&[x], &mut o);
        assert!(o[0].to_bits() == x.exp().to_bits() || (o[0].is_nan() && x.is_nan()), "exp_f32({x:e})");
        if libm_is_matched() {
            assert!(exp_scalar(x).to_bits() == x.exp().to_bits() || x.is_nan(), "exp_scalar({x:e})");
        }
    }
}

#[test]
fn every_slice_length_gives_each_element_the_same_bits() {
    // The tail shorter than a vector block is padded: its elements must not change.
    let xs: Vec<f32> = (0..40).map(|i| (i as f32 - 20.0) * 4.7 + 0.3).collect();
    for path in port_paths() {
        for n in 0..=xs.len() {
            let mut out = vec![f32::NAN; n];
            exp_f32_with(path, &xs[..n], &mut out);
            for (x, o) in xs[..n].iter().zip(&out) {
                assert_eq!(o.to_bits(), x.exp().to_bits(), "{path:?}, length {n}, x = {x:e}");
            }
        }
    }
}

proptest! {
    // Each vector path gives every element of any slice, at any offset in its
    // buffer (so unaligned) and of any length (so every tail), the bits of the
    // scalar port, special inputs (NaN payloads, infinities, overflow and
    // underflow) included. Unlike the tests above this needs no libm match:
    // it compares the port's paths with each other.
    #[test]
    fn vector_paths_equal_the_scalar_port_bit_for_bit(bits in proptest::collection::vec(any::<u32>(), 0..80), skip in 0usize..16, scale in 0u32..3) {
        // Random bits are mostly huge or tiny; a third of the cases narrow them
        // to the ordinary range, where the table and polynomial do the work.
        let xs: Vec<f32> = bits.iter().map(|&b| match scale {
            0 => f32::from_bits(b),
            1 => (b as i32 as f32) * (100.0 / i32::MAX as f32),
            _ => (b as i32 as f32) * (1.0 / i32::MAX as f32),
        }).collect();
        let skip = skip.min(xs.len());
        let src = &xs[skip..];
        let want: Vec<u32> = src.iter().map(|&x| exp_scalar(x).to_bits()).collect();
        for path in [Path::Avx512, Path::Avx2Fma].into_iter().filter(|p| p.is_supported()) {
            let mut out = vec![f32::NAN; xs.len()];
            exp_f32_with(path, src, &mut out[skip..]);
            let got: Vec<u32> = out[skip..].iter().map(|o| o.to_bits()).collect();
            prop_assert_eq!(&got, &want, "{:?} at offset {}", path, skip);
            prop_assert!(out[..skip].iter().all(|o| o.is_nan()), "{:?} wrote before its slice", path);
        }
    }
}

#[test]
#[ignore = "sweeps all 2^32 inputs on every path: minutes unoptimized, seconds in release"]
fn every_f32_input_gets_libms_bits_on_every_path() {
    let paths = port_paths();
    assert!(!paths.is_empty(), "this machine's libm is not the one the port reproduces");
    for path in paths {
        let start = std::time::Instant::now();
        let mut wrong = Vec::new();
        let block: Vec<u32> = (0..1u32 << 20).collect();
        for high in 0..1u32 << 12 {
            let bits: Vec<u32> = block.iter().map(|&b| (high << 20) | b).collect();
            wrong.extend(mismatches(path, &bits));
        }
        eprintln!("{path:?}: all 2^32 inputs, {} differ from f32::exp, {:.1} s", wrong.len(), start.elapsed().as_secs_f64());
        assert_eq!(wrong, Vec::<u32>::new(), "{path:?} differs from f32::exp");
    }
}
