//! Lowering of the output builtins: what `print` shows for each argument (with
//! PyTorch's `grad_fn=<...>` suffix) and the figure calls.

use graphc_runtime::plan::TensorSuffix;

use super::builtin_calls::derived_grad_fn;
use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::{Effect, FigureEffect, PrintArg};
use crate::syntax::ast::Span;

/// `open`, the items separated by `, `, `close`: one text when every item is a
/// text known at compile time, else the pieces printed in a row.
pub(super) fn joined(open: &str, items: Vec<PrintArg>, close: &str) -> PrintArg {
    let mut pieces = vec![PrintArg::Text(open.to_string())];
    for (k, item) in items.into_iter().enumerate() {
        if k > 0 {
            pieces.push(PrintArg::Text(", ".to_string()));
        }
        pieces.push(item);
    }
    pieces.push(PrintArg::Text(close.to_string()));
    concat(pieces)
}

/// Pieces printed in a row, with neighbouring texts merged: one text when all are.
pub(super) fn concat(pieces: Vec<PrintArg>) -> PrintArg {
    let mut out: Vec<PrintArg> = Vec::new();
    for p in pieces {
        match (out.last_mut(), p) {
            (Some(PrintArg::Text(a)), PrintArg::Text(b)) => a.push_str(&b),
            (_, PrintArg::Concat(inner)) => out.extend(inner),
            (_, p) => out.push(p),
        }
    }
    match <[PrintArg; 1]>::try_from(out) {
        Ok([PrintArg::Text(t)]) => PrintArg::Text(t),
        Ok([only]) => PrintArg::Concat(vec![only]),
        Err(out) if out.is_empty() => PrintArg::Text(String::new()),
        Err(out) => PrintArg::Concat(out),
    }
}

impl<'a> Lowerer<'a> {
    /// `print(*values, sep=" ", end="\n", flush=false)`. A print whose `end`
    /// ends with a newline is a line of the run's output (the text before the
    /// newline is its last piece); any other `end` (`end=""`, `end=" "`) writes
    /// the pieces without ending the line. `flush` changes nothing, since graphc
    /// writes each print as it comes.
    pub(super) fn print_call(&mut self, mut bound: Bound<Value>) -> Value {
        let mut text = |this: &mut Self, key: &str| -> Result<Option<String>, ()> {
            match bound.keyword(key) {
                None | Some((Value::None, _)) => Ok(None),
                Some((Value::Str(s), _)) => Ok(Some(s)),
                Some((Value::Poison, _)) => Err(()),
                Some((other, s)) => {
                    this.error(
                        Diagnostic::new(Code::E0107, format!("`{key}` must be a string or `none`, not {}", other.describe()), s, "not a string")
                            .with_help(format!("write `{key}=\", \"`, as in Python")),
                    );
                    Err(())
                }
            }
        };
        let (Ok(sep), Ok(end)) = (text(self, "sep"), text(self, "end")) else { return Value::Poison };
        if bound.positional.iter().flatten().any(|(v, s)| self.unprintable(v, *s)) {
            return Value::Poison;
        }
        let items: Vec<PrintArg> = bound.positional.into_iter().flatten().map(|(v, _)| self.print_arg(v)).collect();
        let items = match (sep, end) {
            (None, None) => items,
            (sep, end) => {
                // One piece with the separators and the end's text before its newline.
                let sep = sep.unwrap_or_else(|| " ".to_string());
                let mut pieces = Vec::new();
                for (k, item) in items.into_iter().enumerate() {
                    if k > 0 {
                        pieces.push(PrintArg::Text(sep.clone()));
                    }
                    pieces.push(item);
                }
                let end = end.unwrap_or_else(|| "\n".to_string());
                if let Some(line) = end.strip_suffix('\n') {
                    pieces.push(PrintArg::Text(line.to_string()));
                } else {
                    pieces.push(PrintArg::Text(end));
                    self.prog.effects.push(Effect::Write(vec![concat(pieces)]));
                    return Value::None;
                }
                vec![concat(pieces)]
            }
        };
        self.prog.effects.push(Effect::Print(items));
        Value::None
    }

