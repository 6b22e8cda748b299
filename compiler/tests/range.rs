//! The range analysis and its stability warnings (W0101): which programs warn,
//! where, and what the intervals are, including intervals given from a side
//! table, the way declared `input` ranges are meant to arrive.

use std::collections::HashMap;

use graphc_compiler::analysis::range::{analyze, Range};
use graphc_compiler::analysis::stability::warnings;
use graphc_compiler::diag::{render, Code, Diagnostic, LineIndex, Severity};
use graphc_compiler::driver::compile;
use graphc_compiler::ir::graph::NodeId;
use graphc_compiler::ir::program::Program;
use graphc_runtime::op::{Activation, Binary, Unary};
use graphc_runtime::Op;

fn warnings_of(source: &str) -> Vec<Diagnostic> {
    match compile(source, false) {
        Ok(c) => c.warnings,
        Err(d) => panic!("does not compile:\n{}", render(&d, "t.act", source, false)),
    }
}

/// The program after autodiff, which is what the driver analyzes.
fn differentiated(source: &str) -> Program {
    compile(source, true).unwrap_or_else(|d| panic!("{}", render(&d, "t.act", source, false))).differentiated.unwrap()
}

fn at(source: &str, d: &Diagnostic) -> (usize, usize) {
    LineIndex::new(source).line_col(d.primary.span.start)
}

const EXP_QUOTIENT: &str = "\
op MyTanh(x) {
    forward {
        a = exp(x)
        b = exp(-x)
        y = (a - b) / (a + b)
        save y
        return y
    }
    backward(g) {
        return g * (1 - y ** 2)
    }
}
";

fn exp_quotient_with(input: &str) -> String {
    format!("{EXP_QUOTIENT}{input}\nout = MyTanh(x)\nprint(out)\n")
}

#[test]
fn the_exp_quotient_of_an_unbounded_input_warns_at_the_division() {
    let src = exp_quotient_with("x = randn(5)");
    let w = warnings_of(&src);
    assert_eq!(w.len(), 1, "{w:#?}");
    let d = &w[0];
    assert_eq!((d.code, d.severity), (Code::W0101, Severity::Warning));
    assert_eq!(at(&src, d), (5, 13), "the division");
    // randn is unbounded both ways, so both exps can overflow (for opposite x).
    let lines = LineIndex::new(&src);
    let seconds: Vec<_> = d.secondary.iter().map(|l| lines.line_col(l.span.start)).collect();
    assert_eq!(seconds, vec![(3, 13), (4, 13)], "exp(x) and exp(-x)");
    assert!(d.help.as_deref().unwrap().contains("`tanh(x)`"), "{:?}", d.help);
    let text = render(&w, "t.act", &src, false);
    assert!(text.starts_with("warning[W0101]: an overflow can make this division NaN\n"), "{text}");
    assert!(text.contains("--> t.act:5:13"), "{text}");
}

#[test]
fn the_exp_quotient_of_a_small_range_does_not_warn() {
    assert_eq!(warnings_of(&exp_quotient_with("x = arange(-8, 8, 0.1)")), vec![]);
    assert_eq!(warnings_of(&exp_quotient_with("x = linspace(-88, 88, 50)")), vec![]);
    assert_eq!(warnings_of(&exp_quotient_with("x = rand(5)")), vec![]);
}

#[test]
fn the_exp_quotient_of_a_wide_range_warns_with_both_exps() {
    let src = exp_quotient_with("x = arange(-100, 100, 0.5)");
    let w = warnings_of(&src);
    assert_eq!(w.len(), 1, "{w:#?}");
    // Both ends overflow: exp(x) above 88.72, exp(-x) below -88.72.
    assert_eq!(w[0].secondary.len(), 2, "{:#?}", w[0]);
}

#[test]
fn exp_minus_exp_never_meets_at_infinity_for_opposite_signs() {
    // exp(x) and exp(-x) never overflow for the same x, so their difference is not
    // inf - inf; the warning is only at the division.
    let src = exp_quotient_with("x = arange(-100, 100, 0.5)");
    let w = warnings_of(&src);
    assert!(w.iter().all(|d| at(&src, d) != (5, 14)), "{w:#?}");
}

