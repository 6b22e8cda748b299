//! graphc's reductions against PyTorch 2.15's on this project's reference
//! machine (one thread, its default AVX-512 kernels), from compact data
//! (`tests/data/numerics_reduce.json`, written by `tools/numerics/reductions.py
//! --json`): per case an FNV-1a digest of PyTorch's output bits and its first
//! elements. Inputs come from the script's seeded generator, which
//! `common/reductions_py.rs` reproduces, so only PyTorch's outputs are stored.
//! docs/NUMERICS.md ("Reductions") records the element counts over all cases,
//! which `measure_reductions_against_full_pytorch_outputs` prints from
//! PyTorch's full outputs.

use graphc_runtime::kernels::matmul::matmul;
use graphc_runtime::kernels::reduce_dims::reduce;
use graphc_runtime::kernels::scan::cumsum;
use graphc_runtime::kernels::softmax::{softmax, softmax_backward};
use graphc_runtime::op::{F64Bits, ReduceKind};
use serde_json::Value;

// The script's input generator and digest, shared with compiler/tests/softmax_gradients.rs.
#[path = "common/reductions_py.rs"]
mod reductions_py;
use reductions_py::values;

fn reference() -> Value {
    serde_json::from_str(include_str!("data/numerics_reduce.json")).expect("numerics_reduce.json is valid JSON")
}

/// One case of the data: op, dtype, shape, reduced dimensions (all for `None`), seed.
struct Case {
    op: String,
    f32: bool,
    shape: Vec<usize>,
    dims: Option<Vec<usize>>,
    seed: u64,
}

impl Case {
    fn from_json(v: &Value) -> Case {
        let list = |v: &Value| v.as_array().expect("a list").iter().map(|d| d.as_u64().expect("a size") as usize).collect::<Vec<_>>();
        Case {
            op: v["op"].as_str().expect("op").to_string(),
            f32: v["dtype"] == "f32",
            shape: list(&v["shape"]),
            dims: (!v["dims"].is_null()).then(|| list(&v["dims"])),
            seed: v["seed"].as_u64().expect("seed"),
        }
    }

    /// graphc's output as bit patterns (f32 in the low half of each).
    fn graphc(&self) -> Vec<u64> {
        if self.op == "matmul" {
            return self.matmul();
        }
        let n = self.shape.iter().product();
        let x = values(self.seed, n, self.op == "prod");
        if self.op.ends_with("_backward") {
            let g = values(self.seed + 1_000_000, n, false);
            return if self.f32 {
                let (x, g): (Vec<f32>, Vec<f32>) = (x.iter().map(|&v| v as f32).collect(), g.iter().map(|&v| v as f32).collect());
                self.backward(&x, &g).iter().map(|v| u64::from(v.to_bits())).collect()
            } else {
                self.backward(&x, &g).iter().map(|v| v.to_bits()).collect()
            };
        }
        if self.f32 {
            let x: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            self.run(&x).iter().map(|v| u64::from(v.to_bits())).collect()
        } else {
            self.run(&x).iter().map(|v| v.to_bits()).collect()
        }
    }

    /// `a @ b` for shape [m, k, n]: the first m*k values are `a`, the next k*n `b`.
    fn matmul(&self) -> Vec<u64> {
        let [m, k, n] = self.shape[..] else { panic!("matmul shape {:?}", self.shape) };
        let x = values(self.seed, m * k + k * n, false);
        if self.f32 {
            let x: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            matmul(&x[..m * k], &[m, k], &x[m * k..], &[k, n]).0.iter().map(|v| u64::from(v.to_bits())).collect()
        } else {
            matmul(&x[..m * k], &[m, k], &x[m * k..], &[k, n]).0.iter().map(|v| v.to_bits()).collect()
        }
    }

    /// The backward kernel at gradient `g` of the forward output at `x`.
    fn backward<T: graphc_runtime::kernels::float::Float>(&self, x: &[T], g: &[T]) -> Vec<T> {
        let dims = self.dims.as_ref().expect("a backward case has its dimension");
        let log = self.op == "log_softmax_backward";
        let out = softmax(x, &self.shape, dims[0], log);
        softmax_backward(g, &out, &self.shape, dims[0], log)
    }