    /// Whether `v` holds a param group or an optimizer's state, which PyTorch
    /// prints as dicts keyed by tensors and graphc does not print (reported at `span`).
    pub(super) fn unprintable(&mut self, v: &Value, span: Span) -> bool {
        let dict = |v: &Value| matches!(v, Value::ParamGroup { .. } | Value::OptimizerState { .. });
        let held = match v {
            Value::List(items) | Value::Tuple(items) => items.iter().find(|(i, _)| dict(i)).map(|(i, _)| i),
            v => Some(v).filter(|v| dict(v)),
        };
        let Some(held) = held else { return false };
        let (what, help) = match held {
            Value::ParamGroup { defaults: false, .. } => ("a param group", "print one option, such as `param_group[\"lr\"]`"),
            Value::ParamGroup { defaults: true, .. } => ("an optimizer's defaults", "print one option, such as `opt.defaults[\"lr\"]`"),
            _ => ("an optimizer's state", "print one entry, such as `opt.state[w][\"exp_avg\"]`"),
        };
        self.error(Diagnostic::new(Code::E0107, format!("graphc does not print {what}"), span, what).with_help(help));
        true
    }

    /// How `print` shows a value: Python's `str()` of it.
    pub(super) fn print_arg(&mut self, v: Value) -> PrintArg {
        match v {
            // A module's parameter prints as `nn.Parameter.__repr__` does.
            Value::Tensor(n) if self.is_grad_leaf(n) && self.param_origins.contains(&self.origin(n)) => {
                concat(vec![PrintArg::Text("Parameter containing:\n".to_string()), PrintArg::Tensor { node: n, suffix: self.suffix(n) }])
            }
            Value::Tensor(n) => PrintArg::Tensor { node: n, suffix: self.suffix(n) },
            Value::Str(s) => PrintArg::Text(s),
            // Python prints an int exactly, whatever its size.
            Value::Number(super::Num::Int(i)) => PrintArg::Text(i.to_string()),
            Value::Number(super::Num::Float(value)) => PrintArg::Text(graphc_runtime::format::python_float_repr(value)),
            Value::Bool(b) => PrintArg::Text(if b { "True" } else { "False" }.to_string()),
            Value::None => PrintArg::None,
            Value::DType(d) => PrintArg::Text(d.torch_name().to_string()),
            Value::List(items) => {
                let parts = items.into_iter().map(|(v, _)| self.item_repr(v)).collect();
                joined("[", parts, "]")
            }
            Value::Tuple(items) => self.print_tuple(items),
            Value::Object { .. } => PrintArg::Text(self.object_repr(&v)),
            // `OrderedDict.__repr__`: `OrderedDict([(k, v), ...])`, or
            // `OrderedDict()` when empty.
            Value::Dict { keys, items, ordered: true } if keys.is_empty() && items.is_empty() => PrintArg::Text("OrderedDict()".to_string()),
            Value::Dict { keys, items, ordered } => {
                let parts = keys
                    .into_iter()
                    .zip(items)
                    .map(|(k, (v, _))| {
                        let (k, v) = (self.item_repr(k), self.item_repr(v));
                        match ordered {
                            true => {
                                concat(vec![PrintArg::Text("(".to_string()), k, PrintArg::Text(", ".to_string()), v, PrintArg::Text(")".to_string())])
                            }
                            false => concat(vec![k, PrintArg::Text(": ".to_string()), v]),
                        }
                    })
                    .collect();
                match ordered {
                    true => joined("OrderedDict([", parts, "])"),
                    false => joined("{", parts, "}"),
                }
            }
            Value::Named { kind, fields, items } => self.print_named(kind, fields, items),
            Value::Size(dims) => PrintArg::Text(super::tuples::torch_size(&dims)),
            // A run-time Python number prints as `str()` of it: `format(x, "")`.
            Value::Host { node, .. } => PrintArg::Scalar { node, spec: String::new() },
            Value::Text(pieces) => concat(pieces),
            Value::Optimizer(k) => self.optimizer_print(k),
            // PyTorch prints the group's dict with every parameter tensor in it.
            // `unprintable` refused it where it was printed.
            Value::ParamGroup { .. } | Value::OptimizerState { .. } => PrintArg::None,
            // Python adds the object's address, which no other run reproduces.
            Value::Scheduler(k) => PrintArg::Text(format!("<torch.optim.lr_scheduler.{} object>", self.optim.schedulers[k].name)),
            // Python adds the object's address, which no other run reproduces.
            Value::Generator(_) => PrintArg::Text("<torch._C.Generator object>".to_string()),
            // Python adds the object's address, which no other run reproduces.
            // Python's classes print as classes (`print(type(1.0))`, `print(float)`).
            Value::Func(name, _) if matches!(name.as_str(), "int" | "float" | "bool" | "str" | "list" | "tuple" | "dict") => {
                PrintArg::Text(format!("<class '{name}'>"))
            }
            Value::Func(name, _) if name == "Tensor" => PrintArg::Text("<class 'torch.Tensor'>".to_string()),
            Value::Func(name, _) => PrintArg::Text(format!("<function {name}>")),
            Value::Lambda(c) => match &c.def {
                super::lambdas::Def::Lambda(_) => PrintArg::Text("<function <lambda>>".to_string()),
                super::lambdas::Def::Fn(f) => PrintArg::Text(format!("<function {}>", f.name.name)),
                // Python shows the function and the bound arguments' reprs, with addresses.
                super::lambdas::Def::Partial { .. } => PrintArg::Text("<functools.partial object>".to_string()),
                super::lambdas::Def::Method { class, name } => PrintArg::Text(format!("<bound method {class}.{name}>")),
            },
            // As for functions, Python adds the node's address, which no run reproduces.
            Value::GradFn(name) => PrintArg::Text(format!("<{name} object>")),
            // Python adds the object's address here too.
            Value::Dataset(_) => PrintArg::Text("<torch.utils.data.dataset.TensorDataset object>".to_string()),
            Value::Loader(_) => PrintArg::Text("<torch.utils.data.dataloader.DataLoader object>".to_string()),
            Value::Appending(_) | Value::Poison => PrintArg::None,
        }
    }