#[test]
fn exp_minus_exp_of_the_same_large_range_warns_at_the_subtraction() {
    let src = "x = arange(0, 200, 1)\ny = exp(x) - exp(x)\nprint(y)\n";
    let w = warnings_of(src);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(at(src, &w[0]), (2, 5));
    assert!(w[0].primary.message.contains("inf - inf"), "{:#?}", w[0]);
    assert!(w[0].help.as_deref().unwrap().contains("rewrite"), "{:?}", w[0].help);

    let small = "x = arange(-8, 8, 0.1)\ny = exp(x) - exp(x)\nprint(y)\n";
    assert_eq!(warnings_of(small), vec![]);
}

#[test]
fn stable_forms_do_not_warn() {
    let src = "\
x = randn(5, requires_grad=true)
y = tanh(x) + sigmoid(x) + relu(x) * 2 - abs(x)
y.sum().backward()
print(x.grad)
print(tanh((x + 1) ** 2))
";
    assert_eq!(warnings_of(src), vec![]);
}

#[test]
fn the_tutorial_warns_once_at_the_ops_division() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/tanh_demo.act")).unwrap();
    let w = warnings_of(&src);
    assert_eq!(w.len(), 1, "{}", render(&w, "tanh_demo.act", &src, false));
    assert_eq!(at(&src, &w[0]), (12, 18));
}

#[test]
fn other_overflow_patterns() {
    let cases = [
        ("x = arange(-100, 100, 0.5)\nprint(exp(x) / (1 + exp(x)))\n", (2, 7), "`sigmoid(x)`"),
        ("x = arange(0, 100, 1)\nprint(sin(exp(x)))\n", (2, 7), "rewrite"),
        ("x = arange(-1e30, 1e30, 1e29)\nprint(x * x - x * x)\n", (2, 7), "rewrite"),
        ("x = arange(100, 200, 1)\nprint(exp(x) * exp(-x))\n", (2, 7), "rewrite"),
    ];
    for (src, pos, help) in cases {
        let w = warnings_of(src);
        assert_eq!(w.len(), 1, "{src}\n{w:#?}");
        assert_eq!(at(src, &w[0]), pos, "{src}");
        assert!(w[0].help.as_deref().unwrap().contains(help), "{src}\n{:?}", w[0].help);
    }
}

#[test]
fn a_nan_is_reported_once_not_at_every_consequence() {
    // The backward multiplies the NaN-prone result again; only the division warns.
    let src = format!("{EXP_QUOTIENT}x = randn(5, requires_grad=true)\nout = MyTanh((x + 1) ** 2)\nout.sum().backward()\nprint(x.grad)\n");
    assert_eq!(warnings_of(&src).len(), 1);
}

#[test]
fn unread_values_do_not_warn() {
    assert_eq!(warnings_of("x = arange(0, 200, 1)\ny = exp(x) - exp(x)\nprint(x)\n"), vec![]);
}

fn node_with(prog: &Program, f: impl Fn(&Op) -> bool) -> NodeId {
    prog.graph.ids().into_iter().find(|&n| f(&prog.graph.node(n).op)).expect("no such node")
}

#[test]
fn a_declared_interval_replaces_the_unbounded_one() {
    // What an `input x: f32[5] in [LO, HI]` declaration will do: give the source
    // node an interval from the side table.
    let src = exp_quotient_with("x = randn(5)");
    let prog = differentiated(&src);
    let x = node_with(&prog, |o| matches!(o, Op::Randn));
    assert_eq!(warnings(&prog, &HashMap::new()).len(), 1);
    assert_eq!(warnings(&prog, &HashMap::from([(x, (-10.0, 10.0))])), vec![]);
    assert_eq!(warnings(&prog, &HashMap::from([(x, (-10.0, 90.0))])).len(), 1);
}