    fn run<T: graphc_runtime::kernels::float::Float>(&self, x: &[T]) -> Vec<T> {
        let all: Vec<usize> = (0..self.shape.len()).collect();
        let dims = self.dims.clone().unwrap_or(all);
        let kind = match self.op.as_str() {
            "sum" => ReduceKind::Sum,
            "mean" => ReduceKind::Mean,
            "prod" => ReduceKind::Prod,
            "var" => ReduceKind::Var(F64Bits::new(1.0)),
            "std" => ReduceKind::Std(F64Bits::new(1.0)),
            "logsumexp" => ReduceKind::LogSumExp,
            "norm2" => ReduceKind::Norm(F64Bits::new(2.0)),
            "norm1" => ReduceKind::Norm(F64Bits::new(1.0)),
            "softmax" => return softmax(x, &self.shape, dims[0], false),
            "log_softmax" => return softmax(x, &self.shape, dims[0], true),
            "cumsum" => return cumsum(x, &self.shape, dims[0], false),
            other => panic!("unknown op {other}"),
        };
        reduce(kind, x, &self.shape, &dims)
    }

    fn describe(&self) -> String {
        format!("{} {} {:?} dims {:?}", self.op, if self.f32 { "f32" } else { "f64" }, self.shape, self.dims)
    }
}

/// The script's digest of an output given as bit patterns (f32 in the low half of each).
fn fnv(f32: bool, bits: &[u64]) -> String {
    let width = if f32 { 4 } else { 8 };
    reductions_py::fnv(bits.iter().flat_map(|b| b.to_le_bytes().into_iter().take(width)))
}

/// The distance in ulps of two bit patterns of the dtype (0 for two NaNs,
/// `u64::MAX` for a NaN against a number).
fn ulps(f32: bool, a: u64, b: u64) -> u64 {
    let nan = |x: u64| if f32 { f32::from_bits(x as u32).is_nan() } else { f64::from_bits(x).is_nan() };
    match (nan(a), nan(b)) {
        (true, true) => return 0,
        (false, false) => {}
        _ => return u64::MAX,
    }
    let ord = |x: u64| -> i128 {
        let (sign, mag) = if f32 { (x >> 31 != 0, i128::from(x & 0x7fff_ffff)) } else { (x >> 63 != 0, i128::from(x & 0x7fff_ffff_ffff_ffff)) };
        if sign {
            -mag
        } else {
            mag
        }
    };
    u64::try_from((ord(a) - ord(b)).unsigned_abs()).unwrap_or(u64::MAX)
}

/// Ops whose every case graphc computes bit for bit as PyTorch here.
const EXACT: &[&str] =
    &["sum", "mean", "var", "std", "norm1", "norm2", "cumsum", "prod", "softmax", "log_softmax", "softmax_backward", "log_softmax_backward"];

/// For the other ops, the largest difference relative to max(1, |PyTorch's
/// value|) allowed, f32 then f64: the worst over all cases of reductions.py
/// (docs/NUMERICS.md), rounded up. Relative, not in ulps, because a value that
/// cancels to near 0 is millions of ulps from a neighbour 1e-7 away.
const BOUND: &[(&str, f64, f64)] = &[("logsumexp", 2e-7, 5e-16), ("matmul", 2e-3, 4e-12)];

/// An f32 or f64 bit pattern's value.
fn value(f32: bool, x: u64) -> f64 {
    if f32 {
        f64::from(f32::from_bits(x as u32))
    } else {
        f64::from_bits(x)
    }
}

