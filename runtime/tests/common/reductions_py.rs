//! The inputs and the digest of `tools/numerics/reductions.py`, which the tests
//! that read its reference data (`runtime/tests/data/numerics_reduce.json`)
//! reproduce step for step: `runtime/tests/numerics_reduce.rs` and
//! `compiler/tests/softmax_gradients.rs` both compile this one file by path, so
//! that a change to the script's `values` or `fnv` is made here once.
//!
//! It is a test file rather than a module of graphc-runtime because nothing but
//! these tests needs it: as a public module it would be part of the runtime's
//! API (and of every binary linking it) only to serve the compiler's tests.

/// A case's inputs, as `values` in reductions.py: one splitmix64 draw z per
/// element, u = (z >> 11) * 2^-53, then values near 1 for `prod` (products that
/// neither overflow nor vanish), or (2u - 1) * 2^e with e = (z & 0xff) % 17 - 8
/// otherwise (mixed magnitudes, so that every change of grouping shows in the
/// last bits); in f64, which the caller rounds to the case's dtype as the script does.
pub fn values(seed: u64, n: usize, prod: bool) -> Vec<f64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let u = (z >> 11) as f64 * 2f64.powi(-53);
            if prod {
                1.0 + (2.0 * u - 1.0) / 64.0
            } else {
                (2.0 * u - 1.0) * 2f64.powi((z & 0xff) as i32 % 17 - 8)
            }
        })
        .collect()
}

/// The script's `fnv`: FNV-1a over the bytes of an output (its elements'
/// little-endian bit patterns, in order), as 16 hexadecimal digits.
pub fn fnv(bytes: impl IntoIterator<Item = u8>) -> String {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3);
    }
    format!("{h:016x}")
}
