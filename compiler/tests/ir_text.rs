//! The text IR reads back: for every program in the repository (and a few here
//! that use the ops the repository's programs do not), the text printed at the
//! graph, grad and opt stages parses into a program that prints the same text.
//! Also: malformed IR text is an `I0001` diagnostic pointing into the text.

use std::path::{Path, PathBuf};

use graphc_compiler::diag::{Code, LineIndex};
use graphc_compiler::driver::{compile_opts, Exports, Options};
use graphc_compiler::ir::parse::{parse, REMOVED};
use graphc_compiler::ir::print::program;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Programs for ops and forms the repository's programs leave out: strings
/// picked at run time, inputs, selections, reductions along a dimension, matrix ops, long literals, strings
/// with escapes, and an op called twice from one fn (two templates at one position).
const EXTRA: &[&str] = &[
    // A `break` decided at run time: the loop's header ends with `exit when outJ`.
    "w = randn(3)\nfor i in range(1000) {\n    w = w * 1.5\n    if w.abs().sum() > 100 {\n        break\n    }\n    if i % 2 == 0 {\n        continue\n    }\n    print(i)\n}\nprint(i, w)\n",
    // Strings a run-time condition picks (`choose(%C, A, B)`), nested, in a loop compiled once.
    "x = randn(4)\nfor i in range(4) {\n    print(\"warm\" if i < 2 else f\"decay {x[i].item():.2f}\" if x[i] > 0 else \"neg\")\n}\n",
    // `kthvalue`'s index op, with `dim` and `k` in the text.
    "x = randn(4, 5, requires_grad=true)\nv, i = kthvalue(x, 2, 1)\nv.sum().backward()\nprint(v, i, x.grad)\n",
    // i64 constants past 2^53, which an f64 would round: the text holds them exactly.
    "t = tensor([2**60 + 1, -9223372036854775807 - 1, 9223372036854775807])\nprint(t + 2**62 + 3, full((2,), 2**53 + 1), arange(2**60 + 1, 2**60 + 3), t * 1.5)\n",
    // The data sources and `save`, whose path is quoted in the text.
    "manual_seed(1)\np = randperm(5)\nprint(p, randint(3, 7, (2,)), randint(-(2 ** 40), 2 ** 40, (3,)))\nsave(p * 2, \"p \\\"2\\\".npy\")\n",
    r#"input w: f64[3, 4] in [-1, 1]
input b: f64[3] requires_grad
x = tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], dtype=f64, requires_grad=true)
y = maximum(x, w) + minimum(x, w) * relu(x) - abs(x) + sqrt(x) + log(x) + sin(x) * cos(x)
z = (y @ transpose(y)).sum(dim=1) + b
m = mean(z * pow(z, z), dim=0) + mean(z) + detach(z).sum() + sigmoid(z).sum()
m.backward()
n = randn(2, requires_grad=true)
print("x.grad \"q\"\n\ttab", x.grad, n.grad, b.grad)
print(m)
r = rand(2, 3)
print()
plot(linspace(0, 1, 3), ones(3), label="a, b")
xlabel("x")
ylabel("y")
title("t")
savefig("out.png")
"#,
    // Issue 12's figure calls: plot(y), scatter, semilogy, xlim and ylim.
    r#"x = linspace(0, 1, 4)
semilogy(x, exp(x), label="e")
scatter(x, x * 2, alpha=0.3)
plot(x)
xlim(-0.5, 1.5)
ylim(0.001, 1e3)
savefig("o.svg")
figure()
grid()
legend()
savefig("p.svg")
print("a", 1, sep="-", end="")
print(end="")
"#,
    // Running extremes, `fmod` and `remainder` with their gradients, and a Python float's `%`.
    "a = randn(3, 5, requires_grad=true)\nm = cummax(a, 1)\nv, i = a.cummin(0)\nr = fmod(a, 0.7) + a % (v.detach().abs() + 1)\n(m.values + v + r).sum().backward()\nprint(a.grad, i)\nf = -4.0\nfor k in range(2) {\n    f = f % 3.0\n}\nprint(f)\n",
    // Binary searches, with and without a sorter, left and right.
    "s = randn(6)\nv = randn(2, 3)\nprint(searchsorted(sort(s).values, v), bucketize(v, sort(s).values, right=true), searchsorted(s, v[0], sorter=argsort(s)), copysign(v, s[:3]), logit(v.sigmoid(), eps=0.01))\n",
    // Run-time assertions, with a message and without one.
    "x = randn(3)\nassert (x < 10).all(), f\"x is {x.sum().item():.2f}\"\nassert x.sum().item() > -100\n",
    r#"op Sq(x) {
    forward {
        y = x * x
        save x
        return y
    }
    backward(g) {
        return 2 * g * x
    }
}
fn twice(a) {
    return Sq(a)
}
manual_seed(3)
a = randn(4, requires_grad=true)
s = twice(a) + twice(a * 3)
s.sum().backward()
print(a.grad)
d = grad(tanh(a).sum(), a, create_graph=true)[0]
print(grad(d.sum(), a)[0])
"#,
];