#[test]
fn intervals_of_basic_ops() {
    let src = "\
x = arange(-2, 3, 1)
print(exp(x))
print(x * x)
print((x + 1).sum())
print(rand(4) / 2)
print(1 / x)
print(tanh(randn(3)))
print(exp(arange(0, 100, 1)))
";
    let prog = differentiated(src);
    let a = analyze(&prog.graph, &HashMap::new());
    let find = |f: &dyn Fn(&Op) -> bool| -> &Range { &a.ranges[&node_with(&prog, f)] };
    let x = find(&|o| matches!(o, Op::Arange { .. }));
    assert_eq!((x.lo, x.hi), (-2.0, 2.0));
    let e = &a.ranges[&prog.graph.ids().into_iter().find(|&n| matches!(prog.graph.node(n).op, Op::Unary(Unary::Exp))).unwrap()];
    assert!((e.lo - (-2f64).exp()).abs() < 1e-12 && (e.hi - 2f64.exp()).abs() < 1e-12, "{e:?}");
    assert!(e.pos_inf.is_empty());
    let sq = find(&|o| matches!(o, Op::Binary(Binary::Mul)));
    assert_eq!((sq.lo, sq.hi), (0.0, 4.0), "x * x is a square of x in [-2, 2]");
    let s = find(&|o| matches!(o, Op::Sum { .. }));
    assert_eq!((s.lo, s.hi), (-5.0, 15.0), "five elements in [-1, 3]");
    let half = find(&|o| matches!(o, Op::Binary(Binary::Div)));
    assert_eq!((half.lo, half.hi), (0.0, 0.5));
    let t = find(&|o| matches!(o, Op::Unary(Unary::Tanh)));
    assert_eq!((t.lo, t.hi), (-1.0, 1.0));
    // 1 / x (lowered as x ** -1, as PyTorch does) with x containing 0: unbounded,
    // infinite by division (not by overflow), never NaN.
    let inv = find(&|o| matches!(o, Op::PowScalar(c) if c.get() == -1.0));
    assert!(inv.pos_inf.iter().chain(&inv.neg_inf).all(|c| !c.overflow), "{inv:?}");
    assert!(inv.lo.is_infinite() && inv.hi.is_infinite() && inv.may_be_inf() && !inv.nan, "{inv:?}");
    let big = prog.graph.ids().into_iter().rfind(|&n| matches!(prog.graph.node(n).op, Op::Unary(Unary::Exp))).unwrap();
    let big = &a.ranges[&big];
    assert_eq!(big.hi, f32::MAX as f64);
    assert!(big.pos_inf.iter().any(|c| c.overflow), "{big:?}");
}

#[test]
fn a_declared_input_range_bounds_the_analysis() {
    // The same exp quotient on an `input`: unbounded without a declared range,
    // safe with `in [-3, 3]`, and warned again when the range reaches past 88.72.
    let program = |decl: &str| format!("input x: f32[5]{decl}\ny = (exp(x) - exp(-x)) / (exp(x) + exp(-x))\nprint(y)\n");
    assert_eq!(warnings_of(&program("")).len(), 1, "an input without a range is unbounded");
    assert!(warnings_of(&program(" in [-3, 3]")).is_empty(), "[-3, 3] cannot overflow exp in f32");
    assert_eq!(warnings_of(&program(" in [-100, 100]")).len(), 1, "[-100, 100] reaches past 88.72");
}

/// log1p, expm1, sinh and cosh get their intervals from the rule their table row
/// names (`IncreasingFrom(-1)`, `Increasing`, `Even`), evaluated with their formulas.
#[test]
fn the_table_rules_bound_log1p_expm1_sinh_and_cosh() {
    let src = "\
x = linspace(-2, 1, 4, dtype=f64)
print(log1p(x))
print(expm1(x))
print(sinh(x))
print(cosh(x))
print(log1p(linspace(0, 1, 3, dtype=f64)))
print(expm1(linspace(0, 800, 3, dtype=f64)))
";
    let prog = differentiated(src);
    let a = analyze(&prog.graph, &HashMap::new());
    let all = |u: Unary| -> Vec<(NodeId, &Range)> {
        prog.graph.ids().into_iter().filter(|&n| prog.graph.node(n).op == Op::Unary(u)).map(|n| (n, &a.ranges[&n])).collect()
    };
    let close = |r: &Range, lo: f64, hi: f64| (r.lo - lo).abs() < 1e-12 && (r.hi - hi).abs() < 1e-12;
    let log1p = all(Unary::Log1p);
    let (_, below) = log1p[0];
    assert!(below.nan, "log1p of values below -1 is NaN: {below:?}");
    assert!(below.neg_inf.iter().all(|c| !c.overflow) && !below.neg_inf.is_empty(), "log1p(-1) is an exact -inf: {below:?}");
    assert!((below.hi - 2f64.ln()).abs() < 1e-12, "{below:?}");
    let (_, inside) = log1p[1];
    assert!(close(inside, 0.0, 2f64.ln()) && !inside.nan && !inside.may_be_inf(), "{inside:?}");
    let expm1 = all(Unary::Expm1);
    assert!(close(expm1[0].1, (-2f64).exp_m1(), 1f64.exp_m1()) && !expm1[0].1.may_be_inf(), "{:?}", expm1[0].1);
    let (big, over) = expm1[1];
    assert!(over.pos_inf.iter().any(|c| c.overflow && c.origin == big), "expm1(800) overflows f64: {over:?}");
    let sinh = all(Unary::Sinh);
    assert!(close(sinh[0].1, (-2f64).sinh(), 1f64.sinh()), "{:?}", sinh[0].1);
    let cosh = all(Unary::Cosh);
    assert!(close(cosh[0].1, 1.0, 2f64.cosh()), "cosh is smallest at 0, inside [-2, 1]: {:?}", cosh[0].1);
}

