//! graphc's elementwise builtins against PyTorch 2.15's results on a few thousand
//! points per op (`tests/data/elementwise_ref.txt`, written by
//! `tests/data/elementwise_ref.py`), in f32 and f64. The largest difference in
//! ulps for each op must not exceed the one `docs/act-language.md` section 5.1
//! records, so the documentation never claims more accuracy than measured.
//! `MEASURE=1 cargo test -p graphc-runtime --test elementwise_ref -- --nocapture`
//! prints the measured ulps without checking them, to fill in a new row.

use graphc_runtime::op::{Activation, Binary, F64Bits, Unary};

/// The distance in ulps between two floats (0 for two NaNs, `u64::MAX` for a
/// NaN against a number), counting over the ordered sequence of bit patterns.
fn ulps(a: f64, b: f64, ord: impl Fn(f64) -> i128) -> u64 {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => 0,
        (false, false) => u64::try_from((ord(a) - ord(b)).unsigned_abs()).unwrap_or(u64::MAX),
        _ => u64::MAX,
    }
}

/// f32 bit patterns as a monotone integer scale (-0.0 and +0.0 both at 0).
fn ord32(v: f64) -> i128 {
    let bits = (v as f32).to_bits() as i32;
    i128::from(if bits < 0 { i32::MIN - bits } else { bits })
}

fn ord64(v: f64) -> i128 {
    let bits = v.to_bits() as i64;
    i128::from(if bits < 0 { i64::MIN - bits } else { bits })
}

/// One op's reference block: its name, its inputs (a second operand's for a
/// two-operand op) and PyTorch's f32 and f64 results.
struct Block {
    name: String,
    x: Vec<f64>,
    other: Option<Vec<f64>>,
    y32: Vec<f32>,
    y64: Vec<f64>,
}

fn blocks() -> Vec<Block> {
    let text = include_str!("data/elementwise_ref.txt");
    let mut out: Vec<Block> = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        // The same operations, in the same order, as the script's NumPy expression.
        let points = |lo: &str, hi: &str, n: usize| -> Vec<f64> {
            let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
            (0..n).map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64).collect()
        };
        if fields[0] == "op" || fields[0] == "opa" {
            let x = points(fields[2], fields[3], fields[4].parse().unwrap());
            out.push(Block { name: fields[1].to_string(), x, other: None, y32: Vec::new(), y64: Vec::new() });
        } else if fields[0] == "op2" {
            let n = fields[6].parse().unwrap();
            let (x, other) = (points(fields[2], fields[3], n), points(fields[4], fields[5], n));
            out.push(Block { name: fields[1].to_string(), x, other: Some(other), y32: Vec::new(), y64: Vec::new() });
        } else {
            let b = out.last_mut().expect("a value line follows an op line");
            b.y32.push(f32::from_bits(u32::from_str_radix(fields[0], 16).unwrap()));
            b.y64.push(f64::from_bits(u64::from_str_radix(fields[1], 16).unwrap()));
        }
    }
    out
}

/// The table of section 5.1: builtin name, then the documented f32 and f64 bounds.
fn documented() -> Vec<(String, u64, u64)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/act-language.md");
    let doc = std::fs::read_to_string(path).expect("docs/act-language.md is readable");
    let start = doc.find("### 5.1").expect("the doc has a section 5.1");
    doc[start..]
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((name.to_string(), cells.get(2)?.parse().ok()?, cells.get(3)?.parse().ok()?))
        })
        .collect()
}

#[test]
fn every_builtin_is_within_its_documented_ulps_of_pytorch() {
    let table = documented();
    let blocks = blocks();
    assert!(blocks.len() >= 20, "the reference file holds every op");
    for b in &blocks {
        assert_eq!((b.x.len(), b.y32.len(), b.y64.len()), (b.x.len(), b.x.len(), b.x.len()), "{}: one result per point", b.name);
        let mut worst = (0u64, 0u64);
        for (i, &x) in b.x.iter().enumerate() {
            let (g32, g64) = match &b.other {
                None if activation(&b.name).is_some() => {
                    let f = activation(&b.name).unwrap();
                    (f.apply(x as f32), f.apply(x))
                }
                None => {
                    let by_ir_name = || Unary::ALL.iter().copied().find(|u| u.name() == b.name);
                    let u =
                        Unary::from_builtin_name(&b.name).or_else(by_ir_name).unwrap_or_else(|| panic!("`{}` is a builtin of the op table", b.name));
                    (u.apply(x as f32), u.apply(x))
                }
                Some(other) => {
                    let op = Binary::from_builtin_name(&b.name).unwrap_or_else(|| panic!("`{}` is a builtin of the op table", b.name));
                    (op.apply(x as f32, other[i] as f32), op.apply(x, other[i]))
                }
            };
            worst.0 = worst.0.max(ulps(f64::from(g32), f64::from(b.y32[i]), ord32));
            worst.1 = worst.1.max(ulps(g64, b.y64[i], ord64));
        }
        let doc = table.iter().find(|(n, _, _)| *n == b.name).unwrap_or_else(|| panic!("section 5.1 has a row for `{}`", b.name));
        println!("{}: f32 {} ulp, f64 {} ulp", b.name, worst.0, worst.1);
        assert!(
            std::env::var("MEASURE").is_ok() || worst.0 <= doc.1 && worst.1 <= doc.2,
            "`{}`: measured f32 {} / f64 {} ulp, documented {} / {}",
            b.name,
            worst.0,
            worst.1,
            doc.1,
            doc.2
        );
    }
}

/// The ops with scalar parameters, with the parameters the script gives them
/// (its `ACTIVATIONS` list).
fn activation(name: &str) -> Option<Activation> {
    let b = F64Bits::new;
    Some(match name {
        "clamp" => Activation::Clamp { min: Some(b(-0.5)), max: Some(b(0.5)) },
        "hardtanh" => Activation::Hardtanh { min: b(-1.0), max: b(1.0) },
        "leaky_relu" => Activation::LeakyRelu { slope: b(0.2) },
        "elu" => Activation::Elu { alpha: b(1.5) },
        "softplus" => Activation::Softplus { beta: b(2.0), threshold: b(10.0) },
        "round_decimals" => Activation::RoundDecimals { decimals: b(2.0) },
        "polygamma" => Activation::Polygamma { n: b(3.0) },
        _ => return None,
    })
}
