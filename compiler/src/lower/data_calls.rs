//! Lowering of the data builtins: `load` and `save` of `.npy` files, and the random
//! integer draws `randperm` and `randint`.
//!
//! `load` reads only the file's header now, so that its dtype and shape are static;
//! every way the file can be unusable is an error at the call. The data is read
//! when the program runs, by a source node that, like a random draw, is an effect:
//! it runs once, in program order, and is never folded. Paths are relative to the
//! `.act` file, as a script's data sits beside it.

use graphc_runtime::op::{DataOp, Op};
use graphc_runtime::DType;

use super::{Lowerer, Value};
use crate::check::builtins::{Bound, DataBuiltin};
use crate::diag::{Code, Diagnostic};
use crate::ir::program::{resolve_path, Effect};
use crate::syntax::ast::Span;

/// The largest `randperm` PyTorch's float32 result can hold exactly.
const F32_EXACT: f64 = 16_777_216.0;

impl Lowerer<'_> {
    pub(crate) fn data_call(&mut self, d: DataBuiltin, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        match d {
            DataBuiltin::Load => self.load_call(bound, span),
            DataBuiltin::Save => self.save_call(bound, span),
            DataBuiltin::Randperm => self.randperm_call(bound, span),
            DataBuiltin::Randint => self.randint_call(name, bound, span),
            DataBuiltin::Multinomial => self.multinomial_call(bound, span),
            DataBuiltin::Bernoulli => self.bernoulli_call(bound, span),
        }
    }

    /// A `manual_seed` argument at `span` may hold a literal up to 2^64 - 1, the
    /// range PyTorch takes for seeds (its own check says so): not E0665.
    pub(crate) fn seed_literals(&mut self, span: Span) {
        self.big_literals.retain(|s| !(span.start <= s.start && s.end <= span.end));
    }

    /// E0665 at each integer beyond int64, a literal or a compile-time result,
    /// that no `manual_seed` took. Only the innermost is reported: in
    /// `2**64 - 1` the error is at `2**64`, where the range was left.
    pub(crate) fn report_big_literals(&mut self) {
        let mut spans = std::mem::take(&mut self.big_literals);
        spans.sort_by_key(|s| (s.start, s.end));
        spans.dedup();
        let inside = |s: &Span, t: &Span| s != t && s.start <= t.start && t.end <= s.end;
        let innermost: Vec<Span> = spans.iter().filter(|s| !spans.iter().any(|t| inside(s, t))).copied().collect();
        for s in innermost {
            self.error(
                Diagnostic::new(Code::E0665, "this integer is beyond int64 (-2^63 to 2^63 - 1)", s, "too large for int64").with_help(
                    "integers are int64, as PyTorch's are (Python's big ints are not): use a smaller integer, or a float (`1e19`, `2.0 ** 64`) if an approximate value is meant",
                ),
            );
        }
    }

    /// A path argument: a string known at compile time.
    fn path_arg(&mut self, v: Value, vs: Span, call: &str) -> Option<String> {
        match v {
            Value::Str(s) => Some(s),
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("the path of `{call}` must be a string, not {}", other.describe()), vs, "not a path")
                        .with_help(format!("write the path as a string literal, such as `{call}(\"data/x.npy\")`")),
                );
                None
            }
        }
    }

    /// `load(path)`: a tensor of the dtype and shape the file's header declares.
    fn load_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees the path");
        let Some(path) = self.path_arg(v, vs, "load") else { return Value::Poison };
        let resolved = resolve_path(self.prog.base_dir.as_deref(), &path);
        let header = match graphc_runtime::npy::read_header(std::path::Path::new(&resolved), &path) {
            Ok(h) => h,
            Err(e) => return self.error(load_error(e, vs)),
        };
        // The node's budget check (E0501/E0502) refuses a file too large for memory.
        let id = self.node(Op::Data(DataOp::Load(path)), header.dtype, header.shape, &[], span);
        Value::Tensor(id)
    }

    /// `save(tensor, path)`: writes the tensor's value at this point of the program.
    fn save_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let [(t, ts), (p, ps)] = self.two(bound);
        let Some(t) = self.expect_tensor(t, ts, "the tensor to save") else { return Value::Poison };
        let Some(path) = self.path_arg(p, ps, "save") else { return Value::Poison };
        let resolved = resolve_path(self.prog.base_dir.as_deref(), &path);
        if let Err((message, label, help)) = check_save_path(&path, &resolved) {
            return self.error(Diagnostic::new(Code::E0663, message, ps, label).with_help(help));
        }
        let node = self.current(t);
        self.prog.effects.push(Effect::Save { node, path, span });
        Value::None
    }

    /// `randperm(n, dtype=i64)`.
    fn randperm_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees n");
        let Some(n) = self.count_arg(&v, vs, "randperm's `n`") else { return Value::Poison };
        let Some(dtype) = self.data_dtype(bound) else { return Value::Poison };
        if dtype == DType::F32 && n as f64 > F32_EXACT {
            return self.error(
                Diagnostic::new(
                    Code::E0664,
                    format!("randperm of {n} elements cannot be f32: f32 holds integers exactly only up to 2^24"),
                    vs,
                    "too many for f32",
                )
                .with_help("leave the dtype i64 (the default), or use `dtype=f64`"),
            );
        }
        let id = match bound.keyword("generator") {
            Some((g, gs)) => {
                let Some(k) = self.generator_arg(g, gs) else { return Value::Poison };
                let Some(id) = self.generator_randperm(k, n, gs) else { return Value::Poison };
                id
            }
            None => self.node(Op::Data(DataOp::Randperm), DType::I64, vec![n], &[], span),
        };
        Value::Tensor(self.cast_to(id, dtype, span))
    }

    /// `randint(high, size)` or `randint(low, high, size)`, with `dtype=i64`.
    fn randint_call(&mut self, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        let args: Vec<Option<(Value, Span)>> = bound.positional.clone();
        // With two positional arguments they are `high, size`, as in PyTorch.
        let (low, high, size) = match args.as_slice() {
            [Some(h), Some(s)] => (None, h.clone(), s.clone()),
            [l, Some(h), Some(s)] => (l.clone(), h.clone(), s.clone()),
            _ => {
                return self.error(
                    Diagnostic::new(Code::E0103, format!("`{name}` needs `high` and `size`"), span, "missing argument")
                        .with_help("write `randint(high, (n,))` or `randint(low, high, (n,))`"),
                )
            }
        };
        let low_value = match &low {
            Some((v, s)) => self.int_arg(v, *s, "randint's `low`"),
            None => Some(0),
        };
        let high_value = self.int_arg(&high.0, high.1, "randint's `high`");
        let shape = self.size_arg(&size.0, size.1);
        let (Some(lo), Some(hi), Some(shape)) = (low_value, high_value, shape) else { return Value::Poison };
        let Some(dtype) = self.data_dtype(bound) else { return Value::Poison };
        if lo >= hi {
            let at = low.map_or(high.1, |(_, s)| s.to(high.1));
            return self.error(
                Diagnostic::new(Code::E0664, format!("randint needs `low` < `high`, but the range is [{lo}, {hi})"), at, "empty range")
                    .with_help("give a `high` larger than `low`: the values drawn are low, low + 1, ..., high - 1"),
            );
        }
        let id = match bound.keyword("generator") {
            Some((g, gs)) => {
                let Some(k) = self.generator_arg(g, gs) else { return Value::Poison };
                if !self.size_allowed(&shape, span) || !self.generator_may_draw(gs) {
                    return Value::Poison;
                }
                let drawn = self.generators[k].randint(lo, hi, &shape);
                self.literal_of(&drawn, gs)
            }
            None => self.node(Op::Data(DataOp::Randint { low: lo, high: hi }), DType::I64, shape, &[], span),
        };
        Value::Tensor(self.cast_to(id, dtype, span))
    }

    /// The `dtype=` of a random integer call: i64 by default; i64, f32 or f64.
    fn data_dtype(&mut self, bound: &mut Bound<Value>) -> Option<DType> {
        match bound.keyword("dtype") {
            None => Some(DType::I64),
            Some((Value::DType(d), _)) if d != DType::Bool => Some(d),
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`dtype` must be i64, f32 or f64 here, not {}", other.describe()), s, "not such a dtype")
                        .with_help("write `dtype=i64` (the default), `dtype=f32` or `dtype=f64`"),
                );
                None
            }
        }
    }

    /// An integer argument.
    pub(super) fn int_arg(&mut self, v: &Value, s: Span, what: &str) -> Option<i64> {
        match v {
            Value::Number(n) if n.i64().is_some() => n.i64(),
            Value::Number(super::Num::Int(_)) => {
                // This error says what the range is, in place of E0665's.
                self.big_literals.retain(|b| *b != s);
                self.error(
                    Diagnostic::new(
                        Code::E0664,
                        format!("{what} is out of range: PyTorch takes integers from -2^63 to 2^63 - 1 here"),
                        s,
                        "out of range",
                    )
                    .with_help("give an integer within the range of int64"),
                );
                None
            }
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("{what} must be an integer, not {}", other.describe()), s, "not an integer")
                        .with_help("write an integer literal or an integer computed from literals and shapes"),
                );
                None
            }
        }
    }

    /// A count: a non-negative integer.
    fn count_arg(&mut self, v: &Value, s: Span, what: &str) -> Option<usize> {
        let n = self.int_arg(v, s, what)?;
        if n < 0 {
            self.error(
                Diagnostic::new(Code::E0664, format!("{what} must not be negative, but it is {n}"), s, "negative")
                    .with_help("give a count of 0 or more"),
            );
            return None;
        }
        Some(n as usize)
    }

    /// `size`: a tuple or list of non-negative integers, or a shape (`x.shape`).
    fn size_arg(&mut self, v: &Value, s: Span) -> Option<Vec<usize>> {
        match v {
            Value::Size(dims) => Some(dims.clone()),
            Value::Tuple(items) | Value::List(items) => items.iter().map(|(d, ds)| self.count_arg(d, *ds, "a size")).collect(),
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("randint's `size` must be a tuple of sizes, not {}", other.describe()), s, "not a size")
                        .with_help("write the size as a tuple, such as `(64,)` or `(3, 4)`, as PyTorch requires"),
                );
                None
            }
        }
    }
}

