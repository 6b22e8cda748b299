//! No input panics the compiler, and no compiled program panics the runtime.
//!
//! Three generators: arbitrary text, random sequences of `.act` tokens and
//! fragments (mostly ill-formed, but reaching deep into the parser and checker),
//! and well-formed programs from a small grammar (which mostly compile, so they
//! exercise lowering, autodiff, the passes, the scheduler and the interpreter).
//! Debug builds verify the IR after every stage and panic on a broken invariant,
//! so those checks run here too. Every diagnostic must point inside the source.

use graphc_compiler::diag::Diagnostic;
use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Compiles `source`; on success runs it, on failure checks the diagnostics' spans.
/// Returns whether it compiled.
fn compile_and_run(source: &str) -> Result<bool, TestCaseError> {
    match compile(source, true) {
        Ok(compiled) => {
            // After a successful compilation the only run-time failures are I/O,
            // and these programs write no files.
            if let Err(e) = run_capture(&compiled.plan) {
                return Err(TestCaseError::fail(format!("run failed: {e}\n{source}")));
            }
            Ok(true)
        }
        Err(diags) => {
            prop_assert!(!diags.is_empty(), "compile failed without a diagnostic:\n{}", source);
            for d in &diags {
                spans_inside(d, source)?;
            }
            Ok(false)
        }
    }
}

fn spans_inside(d: &Diagnostic, source: &str) -> Result<(), TestCaseError> {
    let labels = std::iter::once(&d.primary).chain(&d.secondary);
    for (i, l) in labels.enumerate() {
        let which = if i == 0 { "primary" } else { "secondary" };
        prop_assert!(
            l.span.start <= l.span.end && l.span.end <= source.len(),
            "{} span {}..{} of {} `{}` is outside the {}-byte source:\n{:?}",
            which,
            l.span.start,
            l.span.end,
            d.code.as_str(),
            d.message,
            source.len(),
            source
        );
    }
    Ok(())
}

// ------------------------------------------------------------------ random text and tokens

const FRAGMENTS: &[&str] = &[
    "x",
    "y",
    "inp",
    "out",
    "g",
    "result",
    "a",
    "b",
    "_t0",
    "f32",
    "f64",
    "0",
    "1",
    "2",
    "0.5",
    "1e-3",
    "2.5E+2",
    "1e400",
    "99999999999999999999",
    "-",
    "+",
    "*",
    "/",
    "**",
    "@",
    "=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    ":",
    ";",
    "\n",
    "\n\n",
    " ",
    "#c\n",
    "\"s\"",
    "\"\\n\"",
    "\"",
    "op",
    "fn",
    "forward",
    "backward",
    "save",
    "return",
    "true",
    "false",
    "none",
    "exp",
    "log",
    "sqrt",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "abs",
    "pow",
    "maximum",
    "minimum",
    "sum",
    "mean",
    "matmul",
    "transpose",
    "backward",
    "zero_grad",
    "detach",
    "print",
    "plot",
    "grid",
    "legend",
    "xlabel",
    "randn",
    "rand",
    "zeros",
    "ones",
    "full",
    "arange",
    "linspace",
    "tensor",
    "ones_like",
    "zeros_like",
    "manual_seed",
    ".grad",
    ".zero_()",
    "requires_grad=true",
    "retain_graph=true",
    "dtype=f64",
    "dim=0",
    "dim=1",
    "grad=",
    "op F(a) { forward { save a\n return a } backward(g) { return g } }\n",
    "op G(a, b) { forward { return a * b } }\n",
    "fn h(a) { return a + 1 }\n",
    "fn r(a) { return r(a) }\n",
    "x = randn(3, requires_grad=true)\n",
    "y = randn(2, 3, requires_grad=true, dtype=f64)\n",
    "z = (x + 1) ** 2\n",
    "z.backward(ones_like(z), retain_graph=true)\n",
    "z.sum().backward()\n",
    "print(x.grad)\n",
    "x.grad.zero_()\n",
    "F(x)",
    "G(x, x)",
    "h(x)",
    "r(x)",
    "é",
    "\t",
    "\r\n",
    "\0",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(FRAGMENTS), prop::bool::ANY), 0..60)
        .prop_map(|parts| parts.into_iter().map(|(p, space)| if space { format!("{p} ") } else { p.to_string() }).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(source in any::<String>()) {
        compile_and_run(&source)?;
    }

    #[test]
    fn ascii_text_never_panics(source in "[ -~\n]{0,200}") {
        compile_and_run(&source)?;
    }

    #[test]
    fn token_soup_never_panics(source in fragments()) {
        compile_and_run(&source)?;
    }
}