/// Every `.act` under `dir`, recursively, sorted.
fn act_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            act_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "act") {
            out.push(path);
        }
    }
}

/// Checks that the text reads back and prints the same; returns the number of nodes read.
fn round_trip(what: &str, text: &str) -> usize {
    let parsed = match parse(text) {
        Ok(p) => p,
        Err(d) => panic!(
            "{what}: does not read back: {} at {:?} ({:?})\n{text}",
            d.message,
            d.primary.span,
            &text[d.primary.span.start..d.primary.span.end]
        ),
    };
    let again = parsed.print();
    if again != text {
        let diff: Vec<String> = text.lines().zip(again.lines()).filter(|(a, b)| a != b).take(5).map(|(a, b)| format!("- {a}\n+ {b}")).collect();
        panic!("{what}: printing the text read back differs:\n{}\n(lengths {} and {})", diff.join("\n"), text.len(), again.len());
    }
    parsed.program.graph.node_count()
}

/// Round-trips the three stages of one program.
fn round_trip_stages(what: &str, source: &str, dir: Option<&Path>) {
    let c = compile_opts(source, &Options { keep_stages: true, exports: Exports::Names(&[]), numerics: Default::default(), source_dir: dir })
        .unwrap_or_else(|e| panic!("{what} does not compile: {e:?}"));
    let lines = LineIndex::new(source);
    let lowered = c.lowered.as_ref().unwrap();
    let graph = program(lowered, &lines, Some(lowered));
    assert_eq!(round_trip(&format!("{what} at graph"), &graph), lowered.graph.node_count());
    let differentiated = c.differentiated.as_ref().unwrap();
    let grad = program(differentiated, &lines, Some(lowered));
    assert_eq!(round_trip(&format!("{what} at grad"), &grad), differentiated.graph.node_count());
    let opt = program(&c.optimized, &lines, None);
    assert_eq!(round_trip(&format!("{what} at opt"), &opt), c.optimized.graph.node_count());
}

#[test]
fn every_program_reads_back_at_every_stage() {
    let mut files = Vec::new();
    act_files(&Path::new(REPO).join("examples"), &mut files);
    act_files(&Path::new(REPO).join("tests/programs/good"), &mut files);
    act_files(&Path::new(REPO).join("tests/gradcheck"), &mut files);
    assert!(files.len() >= 10, "too few programs found: {files:?}");
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        round_trip_stages(&path.display().to_string(), &source, path.parent());
    }
}

#[test]
fn programs_with_the_remaining_ops_read_back() {
    for (i, source) in EXTRA.iter().enumerate() {
        round_trip_stages(&format!("extra program {i}"), source, None);
    }
}