#[test]
fn the_elementwise_builtins_of_issue_9_have_range_rules() {
    let src = "\
print(asin(linspace(-2, 0.5, 5)))
print(acos(linspace(-1, 0.5, 5)))
print(atanh(linspace(0, 1, 5)))
print(rsqrt(linspace(-1, 4, 5)))
print(reciprocal(linspace(1, 4, 5)))
print(tan(linspace(-1, 1, 5)))
print(tan(linspace(0, 2, 5)))
print(silu(linspace(-3, 2, 5)))
print(exp2(linspace(0, 200, 5)))
print(floor(linspace(-1.5, 2.5, 5)))
";
    let prog = differentiated(src);
    let a = analyze(&prog.graph, &HashMap::new());
    let all = |u: Unary| -> Vec<&Range> {
        prog.graph.ids().into_iter().filter(|&n| prog.graph.node(n).op == Op::Unary(u)).map(|n| &a.ranges[&n]).collect()
    };
    let close = |r: &Range, lo: f64, hi: f64| (r.lo - lo).abs() < 1e-12 && (r.hi - hi).abs() < 1e-12;
    let asin = all(Unary::Asin)[0];
    assert!(asin.nan && close(asin, -std::f64::consts::FRAC_PI_2, 0.5f64.asin()), "asin below -1 is NaN: {asin:?}");
    let acos = all(Unary::Acos)[0];
    assert!(!acos.nan && close(acos, 0.5f64.acos(), std::f64::consts::PI), "acos is decreasing: {acos:?}");
    let atanh = all(Unary::Atanh)[0];
    assert!(atanh.pos_inf.iter().all(|c| !c.overflow) && !atanh.pos_inf.is_empty() && !atanh.nan, "atanh(1) is an exact inf: {atanh:?}");
    let rsqrt = all(Unary::Rsqrt)[0];
    assert!(rsqrt.nan && !rsqrt.pos_inf.is_empty() && rsqrt.pos_inf.iter().all(|c| !c.overflow), "rsqrt(0) is inf, below 0 NaN: {rsqrt:?}");
    assert!(close(all(Unary::Reciprocal)[0], 0.25, 1.0));
    let tans = all(Unary::Tan);
    assert!(close(tans[0], (-1f64).tan(), 1f64.tan()), "tan within (-pi/2, pi/2) is increasing: {:?}", tans[0]);
    assert!(!tans[1].bounded() && !tans[1].nan, "tan across pi/2 is unbounded: {:?}", tans[1]);
    let silu = all(Unary::Silu)[0];
    assert!((silu.lo + 0.278_464_542_761_074).abs() < 1e-9 && (silu.hi - 2.0 / (1.0 + (-2f64).exp())).abs() < 1e-12, "silu's minimum: {silu:?}");
    let exp2 = all(Unary::Exp2)[0];
    assert!(exp2.pos_inf.iter().any(|c| c.overflow), "2 ** 200 overflows f32: {exp2:?}");
    assert!(close(all(Unary::Floor)[0], -2.0, 2.0));
}

/// The gradient of `log(1 + exp(x))` is `(g / (1 + exp(x))) * exp(x)`: an exact
/// zero made by dividing by the overflowed exp, times that exp. The zero carries
/// the exp's condition, so a product of exps that overflow for opposite `x`
/// (`exp(x) * (1 / exp(-x))`) does not warn.
#[test]
fn a_zero_made_by_an_overflow_times_that_overflow_warns() {
    let src = "x = randn(5, requires_grad=true)\ny = log(1 + exp(x))\ny.sum().backward()\nprint(x.grad)\n";
    let w = warnings_of(src);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(at(src, &w[0]), (2, 13), "exp's backward, the product");
    assert!(w[0].message.contains("this product"), "{}", w[0].message);
    assert!(w[0].help.as_deref().unwrap_or("").contains("log1p(exp(-abs(x))) + relu(x)"), "{:?}", w[0].help);

    let apart = "x = randn(5)\nprint(exp(x) * (1 / exp(-x)))\n";
    assert!(warnings_of(apart).is_empty(), "{:#?}", warnings_of(apart));
    // The forward alone is no hazard: inf is log(1 + exp(x))'s limit.
    assert!(warnings_of("x = randn(5)\nprint(log(1 + exp(x)))\n").is_empty());
}