    /// The `grad_fn=<...>` / `requires_grad=True` suffix PyTorch would print for node `n`.
    pub(super) fn suffix(&self, n: NodeId) -> TensorSuffix {
        if !self.requires_grad(n) {
            return TensorSuffix::default();
        }
        if self.is_grad_leaf(n) {
            return TensorSuffix { grad_fn: None, requires_grad: true };
        }
        let name = self.grad_fn.get(&n).cloned().unwrap_or_else(|| derived_grad_fn(&self.prog.graph.node(n).op).to_string());
        TensorSuffix { grad_fn: Some(name), requires_grad: true }
    }

    /// `plot(x, y)` or `plot(y)` (against 0..n-1, as matplotlib does).
    pub(super) fn plot(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        match self.series(bound, "plot", span) {
            Some((x, y, label, alpha)) => self.figure(FigureEffect::Plot { x, y, label, alpha }),
            None => Value::Poison,
        }
    }

    pub(super) fn figure(&mut self, fx: FigureEffect) -> Value {
        // Any call but a setting creates matplotlib's figure (`plt.gcf()`), which
        // fixes its size and dpi (`figure_settings.rs`).
        if !matches!(fx, FigureEffect::FigSize(..) | FigureEffect::Dpi(_) | FigureEffect::UnicodeMinus(_)) {
            self.figure_setup.started = true;
        }
        self.prog.effects.push(Effect::Figure(fx));
        Value::None
    }

    /// Checks a `savefig` path (already known to end in `.png` or `.svg`) before
    /// anything runs: a name that is only an extension, or a directory that does not
    /// exist (relative to the working directory, where the run writes it), would
    /// otherwise fail only after the whole run. Returns whether the path is usable.
    pub(super) fn check_figure_path(&mut self, path: &str, span: Span) -> bool {
        let p = std::path::Path::new(path);
        let name = p.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let (message, label, help) = if name.is_empty() || name == ".png" || name == ".svg" {
            (
                format!("`{path}` has no file name before its extension"),
                "no file name",
                "name the file, for example `savefig(\"figure.png\")`".to_string(),
            )
        } else {
            let dir = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => return true,
            };
            if dir.is_dir() {
                return true;
            }
            let what = if dir.exists() { "is not a directory" } else { "does not exist" };
            (
                format!("cannot save a figure as `{path}`: `{}` {what}", dir.display()),
                "no such directory",
                format!("create `{}` first, or save into an existing directory", dir.display()),
            )
        };
        self.error(Diagnostic::new(Code::E0504, message, span, label).with_help(help));
        false
    }
}