/// The diagnostic for a `.npy` file `load` cannot use.
fn load_error(e: graphc_runtime::npy::NpyError, span: Span) -> Diagnostic {
    use graphc_runtime::npy::NpyError;
    match e {
        NpyError::Unreadable(m) => Diagnostic::new(Code::E0660, m, span, "cannot read this file").with_help(
            "check the path, which is relative to the .act file; the file must exist when the program is compiled, as its header gives the tensor's dtype and shape",
        ),
        NpyError::Malformed(m) => Diagnostic::new(Code::E0661, m, span, "not a .npy file")
            .with_help("write the file with `numpy.save` (or graphc's `save`)"),
        NpyError::Unsupported { message, help } => Diagnostic::new(Code::E0662, message, span, "unsupported dtype").with_help(help),
    }
}

/// Why `save` cannot write `path` (`resolved` against the `.act` file's
/// directory), found before anything runs: message, label and help.
fn check_save_path(path: &str, resolved: &str) -> Result<(), (String, &'static str, String)> {
    let p = std::path::Path::new(resolved);
    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !name.ends_with(".npy") || name == ".npy" {
        return Err((
            format!("`save` writes .npy files, and `{path}` is not one"),
            "not a .npy file name",
            "end the file name in `.npy`, such as `save(w, \"w.npy\")`".to_string(),
        ));
    }
    if p.is_dir() {
        return Err((format!("`{path}` is a directory"), "a directory", "name a file inside it, such as `dir/w.npy`".to_string()));
    }
    if !graphc_runtime::files::dir_of(p).is_dir() {
        // Messages name the directory as the program wrote it, not as resolved.
        let shown = graphc_runtime::files::dir_of(std::path::Path::new(path));
        let what = if graphc_runtime::files::dir_of(p).exists() { "is not a directory" } else { "does not exist" };
        return Err((
            format!("cannot save to `{path}`: `{}` {what}", shown.display()),
            "no such directory",
            format!("create `{}` first (paths are relative to the .act file), or save into an existing directory", shown.display()),
        ));
    }
    Ok(())
}
