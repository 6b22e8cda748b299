//! graphc's numbers against PyTorch 2.15's on this project's reference machine,
//! from compact data (`tests/data/numerics_ref.json`, written by
//! `tests/data/numerics_ref.py`): inputs come from a seeded generator that this
//! file reproduces, so only PyTorch's outputs are stored, as digests and
//! samples. Ops on PyTorch's open paths (SLEEF, its own vector code) and `randn`
//! must match bit for bit; ops on MKL's closed paths within 1 ulp.
//! docs/NUMERICS.md records the same comparisons over all 100,000 elements.

use graphc_runtime::kernels::elementwise::unary;
use graphc_runtime::op::Unary;
use graphc_runtime::rng::Generator;
use graphc_runtime::tensor::DType;
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("data/numerics_ref.json")).expect("numerics_ref.json is valid JSON")
}

/// One splitmix64 step, as `tools/numerics/inputs.py`.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const SPECIAL32: [f32; 24] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    f32::INFINITY,
    f32::NEG_INFINITY,
    f32::NAN,
    1e-45,
    -1e-45,
    1.175_494_2e-38,
    1.175_494_4e-38,
    f32::MAX,
    f32::MIN,
    88.722_83,
    88.722_84,
    -87.336_54,
    -103.972_08,
    -103.972_09,
    9.0,
    -9.0,
    0.5,
    1e-8,
    -1e-8,
    20.0,
];
const SPECIAL64: [f64; 24] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    5e-324,
    -5e-324,
    2.225_073_858_507_201e-308,
    2.225_073_858_507_201_4e-308,
    f64::MAX,
    f64::MIN,
    709.782_712_893_384,
    709.782_712_893_384_1,
    -708.396_418_532_264_1,
    -745.133_219_101_941_1,
    -745.133_219_101_941_2,
    9.0,
    -9.0,
    0.5,
    1e-17,
    -1e-17,
    40.0,
];

/// The inputs of one case, each element's f64 value (exactly the dtype's value).
fn inputs(seed: u64, n: usize, lo: f64, hi: f64, dtype: DType) -> Vec<f64> {
    let mut state = seed;
    let mut special = 0;
    (0..n)
        .map(|i| {
            let z = splitmix64(&mut state);
            match (i % 10, dtype) {
                (0..=4, DType::F32) => (lo + (hi - lo) * ((z >> 11) as f64 * 2f64.powi(-53))) as f32 as f64,
                (0..=4, _) => lo + (hi - lo) * ((z >> 11) as f64 * 2f64.powi(-53)),
                (5..=8, DType::F32) => f32::from_bits((z >> 32) as u32) as f64,
                (5..=8, _) => f64::from_bits(z),
                (_, DType::F32) => {
                    special += 1;
                    SPECIAL32[(special - 1) % SPECIAL32.len()] as f64
                }
                _ => {
                    special += 1;
                    SPECIAL64[(special - 1) % SPECIAL64.len()]
                }
            }
        })
        .collect()
}

/// An output's bit patterns, widened to u64 (f32 in the low half).
fn bit_patterns(dtype: DType, values: &[f64]) -> Vec<u64> {
    match dtype {
        DType::F32 => values.iter().map(|&v| u64::from((v as f32).to_bits())).collect(),
        _ => values.iter().map(|v| v.to_bits()).collect(),
    }
}

/// FNV-1a over the little-endian bytes of each bit pattern, as the script.
fn fnv(dtype: DType, bits: &[u64]) -> String {
    let width = if dtype == DType::F32 { 4 } else { 8 };
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in bits {
        for byte in &b.to_le_bytes()[..width] {
            h = (h ^ u64::from(*byte)).wrapping_mul(0x100_0000_01B3);
        }
    }
    format!("{h:016x}")
}

/// The distance in ulps between two bit patterns of the dtype (0 for two
/// NaNs, u64::MAX for a NaN against a number).
fn ulps(dtype: DType, a: u64, b: u64) -> u64 {
    let (fa, fb) = match dtype {
        DType::F32 => (f32::from_bits(a as u32) as f64, f32::from_bits(b as u32) as f64),
        _ => (f64::from_bits(a), f64::from_bits(b)),
    };
    match (fa.is_nan(), fb.is_nan()) {
        (true, true) => return 0,
        (false, false) => {}
        _ => return u64::MAX,
    }
    let ord = |x: u64| -> i128 {
        let (sign, mag) = match dtype {
            DType::F32 => (x >> 31 != 0, i128::from(x & 0x7fff_ffff)),
            _ => (x >> 63 != 0, i128::from(x & 0x7fff_ffff_ffff_ffff)),
        };
        if sign {
            -mag
        } else {
            mag
        }
    };
    u64::try_from((ord(a) - ord(b)).unsigned_abs()).unwrap_or(u64::MAX)
}