#[test]
fn what_the_text_shows_reads_back_into_the_program() {
    let text = "forward:
  %0 = randn : f32[5]  # requires_grad, inp, @2:7
  %1 = full(1.5) : f32[]  # @3:1
  %2 = mul %0, %1 : f32[5]  # requires_grad, @3:5
  %3 = sum(dim=0) %2 : f32[]  # requires_grad, y, @3:5
backward 0 (4:1: y.backward()):
  %4 = full(1.0) : f32[]  # seed, @4:1
  %5 = expand %4 : f32[5]
  %6 = mul %5, %1 : f32[5]  # inp.grad, @4:1

backward 0 at 4:1: d(%3) with seed ones
  saved: none

effects:
  sample %0
  print \"a\\n\", %6, %3 <SumBackward1>
";
    let p = parse(text).unwrap();
    let g = &p.program.graph;
    assert_eq!(g.node_count(), 7);
    assert_eq!(g.operands(graphc_compiler::ir::NodeId(2)), vec![graphc_compiler::ir::NodeId(0), graphc_compiler::ir::NodeId(1)]);
    assert!(g.meta(graphc_compiler::ir::NodeId(0)).requires_grad);
    assert_eq!(g.meta(graphc_compiler::ir::NodeId(3)).note.as_deref(), Some("y"));
    assert_eq!(p.program.leaves, vec![graphc_compiler::ir::NodeId(0)]);
    let b = &p.program.backwards[0];
    assert_eq!((b.root, b.seed, b.retain_graph), (graphc_compiler::ir::NodeId(3), None, false));
    let lines = LineIndex::new(&p.source);
    assert_eq!(lines.line_col(b.span.start), (4, 1));
    assert_eq!(lines.snippet(b.span, 48), "y.backward()");
    assert_eq!(lines.line_col(g.meta(graphc_compiler::ir::NodeId(2)).span.start), (3, 5));
    // A node line without a position reads as @1:1.
    assert_eq!(lines.line_col(g.meta(graphc_compiler::ir::NodeId(5)).span.start), (1, 1));
    assert_eq!(p.program.effects.len(), 2);
    assert!(p.print().contains("  print \"a\\n\", %6, %3 <SumBackward1>\n"));
}

#[test]
fn integer_constants_read_back_exactly() {
    // 2^53 + 1 is the first integer an f64 cannot hold; a float keeps its `.`.
    let text = "forward:
  %0 = full(9007199254740993) : i64[]  # @1:1
  %1 = literal([-9223372036854775808, 9223372036854775807]) : i64[2]  # @1:1
  %2 = arange(start=1152921504606846977, step=-3) : i64[2]  # @1:1
  %3 = full(9007199254740992.0) : f64[]  # @1:1
";
    use graphc_runtime::op::{Op, Scalar};
    let p = parse(text).unwrap();
    let op = |i: u32| p.program.graph.node(graphc_compiler::ir::NodeId(i)).op.clone();
    assert_eq!(op(0), Op::Full(Scalar::Int(9_007_199_254_740_993)));
    assert_eq!(op(1), Op::Literal(vec![Scalar::Int(i64::MIN), Scalar::Int(i64::MAX)]));
    assert_eq!(op(2), Op::Arange { start: Scalar::Int(1_152_921_504_606_846_977), step: Scalar::Int(-3) });
    assert_eq!(op(3), Op::Full(Scalar::float(9_007_199_254_740_992.0)));
    assert!(p.print().starts_with(text), "{}", p.print());
}

#[test]
fn removed_values_read_back_as_removed() {
    let text = "forward:\n  %0 = full(2.0) : f64[3]\nbackward 0 (1:1: y):\n  %1 = neg %0 : f64[3]\n\nbackward 0 at 1:1: d(%?) with seed %?\n";
    let p = parse(text).unwrap();
    assert_eq!((p.program.backwards[0].root, p.program.backwards[0].seed), (REMOVED, Some(REMOVED)));
}

/// The error for `text`: its code, message, and the text its span covers.
fn error(text: &str) -> (Code, String, String) {
    let d = parse(text).expect_err("the text should not read back");
    (d.code, d.message, text[d.primary.span.start..d.primary.span.end].to_string())
}

