//! `Generator()` (`torch.Generator`) and `g.manual_seed(seed)`: a random
//! number generator of the program's own, beside the default one, as
//! `random_split(ds, [0.8, 0.2], generator=Generator().manual_seed(42))`
//! uses it to split a dataset the same way on every run.
//!
//! Such a generator's state depends only on its seed and on the draws made
//! from it, all known when compiling: graphc keeps the state in the compiler
//! (`graphc_runtime::rng::Generator`, PyTorch's `mt19937` and algorithms) and
//! makes the draws there, so the program holds their results as constants.
//! A draw inside a loop compiled once, or a run-time branch, would be made
//! once for every pass, and is refused (E0687).

use graphc_runtime::op::Scalar;
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

impl Lowerer<'_> {
    /// `Generator(device="cpu")`: a generator with PyTorch's default seed.
    pub(super) fn generator_call(&mut self, args: Vec<(Option<Ident>, Value, Span)>) -> Value {
        for (k, v, vs) in args {
            let cpu = matches!(&v, Value::Str(d) if d == "cpu");
            if !(cpu && k.as_ref().is_none_or(|k| k.name == "device")) {
                return self.error(
                    Diagnostic::new(Code::E0687, "`Generator` takes only `device=\"cpu\"` in graphc", vs, "not supported")
                        .with_help("write `Generator()` and seed it: `Generator().manual_seed(42)`"),
                );
            }
        }
        self.generators.push(graphc_runtime::rng::Generator::new());
        Value::Generator(self.generators.len() - 1)
    }

    /// `g.manual_seed(seed)` (which returns `g`, as PyTorch's does).
    pub(super) fn generator_method(&mut self, k: usize, method: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        if method.name != "manual_seed" {
            return self.error(
                Diagnostic::new(Code::E0102, format!("a generator has no method `{}` in graphc", method.name), method.span, "unknown method")
                    .with_help("seed it with `g.manual_seed(42)`; its draws are made by the calls it is passed to"),
            );
        }
        let seed = match args.as_slice() {
            [(k, Value::Number(Num::Int(s)), _)]
                if k.as_ref().is_none_or(|k| k.name == "seed") && (i64::MIN as i128..=u64::MAX as i128).contains(s) =>
            {
                // A negative seed is its two's complement, as `torch.manual_seed`'s.
                if *s < 0 {
                    *s as i64 as u64
                } else {
                    *s as u64
                }
            }
            [(_, Value::Poison, _)] => return Value::Poison,
            _ => {
                let at = args.first().map_or(span, |(_, _, s)| *s);
                return self.error(
                    Diagnostic::new(Code::E0107, "`manual_seed` takes one integer seed, from -2^63 to 2^64 - 1", at, "not a seed")
                        .with_help("write `g.manual_seed(42)`"),
                );
            }
        };
        self.generators[k].manual_seed(seed);
        Value::Generator(k)
    }

    /// The generator a `generator=` argument names; `None` after E0107 for
    /// anything else.
    pub(super) fn generator_arg(&mut self, v: Value, at: Span) -> Option<usize> {
        match v {
            Value::Generator(k) => Some(k),
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`generator` must be a `Generator()`, not {}", other.describe()), at, "not a generator")
                        .with_help("make one with `g = Generator().manual_seed(42)` and pass `generator=g`"),
                );
                None
            }
        }
    }

    /// A tensor's values as a constant node of its dtype and shape.
    pub(super) fn literal_of(&mut self, t: &graphc_runtime::Tensor, at: Span) -> NodeId {
        let values: Vec<Scalar> = match t.dtype() {
            DType::F32 | DType::F64 => t.to_f64_vec().into_iter().map(Scalar::float).collect(),
            _ => t.as_i64().unwrap_or_default().iter().map(|&i| Scalar::Int(i)).collect(),
        };
        self.node(Op::Literal(values), t.dtype(), t.shape().to_vec(), &[], at)
    }

    /// `randperm(n, generator=g)` drawn now from generator `k`, as a constant
    /// of the program; `None` after E0687 where the draw would be made once
    /// for a loop's or a run-time branch's every pass.
    pub(super) fn generator_randperm(&mut self, k: usize, n: usize, at: Span) -> Option<NodeId> {
        if !self.generator_may_draw(at) {
            return None;
        }
        let perm = self.generators[k].randperm(n);
        Some(self.literal_of(&perm, at))
    }

    /// Whether a draw from a generator of the program's own may be made here,
    /// when compiling: not in a loop compiled once or a run-time branch, where
    /// it would be made once for every pass (E0687).
    pub(super) fn generator_may_draw(&mut self, at: Span) -> bool {
        if self.body_depth > 0 {
            self.error(
                Diagnostic::new(
                    Code::E0687,
                    "a generator of the program's own draws when compiling, and this draw is inside a loop or a run-time branch",
                    at,
                    "drawn once for every pass",
                )
                .with_help("make the split before the loop, or leave `generator` out to draw from the default generator at run time"),
            );
            return false;
        }
        true
    }
}
