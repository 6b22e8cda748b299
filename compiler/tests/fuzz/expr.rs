//! Typed expressions: every generated expression carries the dtype, shape and gradient
//! facts that graphc's checker will infer, so that most well-formed programs compile and
//! reach lowering, autodiff, the passes and the runtime.

use std::collections::BTreeSet;

use crate::rng::Rng;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DType {
    F32,
    F64,
}

impl DType {
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }
}

/// An expression's text and what the checker will know about it.
#[derive(Clone, Debug)]
pub struct Val {
    pub text: String,
    pub dtype: DType,
    pub shape: Vec<usize>,
    /// Whether the value requires grad; the generator only relies on `true` being right.
    pub requires_grad: bool,
    /// The named leaves that a backward from this value surely reaches.
    pub leaves: BTreeSet<String>,
}

/// A top-level name: its value's facts, and whether it is a leaf with a `.grad`.
#[derive(Clone, Debug)]
pub struct Var {
    pub val: Val,
    pub is_leaf: bool,
}

/// A user `fn` or `op`: every parameter takes one shape and dtype, and the result has it too.
#[derive(Clone, Debug)]
pub struct Def {
    pub name: String,
    pub params: Vec<String>,
    /// Per parameter, whether a gradient flows through it (false where an op's backward returns `none`).
    pub flows: Vec<bool>,
}

/// What expressions may refer to.
pub struct Scope {
    pub vars: Vec<Var>,
    pub defs: Vec<Def>,
    /// A wide program may have one dimension longer than a fused chunk, so that its
    /// elementwise kernels really run on several threads.
    pub wide: bool,
}

/// Longer than the runtime's 2048-element fused chunk.
pub const WIDE: usize = 2100;
const UNARY: &[&str] = &["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs"];
const ARITH: &[&str] = &["+", "-", "*", "/"];
const LITERALS: &[&str] = &["0.5", "2", "1.5", "3", "0.1", "1e-3", "2.5E+1", ".5", "1.", "0", "1e10", "7 / 2", "2 ** -1"];

pub fn small_dim(rng: &mut Rng) -> usize {
    rng.range(1, 4)
}

/// A shape of rank 0 to 2; at most one dimension is wide, so a tensor stays under 10,000 elements.
pub fn shape(rng: &mut Rng, wide: bool) -> Vec<usize> {
    let rank = rng.below(3);
    let mut s: Vec<usize> = (0..rank).map(|_| small_dim(rng)).collect();
    if wide && rank > 0 && rng.chance(40) {
        let i = rng.below(rank);
        s[i] = WIDE;
    }
    s
}

pub fn dtype(rng: &mut Rng) -> DType {
    if rng.chance(30) {
        DType::F64
    } else {
        DType::F32
    }
}

pub fn literal(rng: &mut Rng) -> &'static str {
    LITERALS[rng.below(LITERALS.len())]
}

impl Val {
    pub fn of_var(v: &Var) -> Val {
        v.val.clone()
    }

    /// A value computed from `parts`: it requires grad when one of them does.
    pub fn from(text: String, dtype: DType, shape: &[usize], parts: &[&Val]) -> Val {
        let requires_grad = parts.iter().any(|p| p.requires_grad);
        let leaves = parts.iter().flat_map(|p| p.leaves.iter().cloned()).collect();
        Val { text, dtype, shape: shape.to_vec(), requires_grad, leaves }
    }

    /// A value with no gradient path (a creation, a detach, a `*_like`).
    pub fn constant(text: String, dtype: DType, shape: &[usize]) -> Val {
        Val { text, dtype, shape: shape.to_vec(), requires_grad: false, leaves: BTreeSet::new() }
    }
}

/// An expression of exactly this dtype and shape, nested at most `depth` levels.
pub fn expr(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], depth: usize) -> Val {
    if depth == 0 || rng.chance(20) {
        return atom(rng, sc, dt, shape);
    }
    let d = depth - 1;
    match rng.below(16) {
        15 => selection(rng, sc, dt, shape, d),
        0 | 1 => unary(rng, sc, dt, shape, d),
        2..=4 => binary(rng, sc, dt, shape, d),
        5 => scalar(rng, sc, dt, shape, d),
        6 => power(rng, sc, dt, shape, d),
        7 => extremum(rng, sc, dt, shape, d),
        8 | 9 => reduce(rng, sc, dt, shape, d),
        10 => matmul(rng, sc, dt, shape, d),
        11 => transpose_or_detach(rng, sc, dt, shape, d),
        12 if !sc.defs.is_empty() => call(rng, sc, dt, shape, d),
        14 => crate::shape_expr::shape_op(rng, sc, dt, shape, d),
        _ => like(rng, sc, dt, shape, d),
    }
}