#[test]
fn malformed_text_is_an_i0001_error_at_the_offending_text() {
    let (code, message, at) = error("forward:\n  %0 = exp %1 : f32[2]\n");
    assert_eq!((code, message.as_str(), at.as_str()), (Code::I0001, "`%1` is not defined on an earlier line", "%1"));
    let (_, message, at) = error("forward:\n  %0 = frobnicate : f32[2]\n");
    assert_eq!((message.as_str(), at.as_str()), ("unknown op or bad parameters `frobnicate`", "frobnicate"));
    let (_, message, at) = error("forward:\n  %0 = full(x) : f32[2]\n");
    assert_eq!((message.as_str(), at.as_str()), ("unknown op or bad parameters `full(x)`", "full(x)"));
    let (_, message, _) = error("forward:\n  %0 = full(1.0) : f32[2]\n  %1 = add %0 : f32[2]\n");
    assert_eq!(message, "`add` takes 2 operands, not 1");
    let (_, _, at) = error("forward:\n  %0 = full(1.0) : f16[2]\n");
    assert_eq!(at, "f16[2]");
    let (_, message, _) = error("  %0 = full(1.0) : f32[2]\n");
    assert!(message.starts_with("a node before any region header"), "{message}");
    let (_, message, _) = error("forward:\n  %0 = full(1.0) : f32[2]\n  %0 = full(2.0) : f32[2]\n");
    assert_eq!(message, "`%0` is defined twice or is not a name");
    let (_, message, at) = error("forward:\n  %0 = full(1.0) : f32[2]\n\neffects:\n  print \"open\n");
    assert_eq!((message.as_str(), at.as_str()), ("string without its closing quote", "\"open"));
    let (_, message, _) = error("forward:\n  %0 = full(1.0) : f32[2]\n\neffects:\n  sample %?\n");
    assert_eq!(message, "`%?` stands for no value here");
    let (_, message, _) = error("bogus\n");
    assert!(message.starts_with("expected a region header"), "{message}");
}

#[test]
fn positions_and_sizes_beyond_the_limits_are_errors_not_huge_allocations() {
    let (_, message, at) = error("forward:\n  %0 = full(1.0) : f32[]  # @99999999999:1\n");
    assert_eq!((message.as_str(), at.as_str()), ("a line or column above 1048576", "99999999999:1"));
    let (_, message, _) = error("forward:\n  %0 = full(1.0) : f32[65536, 65536]\n");
    assert_eq!(message, "a shape of more than 2147483648 elements");
    let (_, message, _) = error("backward 4294967295:\n");
    assert_eq!(message, "expected a backward call number up to 1048576");
    let many: String = (1..=2000).map(|l| format!("  %{l} = full(1.0) : f32[]  # @{l}:1000000\n")).collect();
    let (_, message, _) = error(&format!("forward:\n{many}"));
    assert_eq!(message, "the positions shown need a source of more than 64 MiB");
}

/// Pieces of IR text, so that random mixes reach every kind of line.
const PIECES: &[&str] = &[
    "forward:\n",
    "backward 0 (2:1: y.backward()):\n",
    "backward 1:\n",
    "template: backward block of F for the call at 3:4:\n",
    "template 0:\n",
    "  %0 = randn : f32[3]  # requires_grad, x, @1:5\n",
    "  %1 = full(2.0) : f32[]  # @2:3\n",
    "  %2 = mul %0, %1 : f32[3]\n",
    "  %3 = literal([1.0, 2.0, ... 9 values]) : f64[9]\n",
    "  %4 = where(<) %0, %1, %0, %2 : f32[3]\n",
    "  %5 = param(1) : f32[3]  # saved r, @4:4\n",
    "(6 nodes, 5 edges)\n",
    "backward 0 at 2:1: d(%2) with seed ones, retain_graph\n",
    "backward 1 at 2:1: d(%?) with seed %1\n",
    "  saved %0 (`r` saved by F, `s` saved by G): f32[3], 12 bytes, read by %2\n",
    "  saved: none\n",
    "effects:\n",
    "  print \"a\\u{e9}\\n\", %2 <MulBackward0>, None\n",
    "  plot %0, %2 label=\"l\" alpha=0.5\n",
    "  scatter %0, %2 label=\"l\" alpha=0.5\n",
    "  yscale log\n",
    "  xlim -1.0, 2.5\n",
    "  ylim 0.001, 1000.0\n",
    "  manual_seed(7)\n",
    "  savefig \"x.png\"\n",
    "%",
    " : ",
    "(",
    ")",
    "@",
    "\"",
    "\\",
    "\n",
    "é",
    "  ",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

    #[test]
    fn random_ir_text_never_panics(pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..40)) {
        let text: String = pieces.concat();
        if let Ok(p) = parse(&text) {
            let _ = p.print();
        }
    }

    #[test]
    fn random_characters_never_panic(text in "\\PC*") {
        let _ = parse(&text);
    }
}