fn dtype_of(case: &Value) -> DType {
    match case["dtype"].as_str().expect("dtype") {
        "f32" => DType::F32,
        "f64" => DType::F64,
        other => panic!("unexpected dtype {other}"),
    }
}

fn sample(case: &Value) -> Vec<u64> {
    case["sample"].as_array().expect("sample").iter().map(|v| u64::from_str_radix(v.as_str().unwrap(), 16).unwrap()).collect()
}

fn op_named(name: &str) -> Unary {
    // `gelu_tanh` is the `gelu` builtin's `approximate='tanh'` row: no builtin of its own.
    *Unary::ALL
        .iter()
        .find(|op| op.builtin_name() == Some(name))
        .or_else(|| Unary::ALL.iter().find(|op| op.name() == name))
        .unwrap_or_else(|| panic!("no op {name}"))
}

/// graphc's output of `op` over the case's inputs, as bit patterns.
fn graphc_output(case: &Value) -> (DType, Vec<u64>) {
    let dtype = dtype_of(case);
    let x = inputs(
        case["seed"].as_u64().unwrap(),
        case["n"].as_u64().unwrap() as usize,
        case["lo"].as_f64().unwrap(),
        case["hi"].as_f64().unwrap(),
        dtype,
    );
    let op = op_named(case["op"].as_str().unwrap());
    let y: Vec<f64> = match dtype {
        DType::F32 => unary(op, &x.iter().map(|&v| v as f32).collect::<Vec<_>>()).into_iter().map(f64::from).collect(),
        _ => unary(op, &x),
    };
    (dtype, bit_patterns(dtype, &y))
}

/// Where a digest differs, the first sampled element that differs says which
/// input to look at.
fn first_sample_difference(stride: usize, got: &[u64], want: &[u64]) -> String {
    let sampled: Vec<u64> = got.iter().step_by(stride).copied().collect();
    match sampled.iter().zip(want).position(|(a, b)| a != b) {
        Some(k) => format!("element {}: graphc {:x}, PyTorch {:x}", k * stride, sampled[k], want[k]),
        None => "no sampled element differs".to_string(),
    }
}

#[test]
fn open_path_ops_are_bit_identical_to_pytorch_at_every_size() {
    let r = reference();
    let stride = r["stride"].as_u64().unwrap() as usize;
    let cases = r["exact"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let (dtype, got) = graphc_output(case);
        let want = case["fnv"].as_str().unwrap();
        assert_eq!(
            fnv(dtype, &got),
            want,
            "{} {} n={}: {}",
            case["op"],
            case["dtype"],
            case["n"],
            first_sample_difference(stride, &got, &sample(case))
        );
    }
}

#[test]
fn closed_path_ops_are_within_one_ulp_of_pytorch() {
    let r = reference();
    let stride = r["stride"].as_u64().unwrap() as usize;
    for case in r["close"].as_array().unwrap() {
        let (dtype, got) = graphc_output(case);
        let want = sample(case);
        let sampled: Vec<u64> = got.iter().step_by(stride).copied().collect();
        assert_eq!(sampled.len(), want.len());
        for (k, (&a, &b)) in sampled.iter().zip(&want).enumerate() {
            let d = ulps(dtype, a, b);
            assert!(d <= 1, "{} {} element {}: graphc {a:x}, PyTorch {b:x}: {d} ulps", case["op"], case["dtype"], k * stride);
        }
    }
}

#[test]
fn randn_is_bit_identical_to_pytorch_at_every_size_and_dtype() {
    let r = reference();
    let stride = r["stride"].as_u64().unwrap() as usize;
    let mut g = Generator::new();
    for case in r["randn"].as_array().unwrap() {
        let dtype = dtype_of(case);
        let n = case["n"].as_u64().unwrap() as usize;
        g.manual_seed(case["seed"].as_u64().unwrap());
        let got = bit_patterns(dtype, &g.randn(dtype, &[n]).to_f64_vec());
        assert_eq!(
            fnv(dtype, &got),
            case["fnv"].as_str().unwrap(),
            "randn seed {} {} n={n}: {}",
            case["seed"],
            case["dtype"],
            first_sample_difference(stride, &got, &sample(case))
        );
    }
}