/// A name of this type when there is one, otherwise a creation call.
fn atom(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize]) -> Val {
    let matching: Vec<&Var> = sc.vars.iter().filter(|v| v.val.dtype == dt && v.val.shape == shape).collect();
    if !matching.is_empty() && rng.chance(70) {
        let var = matching[rng.below(matching.len())];
        return Val::of_var(var);
    }
    let requires_grad = rng.chance(8);
    creation(rng, dt, shape, requires_grad)
}

/// A creation builtin making this dtype and shape, with its keyword arguments.
pub fn creation(rng: &mut Rng, dt: DType, shape: &[usize], requires_grad: bool) -> Val {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let sizes: Vec<String> = if rng.chance(30) { vec![format!("[{}]", dims.join(", "))] } else { dims };
    let n: usize = shape.iter().product();
    let (name, mut args) = match rng.below(9) {
        0 | 1 => ("randn", sizes),
        2 => ("rand", sizes),
        3 => ("zeros", sizes),
        4 => ("ones", sizes),
        5 => ("full", [sizes, vec![literal(rng).to_string()]].concat()),
        6 if shape.len() == 1 => arange_or_linspace(rng, shape[0]),
        7 if n <= 16 => ("tensor", vec![tensor_data(rng, shape)]),
        _ => ("randn", sizes),
    };
    // Integer arguments make `full`, `tensor` and `arange` i64, as in PyTorch,
    // so an f32 value of theirs names its dtype.
    if dt == DType::F64 {
        args.push("dtype=f64".into());
    } else if rng.chance(10) || matches!(name, "full" | "tensor" | "arange") {
        args.push("dtype=f32".into());
    }
    if requires_grad {
        args.push("requires_grad=true".into());
    } else if rng.chance(5) {
        args.push("requires_grad=false".into());
    }
    let mut v = Val::constant(format!("{name}({})", args.join(", ")), dt, shape);
    v.requires_grad = requires_grad;
    v
}

fn arange_or_linspace(rng: &mut Rng, n: usize) -> (&'static str, Vec<String>) {
    match rng.below(4) {
        0 => ("arange", vec![n.to_string()]),
        1 => {
            let start = rng.below(3);
            ("arange", vec![start.to_string(), (start + n).to_string()])
        }
        // Steps of 0.5 are exact in binary, so the length is exactly `n`.
        2 => ("arange", vec!["0".into(), format!("{}", n as f64 * 0.5), "0.5".into()]),
        _ => ("linspace", vec!["-2".into(), "2".into(), n.to_string()]),
    }
}