// ------------------------------------------------------------------ well-formed programs

/// A stream of choices that a generator consumes; when it runs out every choice
/// is 0, which always picks the simplest alternative, so shrinking the stream
/// toward zeros shrinks the program.
struct Choices {
    v: Vec<u32>,
    i: usize,
}

impl Choices {
    fn pick(&mut self, n: usize) -> usize {
        let c = self.v.get(self.i).copied().unwrap_or(0);
        self.i += 1;
        c as usize % n
    }
}

/// The three shapes the generator tracks, so that most programs type-check:
/// a vector [3], a matrix [2, 3] and a 0-d scalar.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    V,
    M,
    S,
}

struct Gen {
    c: Choices,
    /// Names bound so far, with their kinds; the first three are the leaves.
    names: Vec<(String, Kind)>,
}

impl Gen {
    fn name(&mut self, k: Kind) -> String {
        let pool: Vec<&String> = self.names.iter().filter(|(_, nk)| *nk == k).map(|(n, _)| n).collect();
        pool[self.c.pick(pool.len())].clone()
    }

    fn expr(&mut self, k: Kind, depth: u32) -> String {
        if depth == 0 {
            return self.name(k);
        }
        let d = depth - 1;
        const UNARY: &[&str] = &["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "detach", "Sq", "Soft", "twice"];
        const BIN: &[&str] = &["+", "-", "*", "/"];
        match (k, self.c.pick(9)) {
            (_, 0) => self.name(k),
            (_, 1) => format!("{}({})", UNARY[self.c.pick(UNARY.len())], self.expr(k, d)),
            (_, 2) => format!("({} {} {})", self.expr(k, d), BIN[self.c.pick(4)], self.expr(k, d)),
            (_, 3) => {
                let e = ["2", "3", "0.5", "-1", "1.7", "0"][self.c.pick(6)];
                format!("({} ** {e})", self.expr(k, d))
            }
            (_, 4) => {
                let f = ["maximum", "minimum", "pow", "Mix", "mix"][self.c.pick(5)];
                format!("{f}({}, {})", self.expr(k, d), self.expr(k, d))
            }
            (_, 5) => {
                let lit = ["1", "0.5", "2", "-3", "1e-3"][self.c.pick(5)];
                format!("({lit} {} {})", BIN[self.c.pick(4)], self.expr(k, d))
            }
            // Broadcasting: a smaller kind combined with this one.
            (Kind::M, 6) => format!("({} {} {})", self.expr(Kind::M, d), BIN[self.c.pick(4)], self.expr(Kind::V, d)),
            (Kind::V, 6) => format!("({} * {})", self.expr(Kind::S, d), self.expr(Kind::V, d)),
            (Kind::S, 6) => format!("({} @ {})", self.expr(Kind::V, d), self.expr(Kind::V, d)),
            // Shape-changing builtins.
            (Kind::V, 7) => {
                let f = ["sum", "mean"][self.c.pick(2)];
                format!("{f}({}, dim=0)", self.expr(Kind::M, d))
            }
            (Kind::V, 8) => format!("(ones(2, dtype=DT) @ {})", self.expr(Kind::M, d)),
            (Kind::M, 7) => format!("transpose(transpose({}))", self.expr(Kind::M, d)),
            (Kind::M, 8) => format!("matmul({}, transpose({}) @ {})", self.expr(Kind::M, d), self.expr(Kind::M, d), self.expr(Kind::M, d)),
            (Kind::S, 7) => format!("{}({})", ["sum", "mean"][self.c.pick(2)], self.expr(Kind::M, d)),
            (Kind::S, _) => format!("{}({})", ["sum", "mean"][self.c.pick(2)], self.expr(Kind::V, d)),
            _ => unreachable!(),
        }
    }

    fn program(&mut self) -> String {
        let dt = ["f32", "f64"][self.c.pick(2)];
        let mut s = String::from(
            "op Sq(a) {\n    forward {\n        save a\n        return a * a\n    }\n    backward(g) {\n        return g * 2 * a\n    }\n}\n\
             op Soft(a) {\n    forward {\n        return log(1 + exp(a))\n    }\n}\n\
             op Mix(a, b) {\n    forward {\n        save b\n        return a * b\n    }\n    backward(g) {\n        return g * b, none\n    }\n}\n\
             fn twice(a) {\n    return a + a\n}\n\
             fn mix(a, b) {\n    t = sin(a) * b\n    return t - a\n}\n",
        );
        s += &format!("manual_seed({})\n", self.c.pick(4));
        s += "a = randn(3, requires_grad=true, dtype=DT)\nm = randn(2, 3, requires_grad=true, dtype=DT)\n";
        s += "k = tensor(0.5, dtype=DT, requires_grad=true)\n";
        self.names = vec![("a".into(), Kind::V), ("m".into(), Kind::M), ("k".into(), Kind::S)];
        let leaves = ["a", "m", "k"];
        let n = 1 + self.c.pick(10);
        for i in 0..n {
            match self.c.pick(8) {
                0..=2 => {
                    let k = [Kind::V, Kind::M, Kind::S][self.c.pick(3)];
                    let depth = 1 + self.c.pick(4) as u32;
                    let e = self.expr(k, depth);
                    let name = format!("t{i}");
                    s += &format!("{name} = {e}\n");
                    self.names.push((name, k));
                }
                3 => {
                    let e = self.expr(Kind::S, 2);
                    let retain = if self.c.pick(2) == 0 { "" } else { "retain_graph=true" };
                    s += &format!("backward({e}{}{retain})\n", if retain.is_empty() { "" } else { ", " });
                }
                4 => {
                    let k = [Kind::V, Kind::M, Kind::S][self.c.pick(3)];
                    let name = self.name(k);
                    let retain = ["", ", retain_graph=true"][self.c.pick(2)];
                    let method = self.c.pick(2) == 0;
                    if k == Kind::S && method {
                        s += &format!("{name}.backward({})\n", retain.trim_start_matches(", "));
                    } else if method {
                        s += &format!("{name}.backward(ones_like({name}){retain})\n");
                    } else {
                        s += &format!("backward({name}, grad=ones_like({name}){retain})\n");
                    }
                }
                5 => s += &format!("print({}.grad)\n", leaves[self.c.pick(3)]),
                6 => {
                    let l = leaves[self.c.pick(3)];
                    s += &if self.c.pick(2) == 0 { format!("{l}.grad.zero_()\n") } else { format!("zero_grad({l})\n") };
                }
                _ => {
                    let k = [Kind::V, Kind::M, Kind::S][self.c.pick(3)];
                    let e = self.expr(k, 1);
                    s += &format!("print(\"v\", {e})\n");
                }
            }
        }
        s.replace("DT", dt)
    }
}

fn generate(choices: Vec<u32>) -> String {
    Gen { c: Choices { v: choices, i: 0 }, names: Vec::new() }.program()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn well_formed_programs_compile_and_run_without_panic(choices in prop::collection::vec(any::<u32>(), 0..200)) {
        let source = generate(choices);
        compile_and_run(&source)?;
    }
}

/// The grammar generator is only useful if most of its programs compile (so the
/// back end is exercised) and if both gradient paths and errors occur.
#[test]
fn generated_programs_mostly_compile() {
    let mut rng: u64 = 12345;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng as u32
    };
    let (mut ok, mut total, mut with_backward) = (0, 0, 0);
    for _ in 0..100 {
        let choices: Vec<u32> = (0..200).map(|_| next()).collect();
        let source = generate(choices);
        total += 1;
        if compile_and_run(&source).unwrap_or_else(|e| panic!("{e}")) {
            ok += 1;
            with_backward += source.lines().any(|l| l.starts_with("backward(") || l.contains(".backward(")) as i32;
        }
    }
    assert!(ok * 2 >= total, "only {ok} of {total} generated programs compile");
    assert!(with_backward * 4 >= total, "only {with_backward} compiled programs call backward");
}