#[test]
fn reductions_match_pytorch_bit_for_bit_or_within_the_measured_bound() {
    let r = reference();
    let cases = r["cases"].as_array().expect("cases");
    assert!(cases.len() > 1000, "the reference data lost its cases");
    let mut failures = Vec::new();
    for v in cases {
        let case = Case::from_json(v);
        // x.grad through autograd needs the compiler: compiler/tests/softmax_gradients.rs checks those.
        if case.op.ends_with("_grad") {
            continue;
        }
        let got = case.graphc();
        if EXACT.contains(&case.op.as_str()) {
            if fnv(case.f32, &got) != v["fnv"].as_str().unwrap() {
                failures.push(format!("{}: digest differs, first elements {:x?}, PyTorch {}", case.describe(), &got[..got.len().min(4)], v["head"]));
            }
            continue;
        }
        let &(_, b32, b64) = BOUND.iter().find(|(op, ..)| *op == case.op).unwrap_or_else(|| panic!("no bound for {}", case.op));
        let bound = if case.f32 { b32 } else { b64 };
        for (k, h) in v["head"].as_array().unwrap().iter().enumerate() {
            let want = u64::from_str_radix(h.as_str().unwrap(), 16).unwrap();
            let (g, w) = (value(case.f32, got[k]), value(case.f32, want));
            let d = (g - w).abs() / w.abs().max(1.0);
            if !(d <= bound || (g.is_nan() && w.is_nan())) {
                failures.push(format!("{} element {k}: graphc {g:e}, PyTorch {w:e}: {d:e} relative (bound {bound:e})", case.describe()));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Prints, per op and dtype, how many cases and elements of graphc's results
/// have PyTorch's bits, the largest distance in ulps and the largest difference
/// relative to max(1, |PyTorch's value|): the table of
/// docs/NUMERICS.md. It needs PyTorch's full outputs, so it runs only on request:
/// `GRAPHC_REDUCE_DIR=DIR cargo test -p graphc-runtime --test numerics_reduce -- --ignored --nocapture`
/// after `tools/numerics/reductions.py --dump DIR`.
#[test]
#[ignore = "needs PyTorch's outputs from tools/numerics/reductions.py --dump"]
fn measure_reductions_against_full_pytorch_outputs() {
    let dir = std::env::var("GRAPHC_REDUCE_DIR").expect("set GRAPHC_REDUCE_DIR to reductions.py's --dump folder");
    let cases: Value = serde_json::from_str(&std::fs::read_to_string(format!("{dir}/cases.json")).expect("cases.json")).expect("JSON");
    // (op, dtype) -> (cases, identical cases, elements, identical elements, worst ulps),
    // and the largest difference relative to max(1, |PyTorch's value|).
    let mut table: std::collections::BTreeMap<(String, &str), ([u64; 5], f64)> = Default::default();
    for (i, v) in cases.as_array().unwrap().iter().enumerate() {
        let case = Case::from_json(v);
        if case.op.ends_with("_grad") {
            continue;
        }
        let bytes = std::fs::read(format!("{dir}/{i:04}.y")).expect("dump file");
        let want: Vec<u64> = if case.f32 {
            bytes.chunks_exact(4).map(|c| u64::from(u32::from_le_bytes(c.try_into().unwrap()))).collect()
        } else {
            bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect()
        };
        let got = case.graphc();
        assert_eq!(got.len(), want.len(), "{}", case.describe());
        let same = got.iter().zip(&want).filter(|(a, b)| a == b).count() as u64;
        let worst = got.iter().zip(&want).map(|(&a, &b)| ulps(case.f32, a, b)).max().unwrap_or(0);
        let rel = got
            .iter()
            .zip(&want)
            .map(|(&a, &b)| (value(case.f32, a) - value(case.f32, b)).abs() / value(case.f32, b).abs().max(1.0))
            .filter(|d| !d.is_nan())
            .fold(0.0, f64::max);
        let (row, worst_rel) = table.entry((case.op.clone(), if case.f32 { "f32" } else { "f64" })).or_default();
        *worst_rel = worst_rel.max(rel);
        row[0] += 1;
        row[1] += u64::from(same == want.len() as u64);
        row[2] += want.len() as u64;
        row[3] += same;
        row[4] = row[4].max(worst);
        if std::env::var("GRAPHC_REDUCE_VERBOSE").is_ok() && same != want.len() as u64 {
            println!("  {}: {same}/{} identical, worst {worst} ulps", case.describe(), want.len());
        }
    }
    for ((op, dt), ([n, n_same, e, e_same, worst], rel)) in table {
        println!("| `{op}` | {dt} | {n_same} of {n} | {e_same} of {e} | {worst} | {rel:.1e} |");
    }
}
