//! The rank-general kernels: `permute` against index arithmetic, and batched
//! `matmul` against a per-element triple loop in f64 (exact for the small
//! integers used here), for every way PyTorch's matmul treats ranks.

use graphc_runtime::kernels::matmul::matmul;
use graphc_runtime::kernels::shape::permute;

/// Element `index` of a row-major tensor of `shape`.
fn at(values: &[f64], shape: &[usize], index: &[usize]) -> f64 {
    let mut offset = 0;
    for (i, s) in index.iter().zip(shape) {
        offset = offset * s + i;
    }
    values[offset]
}

fn iota(n: usize) -> Vec<f64> {
    (0..n).map(|i| ((i * 7) % 11) as f64 - 5.0).collect()
}

#[test]
fn permute_moves_each_element_to_its_permuted_index() {
    let shape = [2, 3, 4];
    let x = iota(24);
    let y = permute(&x, &shape, &[2, 0, 1]);
    for i in 0..4 {
        for j in 0..2 {
            for k in 0..3 {
                assert_eq!(at(&y, &[4, 2, 3], &[i, j, k]), at(&x, &shape, &[j, k, i]), "y[{i}, {j}, {k}]");
            }
        }
    }
}

/// `a @ b` by the definition: broadcast batch indices, 1-D operands as a row
/// (left) or a column (right).
fn reference(a: &[f64], sa: &[usize], b: &[f64], sb: &[usize]) -> Vec<f64> {
    let a2: Vec<usize> = if sa.len() == 1 { vec![1, sa[0]] } else { sa.to_vec() };
    let b2: Vec<usize> = if sb.len() == 1 { vec![sb[0], 1] } else { sb.to_vec() };
    let (ab, bb) = (&a2[..a2.len() - 2], &b2[..b2.len() - 2]);
    let r = ab.len().max(bb.len());
    let pad = |s: &[usize]| -> Vec<usize> { std::iter::repeat_n(1, r - s.len()).chain(s.iter().copied()).collect() };
    let (pa, pb) = (pad(ab), pad(bb));
    let batch: Vec<usize> = pa.iter().zip(&pb).map(|(&x, &y)| if x == 1 { y } else { x }).collect();
    let (m, k, n) = (a2[a2.len() - 2], a2[a2.len() - 1], b2[b2.len() - 1]);
    let mut out = Vec::new();
    let count: usize = batch.iter().product();
    for flat in 0..count {
        let mut idx = vec![0; r];
        let mut rest = flat;
        for d in (0..r).rev() {
            idx[d] = rest % batch[d];
            rest /= batch[d];
        }
        let ia: Vec<usize> = idx.iter().zip(&pa).map(|(i, s)| if *s == 1 { 0 } else { *i }).collect();
        let ib: Vec<usize> = idx.iter().zip(&pb).map(|(i, s)| if *s == 1 { 0 } else { *i }).collect();
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0.0;
                for p in 0..k {
                    let ka: Vec<usize> = ia.iter().copied().skip(r - ab.len()).chain([i, p]).collect();
                    let kb: Vec<usize> = ib.iter().copied().skip(r - bb.len()).chain([p, j]).collect();
                    acc += at(a, &a2, &ka) * at(b, &b2, &kb);
                }
                out.push(acc);
            }
        }
    }
    out
}

#[test]
fn batched_matmul_matches_the_definition() {
    let cases: &[(&[usize], &[usize], &[usize])] = &[
        (&[2, 3, 4], &[4, 5], &[2, 3, 5]),
        (&[2, 3], &[5, 3, 4], &[5, 2, 4]),
        (&[2, 1, 2, 3], &[4, 3, 2], &[2, 4, 2, 2]),
        (&[3], &[2, 3, 4], &[2, 4]),
        (&[2, 3, 4], &[4], &[2, 3]),
        (&[2, 2, 3], &[2, 3, 2], &[2, 2, 2]),
        // Large enough per matrix for the GEMM path (k * m * n >= 400).
        (&[2, 8, 9], &[2, 9, 7], &[2, 8, 7]),
        (&[0, 2, 3], &[3, 4], &[0, 2, 4]),
        (&[2, 2, 0], &[2, 0, 3], &[2, 2, 3]),
    ];
    for &(sa, sb, out) in cases {
        let a = iota(sa.iter().product());
        let b = iota(sb.iter().product());
        let (c, shape) = matmul(&a, sa, &b, sb);
        assert_eq!(shape, out, "{sa:?} @ {sb:?}");
        assert_eq!(c, reference(&a, sa, &b, sb), "{sa:?} @ {sb:?}");
    }
}