/// atan2 is within [-pi, pi] whatever its operands, infinities included.
#[test]
fn atan2_is_bounded_by_pi() {
    let src = "y = randn(3)\nprint(atan2(exp(y * 100), y))\n";
    let prog = differentiated(src);
    let a = analyze(&prog.graph, &HashMap::new());
    let n = prog.graph.ids().into_iter().find(|&n| prog.graph.node(n).op == Op::Binary(Binary::Atan2)).unwrap();
    let r = &a.ranges[&n];
    assert_eq!((r.lo, r.hi), (-std::f64::consts::PI, std::f64::consts::PI));
    assert!(!r.may_be_inf() && !r.nan, "{r:?}");
    assert!(warnings_of(src).is_empty(), "atan2 of an overflowed exp is no NaN");
}

/// mish, like silu, dips to its minimum (-0.3088 at -1.1924) and grows without bound.
#[test]
fn mish_dips_to_its_minimum() {
    let prog = differentiated("print(mish(linspace(-3, 2, 5)))\n");
    let a = analyze(&prog.graph, &HashMap::new());
    let n = prog.graph.ids().into_iter().find(|&n| prog.graph.node(n).op == Op::Unary(Unary::Mish)).unwrap();
    let r = &a.ranges[&n];
    assert!((r.lo + 0.308_843_413).abs() < 1e-8 && (r.hi - Unary::Mish.apply(2.0f64)).abs() < 1e-12, "{r:?}");
}

/// erf is increasing and erfc decreasing, both bounded: erfc's range runs from
/// its value at the operand's upper end to its value at the lower end.
#[test]
fn erf_and_erfc_are_monotone_and_bounded() {
    let prog = differentiated("print(erf(linspace(-1, 2, 5)) + erfc(linspace(-1, 2, 5)))\n");
    let a = analyze(&prog.graph, &HashMap::new());
    let range_of = |u: Unary| {
        let n = prog.graph.ids().into_iter().find(|&n| prog.graph.node(n).op == Op::Unary(u)).unwrap();
        a.ranges[&n].clone()
    };
    let (e, c) = (range_of(Unary::Erf), range_of(Unary::Erfc));
    assert!(e.lo == Unary::Erf.apply(-1.0f64) && e.hi == Unary::Erf.apply(2.0f64), "{e:?}");
    assert!(c.lo == Unary::Erfc.apply(2.0f64) && c.hi == Unary::Erfc.apply(-1.0f64), "{c:?}");
    assert!(!c.may_be_inf() && !c.nan, "{c:?}");
}

/// The activations with parameters are non-decreasing for the usual
/// parameters: the result lies between the formula at the operand's ends, and
/// a negative slope makes leaky_relu non-monotone, so its range is unknown.
#[test]
fn activations_are_bounded_by_their_ends() {
    let src = "a = linspace(-3, 2, 5)\nprint(clamp(a, min=-1.0, max=1.0) + softplus(a) + leaky_relu(a, -2.0))\n";
    let prog = differentiated(src);
    let a = analyze(&prog.graph, &HashMap::new());
    let range_of = |pick: &dyn Fn(&Activation) -> bool| {
        let n = prog.graph.ids().into_iter().find(|&n| matches!(&prog.graph.node(n).op, Op::Activation(f) if pick(f))).unwrap();
        a.ranges[&n].clone()
    };
    let c = range_of(&|f| matches!(f, Activation::Clamp { .. }));
    assert!(c.lo == -1.0 && c.hi == 1.0, "{c:?}");
    let s = range_of(&|f| matches!(f, Activation::Softplus { .. }));
    assert!((s.lo - 0.048_587_351_573_7).abs() < 1e-12 && (s.hi - 2.126_928_011_042_97).abs() < 1e-12, "{s:?}");
    let l = range_of(&|f| matches!(f, Activation::LeakyRelu { .. }));
    assert!(l.lo == f64::NEG_INFINITY && l.hi == f64::INFINITY, "{l:?}");
}