fn tensor_data(rng: &mut Rng, shape: &[usize]) -> String {
    const VALUES: &[&str] = &["1.5", "-2", "0", "3", "0.25", "-0.5", "1e-3", "2"];
    match shape {
        [] => rng.pick(VALUES).to_string(),
        [n, rest @ ..] => {
            let items: Vec<String> = (0..*n).map(|_| tensor_data(rng, rest)).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

fn unary(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let a = expr(rng, sc, dt, shape, d);
    let f = rng.pick(UNARY);
    let text = match rng.below(4) {
        0 => format!("{}.{f}()", a.text),
        1 => format!("{f}({})", a.text),
        2 => format!("(-{})", a.text),
        _ => format!("{f}({})", a.text),
    };
    Val::from(text, dt, shape, &[&a])
}

/// Two shapes that broadcast to `shape`: each dimension is kept by at least one side,
/// and only one side may drop leading dimensions.
fn broadcast_pair(rng: &mut Rng, shape: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut l = shape.to_vec();
    let mut r = shape.to_vec();
    for i in 0..shape.len() {
        match rng.below(5) {
            0 => l[i] = 1,
            1 => r[i] = 1,
            _ => {}
        }
    }
    let short = if rng.chance(50) { &mut l } else { &mut r };
    while short.first() == Some(&1) && rng.chance(50) {
        short.remove(0);
    }
    if rng.chance(10) {
        // A 0-d operand: the other one must then have the whole shape.
        l = shape.to_vec();
        r.clear();
    }
    (l, r)
}

fn binary(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let (ls, rs) = broadcast_pair(rng, shape);
    let (a, b) = (expr(rng, sc, dt, &ls, d), expr(rng, sc, dt, &rs, d));
    let op = rng.pick(ARITH);
    Val::from(format!("({} {op} {})", a.text, b.text), dt, shape, &[&a, &b])
}

/// Comparisons, `where`, `masked_fill`, `nan_to_num` and detours through i64 and
/// bool tensors, each giving a float of `dt`; the gradient reaches the operands
/// that the selected values come from.
fn selection(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let (ls, rs) = broadcast_pair(rng, shape);
    let (a, b) = (expr(rng, sc, dt, &ls, d), expr(rng, sc, dt, &rs, d));
    let cmp = rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
    let to = if dt == DType::F32 { "float" } else { "double" };
    match rng.below(6) {
        0 => Val::from(format!("where({} {cmp} {}, {}, {})", a.text, b.text, a.text, b.text), dt, shape, &[&a, &b]),
        1 => {
            let x = expr(rng, sc, dt, shape, d);
            Val::from(format!("{}.masked_fill({} {cmp} {}, {})", x.text, a.text, b.text, literal(rng)), dt, shape, &[&x])
        }
        2 => Val::from(format!("(({} {cmp} {}).{to}() * {})", a.text, b.text, b.text), dt, shape, &[&b]),
        3 => {
            let x = expr(rng, sc, dt, shape, d);
            Val::from(format!("nan_to_num({}, posinf={})", x.text, literal(rng)), dt, shape, &[&x])
        }
        4 => {
            let x = expr(rng, sc, dt, shape, d);
            Val::constant(format!("(({}.long() * 2 + {}.bool()).{to}())", x.text, x.text), dt, shape)
        }
        _ => Val::from(format!("({} * logical_or({} {cmp} 0, isnan({})))", a.text, b.text, b.text), dt, shape, &[&a]),
    }
}

fn scalar(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let a = expr(rng, sc, dt, shape, d);
    let (op, lit) = (rng.pick(ARITH), literal(rng));
    let text = if rng.chance(50) { format!("({} {op} {lit})", a.text) } else { format!("({lit} {op} {})", a.text) };
    Val::from(text, dt, shape, &[&a])
}

fn power(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    if rng.chance(20) {
        let (ls, rs) = broadcast_pair(rng, shape);
        let (a, b) = (expr(rng, sc, dt, &ls, d), expr(rng, sc, dt, &rs, d));
        return Val::from(format!("({} ** {})", a.text, b.text), dt, shape, &[&a, &b]);
    }
    let a = expr(rng, sc, dt, shape, d);
    let text = match rng.below(7) {
        0 => format!("({} ** 2)", a.text),
        1 => format!("({} ** 0.5)", a.text),
        2 => format!("(2 ** {})", a.text),
        3 => format!("pow({}, 3)", a.text),
        4 => format!("pow({}, exponent=2)", a.text),
        5 => format!("(-{} ** 2)", a.text),
        _ => format!("({} ** -1)", a.text),
    };
    Val::from(text, dt, shape, &[&a])
}

fn extremum(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let (ls, rs) = broadcast_pair(rng, shape);
    let (a, b) = (expr(rng, sc, dt, &ls, d), expr(rng, sc, dt, &rs, d));
    let f = if rng.chance(50) { "maximum" } else { "minimum" };
    let text = match rng.below(3) {
        0 => format!("{}.{f}({})", a.text, b.text),
        1 => format!("{f}({}, other={})", a.text, b.text),
        _ => format!("{f}({}, {})", a.text, b.text),
    };
    Val::from(text, dt, shape, &[&a, &b])
}

/// `sum` or `mean`: over a new dimension when `dim` is given, over everything into a 0-d result.
fn reduce(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let f = if rng.chance(50) { "sum" } else { "mean" };
    if shape.is_empty() && rng.chance(50) {
        let inner = crate::expr::shape(rng, sc.wide);
        let a = expr(rng, sc, dt, &inner, d);
        let text = match rng.below(3) {
            0 => format!("{}.{f}()", a.text),
            1 => format!("{f}({}, dim=none)", a.text),
            _ => format!("{f}({})", a.text),
        };
        return Val::from(text, dt, shape, &[&a]);
    }
    if shape.len() >= 2 {
        return unary(rng, sc, dt, shape, d);
    }
    let at = rng.below(shape.len() + 1);
    let mut inner = shape.to_vec();
    inner.insert(at, small_dim(rng));
    let a = expr(rng, sc, dt, &inner, d);
    let dim = if rng.chance(30) { at as i64 - inner.len() as i64 } else { at as i64 };
    let text = match rng.below(4) {
        0 => format!("{}.{f}(dim={dim})", a.text),
        1 => format!("{f}({}, {dim})", a.text),
        2 => format!("{f}({}, dim={dim})", a.text),
        _ => format!("{f}({}, dim={dim})", a.text),
    };
    Val::from(text, dt, shape, &[&a])
}

/// A matrix or vector product whose result has `shape` (1-D and 2-D operands, as PyTorch's matmul).
fn matmul(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let k = small_dim(rng);
    let (ls, rs) = match *shape {
        [] => (vec![k], vec![k]),
        [m] if rng.chance(50) => (vec![m, k], vec![k]),
        [n] => (vec![k], vec![k, n]),
        [m, n] => (vec![m, k], vec![k, n]),
        _ => unreachable!("shapes have rank 0 to 2"),
    };
    let (a, b) = (expr(rng, sc, dt, &ls, d), expr(rng, sc, dt, &rs, d));
    let text = match rng.below(4) {
        0 => format!("{}.matmul({})", a.text, b.text),
        1 => format!("matmul({}, other={})", a.text, b.text),
        2 => format!("matmul({}, {})", a.text, b.text),
        _ => format!("({} @ {})", a.text, b.text),
    };
    Val::from(text, dt, shape, &[&a, &b])
}

fn transpose_or_detach(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    if let [m, n] = *shape {
        if rng.chance(70) {
            let a = expr(rng, sc, dt, &[n, m], d);
            let text = if rng.chance(50) { format!("{}.transpose()", a.text) } else { format!("transpose({})", a.text) };
            return Val::from(text, dt, shape, &[&a]);
        }
    }
    let a = expr(rng, sc, dt, shape, d);
    let text = if rng.chance(50) { format!("{}.detach()", a.text) } else { format!("detach({})", a.text) };
    Val::constant(text, dt, shape)
}

/// A call of a user fn or op, positional, by keyword or as a method.
fn call(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let def = rng.pick(&sc.defs);
    let args: Vec<Val> = def.params.iter().map(|_| expr(rng, sc, dt, shape, d)).collect();
    let texts: Vec<String> = args.iter().map(|a| a.text.clone()).collect();
    let text = match rng.below(4) {
        0 => {
            let kw: Vec<String> = def.params.iter().zip(&texts).map(|(p, a)| format!("{p}={a}")).collect();
            format!("{}({})", def.name, kw.join(", "))
        }
        1 => format!("{}.{}({})", texts[0], def.name, texts[1..].join(", ")),
        _ => format!("{}({})", def.name, texts.join(", ")),
    };
    let mut v = Val::from(text, dt, shape, &args.iter().collect::<Vec<_>>());
    v.leaves = args.iter().zip(&def.flows).filter(|(_, f)| **f).flat_map(|(a, _)| a.leaves.iter().cloned()).collect();
    v
}

/// `zeros_like`/`ones_like` of a tensor, sometimes of the other dtype with `dtype=`.
fn like(rng: &mut Rng, sc: &Scope, dt: DType, shape: &[usize], d: usize) -> Val {
    let from = if rng.chance(30) { dtype(rng) } else { dt };
    let a = expr(rng, sc, from, shape, d);
    let f = if rng.chance(50) { "zeros_like" } else { "ones_like" };
    let kw = if from != dt || rng.chance(10) { format!(", dtype={}", dt.name()) } else { String::new() };
    let text = match rng.below(3) {
        0 => format!("{}.{f}({})", a.text, kw.trim_start_matches(", ")),
        1 => format!("{f}({}{kw})", a.text),
        _ => format!("{f}({}{kw})", a.text),
    };
    Val::constant(text, dt, shape)
}