#[test]
fn the_input_generator_makes_every_kind_of_input() {
    // The reference data are only as good as their inputs: both dtypes must
    // include zeros of both signs, subnormals, infinities and NaNs.
    for dtype in [DType::F32, DType::F64] {
        let x = inputs(7, 1000, -1.0, 1.0, dtype);
        assert!(x.iter().any(|v| v.is_nan()) && x.iter().any(|v| v.is_infinite()));
        assert!(x.iter().any(|v| *v == 0.0 && v.is_sign_negative()) && x.iter().any(|v| *v == 0.0 && v.is_sign_positive()));
        let tiny = if dtype == DType::F32 { f32::MIN_POSITIVE as f64 } else { f64::MIN_POSITIVE };
        assert!(x.iter().any(|v| *v != 0.0 && v.abs() < tiny), "{dtype}: no subnormal");
    }
}

#[test]
fn sigmoid_takes_the_vector_lambda_in_whole_blocks_and_the_scalar_one_in_the_tail() {
    // The input of the tutorial's `tanh_sigmoid` element 4, where SLEEF's and
    // libm's `exp` round apart. PyTorch 2.15 gives 0x3f00ea18 for the 32
    // elements of the vector block of `torch.full((33,), x).sigmoid()` and
    // 0x3f00ea17 for the 33rd, and 0x3f00ea17 for all 17 of a 17-element tensor.
    let x = f32::from_bits(0x3c6a_1879);
    let y = unary(Unary::Sigmoid, &[x; 33]);
    assert!(y[..32].iter().all(|v| v.to_bits() == 0x3f00_ea18), "vector block: {:x}", y[0].to_bits());
    assert_eq!(y[32].to_bits(), 0x3f00_ea17, "scalar tail");
    let y = unary(Unary::Sigmoid, &[x; 17]);
    assert!(y.iter().all(|v| v.to_bits() == 0x3f00_ea17), "a 17-element tensor is all tail");
}

/// Prints, for every op `tools/numerics/measure.py --dump DIR` wrote, how many
/// of graphc's results have PyTorch's bits and the largest distance in ulps:
/// the graphc column of docs/NUMERICS.md. It needs PyTorch's full outputs, so
/// it runs only on request:
/// `GRAPHC_NUMERICS_DIR=DIR cargo test -p graphc-runtime --test numerics_ref -- --ignored --nocapture`.
#[test]
#[ignore = "needs PyTorch's outputs from tools/numerics/measure.py --dump"]
fn measure_against_full_pytorch_outputs() {
    let dir = std::env::var("GRAPHC_NUMERICS_DIR").expect("set GRAPHC_NUMERICS_DIR to measure.py's --dump folder");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the dump folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| f.strip_suffix(".x").map(str::to_string))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no dumps in {dir}");
    for name in names {
        let (op, dt) = name.rsplit_once('_').expect("NAME_DTYPE");
        let dtype = if dt == "f32" { DType::F32 } else { DType::F64 };
        let read = |ext: &str| std::fs::read(format!("{dir}/{name}.{ext}")).expect("dump file");
        let (xb, yb) = (read("x"), read("y"));
        let (got, want): (Vec<u64>, Vec<u64>) = match dtype {
            DType::F32 => {
                let x: Vec<f32> = xb.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect();
                let y: Vec<u64> = yb.chunks_exact(4).map(|c| u64::from(u32::from_le_bytes(c.try_into().unwrap()))).collect();
                (unary(op_named(op), &x).iter().map(|v| u64::from(v.to_bits())).collect(), y)
            }
            _ => {
                let x: Vec<f64> = xb.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
                let y: Vec<u64> = yb.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect();
                (unary(op_named(op), &x).iter().map(|v| v.to_bits()).collect(), y)
            }
        };
        let d: Vec<u64> = got.iter().zip(&want).map(|(&a, &b)| ulps(dtype, a, b)).collect();
        let same_bits = got.iter().zip(&want).filter(|(a, b)| a == b).count();
        let same_value = d.iter().filter(|&&u| u == 0).count();
        println!(
            "| {op} | {dt} | {same_bits} | {same_value} | {} |",
            d.iter().max().map_or("-".to_string(), |m| if *m == u64::MAX { "NaN".to_string() } else { m.to_string() })
        );
    }
}