/// A `where` that selects the compared value itself bounds it on the side
/// its condition keeps: `exp(where(x <= 0, x, 0))` cannot overflow, so the
/// backward of `elu`, `selu` and `celu` (whose exponent is taken so) draws no
/// W0101 for an unbounded input, first and second derivatives alike; a
/// `where` that selects another value than it compares is not bounded so.
#[test]
fn a_where_on_its_own_operand_bounds_the_side_it_keeps() {
    let elus = "x = (randn(8) * 100).requires_grad_()\ny = elu(x).sum() + selu(x).sum() + celu(x, 0.5).sum()\ng, = grad(y, x, create_graph=true)\n(g * g).sum().backward()\nprint(x.grad)\n";
    assert!(warnings_of(elus).is_empty(), "{:?}", warnings_of(elus).iter().map(|d| d.message.clone()).collect::<Vec<_>>());
    let capped = "x = randn(8) * 100\nprint(exp(where(x <= 0, x, 0.0)) * 0)\n";
    assert!(warnings_of(capped).is_empty(), "{:?}", warnings_of(capped).iter().map(|d| d.message.clone()).collect::<Vec<_>>());
    let other = "x = randn(8) * 100\nz = randn(8) * 100\nprint(exp(where(x <= 0, z, 0.0)) * 0)\n";
    assert_eq!(warnings_of(other).len(), 1, "{:?}", warnings_of(other).iter().map(|d| d.message.clone()).collect::<Vec<_>>());
    // `>=` keeps values of at least the constant: exp(-y) of them cannot overflow.
    let below = "x = randn(8) * 100\nprint(exp(-where(x >= 0, x, 0.0)) * 0)\n";
    assert!(warnings_of(below).is_empty(), "{:?}", warnings_of(below).iter().map(|d| d.message.clone()).collect::<Vec<_>>());
}

/// A tensor power of an unbounded base overflows only with an exponent above
/// 1: at most 1, a large magnitude is an unknown bound (as for linear
/// arithmetic) and a base near 0 under a negative exponent an exact infinity.
#[test]
fn powers_with_exponents_at_most_one_do_not_overflow() {
    let src = "\
x = randn(8)
print(x ** tensor([0.5]))
print(x ** tensor([-0.5]))
print(x ** tensor([3.0]))
";
    let prog = differentiated(src);
    let a = analyze(&prog.graph, &HashMap::new());
    let pows: Vec<&Range> =
        prog.graph.ids().into_iter().filter(|&n| prog.graph.node(n).op == Op::Binary(Binary::Pow)).map(|n| &a.ranges[&n]).collect();
    assert_eq!(pows.len(), 3);
    assert!(pows[0].pos_inf.is_empty() && pows[0].hi.is_infinite(), "an unknown bound, no infinity: {:?}", pows[0]);
    assert!(!pows[1].pos_inf.is_empty() && pows[1].pos_inf.iter().all(|c| !c.overflow), "0 ** -0.5 is an exact inf: {:?}", pows[1]);
    assert!(pows[2].pos_inf.iter().any(|c| c.overflow), "x ** 3 can overflow: {:?}", pows[2]);
}

/// A `where` whose comparison the ranges decide keeps one branch: a `rand`
/// is never below 0, so the `-inf` of `where(u < 0, -inf, u)` never comes out;
/// an undecided comparison keeps both.
#[test]
fn decided_comparisons_keep_one_branch() {
    let src = "\
u = rand(8)
print(where(u < 0, tensor(-inf), u))
print(where(u < 0.5, tensor(-inf), u))
";
    let prog = differentiated(src);
    let a = analyze(&prog.graph, &HashMap::new());
    let wheres: Vec<&Range> =
        prog.graph.ids().into_iter().filter(|&n| matches!(prog.graph.node(n).op, Op::Where(_) | Op::Select)).map(|n| &a.ranges[&n]).collect();
    assert_eq!(wheres.len(), 2, "{wheres:?}");
    assert!(wheres[0].neg_inf.is_empty() && (wheres[0].lo, wheres[0].hi) == (0.0, 1.0), "{:?}", wheres[0]);
    assert!(!wheres[1].neg_inf.is_empty(), "{:?}", wheres[1]);
}
