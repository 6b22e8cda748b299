//! `torch.utils.data`'s `TensorDataset` and `DataLoader`, the way training
//! loops feed mini-batches:
//!
//! ```text
//! loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=true)
//! for epoch in range(10) {
//!     for xb, yb in loader { ... }
//! }
//! ```
//!
//! A `for` loop over a loader is compiled as PyTorch runs it: once, as a
//! region over the batch numbers (`for i in range(batches)`), whose body first
//! reads the batch. The statement is rewritten into that loop, as `row_loops.rs`
//! rewrites a loop over rows: the tensors and the pass's sample order are bound
//! to hidden names (with a space, which no program can write), and the body
//! starts with `xb, yb = (x[order[i * bs:(i + 1) * bs]], y[...])`. A batch's
//! values are those of PyTorch's `default_collate`, which stacks the samples'
//! rows: `x[order[...]]` gathers the same rows. A shorter last batch is the
//! slice that runs past the end, which `loops.rs` compiles with its own shape.
//!
//! Each pass draws from the default generator as PyTorch's does
//! (`DataOp::LoaderOrder`): the iterator's base seed, then, when shuffling,
//! the sampler's seed for a generator of its own and `randperm` from it, so
//! that a program's batches and every later draw match PyTorch's.

use graphc_runtime::op::DataOp;
use graphc_runtime::{DType, Op};

use super::dataset_objects::SampleForm;
use super::dyn_index::Sub;
use super::index::Item;
use super::{BodyKind, Lowerer, Num, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Arg, BinOp, Block, Expr, ExprKind, ForStmt, Ident, IndexItem, Span, Stmt, StmtKind};

/// A `DataLoader` over a `TensorDataset` or a dataset object.
#[derive(Clone, Debug)]
pub struct Loader {
    /// The dataset's tensors, each with one row per sample (a dataset
    /// object's samples, read once: `dataset_objects.rs`).
    pub tensors: Vec<NodeId>,
    /// What a sample is, so what a batch is: a list of tensors, a tensor
    /// (a dataset object whose `__getitem__` returns one), or a dict.
    pub form: SampleForm,
    /// The dataset object, which `loader.dataset` gives back; `None` for a `TensorDataset`.
    pub object: Option<Box<Value>>,
    pub batch_size: usize,
    pub shuffle: bool,
    pub drop_last: bool,
}

impl Loader {
    /// The options, as the region state keys a loader's kind.
    pub fn options(&self) -> String {
        format!("batch_size={} shuffle={} drop_last={}", self.batch_size, self.shuffle, self.drop_last)
    }
}

/// The hidden names of the rewritten code. Each is tagged with where the
/// loop (or `next(iter(...))`) stands in the source, so that a loop over a
/// loader inside another one has names of its own.
const ORDER: &str = "sample order of the loader";
const BATCH: &str = "batch number of the loader";
const INDEX: &str = "sample indices of the batch";
const TENSOR: &str = "tensor of the loader";

/// The options `DataLoader` takes that graphc reads, in PyTorch's order, and
/// those it accepts only at their defaults (which change nothing on one CPU
/// process: workers load the same batches, memory pinning only moves them).
const OPTIONS: [&str; 9] = ["dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers", "collate_fn", "pin_memory", "drop_last"];

impl Lowerer<'_> {
    /// `TensorDataset(*tensors)`: tensors of as many rows, at least one.
    pub(super) fn tensor_dataset(&mut self, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let mut tensors = Vec::new();
        let mut first: Option<(usize, Span)> = None;
        for (name, v, vs) in args {
            if let Some(name) = name {
                return self.error(
                    Diagnostic::new(Code::E0687, format!("`TensorDataset` takes no keyword argument `{}`", name.name), name.span, "not an argument")
                        .with_help("pass the tensors positionally, as in `TensorDataset(x, y)`"),
                );
            }
            let Some(t) = self.expect_tensor(v, vs, "each argument of `TensorDataset`") else { return Value::Poison };
            let Some(&rows) = self.shape_of(t).first() else {
                return self.error(
                    Diagnostic::new(Code::E0687, "a `TensorDataset` tensor must have a first dimension, one row per sample", vs, "a 0-d tensor")
                        .with_help("pass tensors whose first dimension counts the samples"),
                );
            };
            match first {
                None => first = Some((rows, vs)),
                Some((n, fs)) if n != rows => {
                    return self.error(
                        Diagnostic::new(Code::E0687, "Size mismatch between tensors", vs, format!("{rows} rows"))
                            .with_secondary(fs, format!("{n} rows"))
                            .with_help("each tensor of a dataset holds one row per sample: give them the same first dimension"),
                    );
                }
                Some(_) => {}
            }
            tensors.push(t);
        }
        if tensors.is_empty() {
            return self.error(
                Diagnostic::new(Code::E0687, "`TensorDataset` needs at least one tensor", span, "no tensors")
                    .with_help("pass the tensors of the samples, as in `TensorDataset(x, y)`"),
            );
        }
        Value::Dataset(tensors)
    }

    /// `DataLoader(dataset, batch_size=1, shuffle=false, ..., drop_last=false)`.
    pub(super) fn data_loader(&mut self, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let mut given: Vec<Option<(Value, Span)>> = vec![None; OPTIONS.len()];
        let mut positional = 0;
        for (name, v, vs) in args {
            let k = match &name {
                None => {
                    positional += 1;
                    positional - 1
                }
                Some(n) => match OPTIONS.iter().position(|o| *o == n.name) {
                    Some(k) => k,
                    None => {
                        let help = match n.name.as_str() {
                            "generator"
                            | "worker_init_fn"
                            | "timeout"
                            | "multiprocessing_context"
                            | "prefetch_factor"
                            | "persistent_workers"
                            | "pin_memory_device"
                            | "in_order" => "graphc's loaders draw from the default generator in one process; leave this option out".to_string(),
                            _ => format!("the options graphc reads are {}", OPTIONS.map(|o| format!("`{o}`")).join(", ")),
                        };
                        return self.error(
                            Diagnostic::new(Code::E0687, format!("`DataLoader` option `{}` is not supported", n.name), n.span, "not supported")
                                .with_help(help),
                        );
                    }
                },
            };
            if k >= OPTIONS.len() {
                return self.error(
                    Diagnostic::new(Code::E0687, "`DataLoader` takes too many positional arguments", vs, "one too many")
                        .with_help("name the options after the dataset and batch size, as in `DataLoader(ds, 64, shuffle=true)`"),
                );
            }
            given[k] = Some((v, vs));
        }
        let Some((dv, ds)) = given[0].take() else {
            return self.error(
                Diagnostic::new(Code::E0687, "`DataLoader` needs a dataset", span, "no dataset")
                    .with_help("pass one, as in `DataLoader(TensorDataset(x, y), 64)`"),
            );
        };
        let (tensors, form, object) = match dv {
            Value::Dataset(t) => (t, SampleForm::Fields, None),
            Value::Poison => return Value::Poison,
            obj @ Value::Object { .. } => match self.dataset_samples(obj.clone(), ds, span) {
                Some(s) => (s.tensors, s.form, Some(Box::new(obj))),
                None => return Value::Poison,
            },
            other => {
                return self.error(
                    Diagnostic::new(
                        Code::E0687,
                        format!("a `DataLoader`'s dataset must be a `TensorDataset` or a `Dataset` object, not {}", other.describe()),
                        ds,
                        "not a dataset",
                    )
                    .with_help(
                        "wrap the tensors of the samples (`TensorDataset(x, y)`), or pass an object of a class with `__len__` and `__getitem__`",
                    ),
                )
            }
        };
        let batch_size = match given[1].take() {
            None => 1,
            Some((Value::Number(Num::Int(b)), _)) if b >= 1 => usize::try_from(b).unwrap_or(usize::MAX),
            Some((v, vs)) => {
                let got = match v {
                    Value::Number(Num::Int(b)) => format!("batch_size={b}"),
                    other => other.describe().to_string(),
                };
                return self.error(
                    Diagnostic::new(
                        Code::E0687,
                        format!("`batch_size` must be a positive integer known when compiling, not {got}"),
                        vs,
                        "not a batch size",
                    )
                    .with_help("pass the number of samples per batch, as in `batch_size=64`"),
                );
            }
        };
        let mut flags = [false; 2];
        for (slot, k) in [(0, 2), (1, 8)] {
            flags[slot] = match given[k].take() {
                None | Some((Value::None, _)) => false,
                Some((Value::Bool(b), _)) => b,
                Some((v, vs)) => {
                    return self.error(
                        Diagnostic::new(Code::E0687, format!("`{}` must be `true` or `false`, not {}", OPTIONS[k], v.describe()), vs, "not a bool")
                            .with_help("graphc decides the order of the batches when compiling: pass a bool literal"),
                    );
                }
            };
        }
        // Workers and pinned memory change where batches are loaded, not what they hold.
        if let Some((v, vs)) = given[5].take() {
            if !matches!(v, Value::Number(Num::Int(w)) if w >= 0) {
                return self.error(
                    Diagnostic::new(Code::E0687, format!("`num_workers` must be a non-negative integer, not {}", v.describe()), vs, "not a count")
                        .with_help("leave it out: graphc loads every batch in its own process"),
                );
            }
        }
        if let Some((v, vs)) = given[7].take() {
            if !matches!(v, Value::Bool(_)) {
                return self.error(
                    Diagnostic::new(Code::E0687, format!("`pin_memory` must be `true` or `false`, not {}", v.describe()), vs, "not a bool")
                        .with_help("leave it out: graphc runs on the CPU"),
                );
            }
        }
        for k in [3, 4, 6] {
            if let Some((v, vs)) = given[k].take() {
                if !matches!(v, Value::None) {
                    return self.error(
                        Diagnostic::new(Code::E0687, format!("`DataLoader` option `{}` is not supported", OPTIONS[k]), vs, "not supported")
                            .with_help("batches are the dataset's rows in order, or shuffled with `shuffle=true`, stacked as PyTorch's default collate stacks them"),
                    );
                }
            }
        }
        Value::Loader(Loader { tensors, form, object, batch_size, shuffle: flags[0], drop_last: flags[1] })
    }

    /// `random_split(dataset, lengths, generator=none)`:
    /// `torch.utils.data.random_split`, with the default generator or one of
    /// the program's own (`generators.rs`). `lengths` are counts that add up to the
    /// dataset's, or fractions that add up to 1, made counts as PyTorch makes
    /// them (each `floor(n * f)`, the remainder handed out one by one from the
    /// first). The split draws `randperm(n)` and each part is a dataset of
    /// the rows its run of the permutation names, in that order (PyTorch's
    /// `Subset`, whose samples are the same rows).
    pub(super) fn random_split(&mut self, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let mut dataset = None;
        let mut lengths = None;
        let mut generator = None;
        for (k, (name, v, vs)) in args.into_iter().enumerate() {
            match (name.as_ref().map(|n| n.name.as_str()), k) {
                (None, 0) | (Some("dataset"), _) => dataset = Some((v, vs)),
                (None, 1) | (Some("lengths"), _) => lengths = Some((v, vs)),
                (None, 2) | (Some("generator"), _) => match v {
                    Value::Generator(g) => generator = Some((g, vs)),
                    Value::Poison => return Value::Poison,
                    other => {
                        return self.error(
                            Diagnostic::new(
                                Code::E0687,
                                format!("`random_split`'s `generator` is a `Generator()`, not {}", other.describe()),
                                vs,
                                "not a generator",
                            )
                            .with_help("pass `generator=Generator().manual_seed(42)`, or leave it out to draw from the default generator"),
                        )
                    }
                },
                (Some(other), _) => {
                    return self.error(
                        Diagnostic::new(Code::E0687, format!("`random_split` takes no argument `{other}` in graphc"), vs, "not supported")
                            .with_help("pass the dataset, the lengths and a generator, as in `random_split(ds, [1200, 300])`"),
                    );
                }
                (None, _) => {
                    return self.error(
                        Diagnostic::new(Code::E0687, "`random_split` takes a dataset, the lengths and a generator", vs, "one argument too many")
                            .with_help("pass the dataset and the lengths, as in `random_split(ds, [1200, 300])`"),
                    )
                }
            }
        }
        let (Some((dv, ds)), Some((lv, ls))) = (dataset, lengths) else {
            return self.error(
                Diagnostic::new(Code::E0687, "`random_split` needs a dataset and the lengths", span, "missing an argument")
                    .with_help("pass both, as in `random_split(ds, [1200, 300])`"),
            );
        };
        let tensors = match dv {
            Value::Dataset(t) => t,
            Value::Poison => return Value::Poison,
            // A part of a dataset object is PyTorch's `Subset` of it: the same samples.
            obj @ Value::Object { .. } => match self.dataset_samples(obj, ds, span) {
                Some(s) if s.form == SampleForm::Fields => s.tensors,
                Some(_) => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0687,
                            "`random_split` of a dataset whose samples are single tensors or dicts is not supported",
                            ds,
                            "its samples",
                        )
                        .with_help("return a tuple from `__getitem__` (`return (x,)`), or split the tensor itself"),
                    )
                }
                None => return Value::Poison,
            },
            other => {
                return self.error(
                    Diagnostic::new(
                        Code::E0687,
                        format!("`random_split` splits a `TensorDataset` or a `Dataset` object, not {}", other.describe()),
                        ds,
                        "not a dataset",
                    )
                    .with_help("wrap the tensors of the samples: `TensorDataset(x, y)`"),
                )
            }
        };
        let n = self.shape_of(tensors[0])[0];
        let numbers: Option<Vec<Num>> = match &lv {
            Value::List(items) | Value::Tuple(items) => items.iter().map(|(v, _)| if let Value::Number(x) = v { Some(*x) } else { None }).collect(),
            _ => None,
        };
        let Some(numbers) = numbers.filter(|v| !v.is_empty()) else {
            return self.error(
                Diagnostic::new(
                    Code::E0687,
                    format!("`random_split`'s lengths must be a list of numbers known when compiling, not {}", lv.describe()),
                    ls,
                    "not lengths",
                )
                .with_help("pass counts that add up to the dataset's length, or fractions that add up to 1"),
            );
        };
        let total: f64 = numbers.iter().map(|x| x.f64()).sum();
        let mut counts: Vec<i128> = numbers.iter().map(|x| if let Num::Int(i) = x { *i } else { -1 }).collect();
        // PyTorch's fractions: `math.isclose(sum(lengths), 1) and sum(lengths) <= 1`.
        if (total - 1.0).abs() <= 1e-9 * total.abs().max(1.0) && total <= 1.0 {
            if let Some(bad) = numbers.iter().find(|f| !(0.0..=1.0).contains(&f.f64())) {
                return self.error(
                    Diagnostic::new(
                        Code::E0687,
                        format!("Fraction at index {} is not between 0 and 1", numbers.iter().position(|f| f == bad).unwrap_or(0)),
                        ls,
                        "not a fraction",
                    )
                    .with_help("give each part a fraction between 0 and 1"),
                );
            }
            counts = numbers.iter().map(|f| (n as f64 * f.f64()).floor() as i128).collect();
            let remainder = n as i128 - counts.iter().sum::<i128>();
            let parts = counts.len();
            for i in 0..remainder.max(0) as usize {
                counts[i % parts] += 1;
            }
        }
        if counts.iter().any(|&c| c < 0) || counts.iter().sum::<i128>() != n as i128 {
            return self.error(
                Diagnostic::new(
                    Code::E0687,
                    "Sum of input lengths does not equal the length of the input dataset!",
                    ls,
                    format!("the dataset has {n} samples"),
                )
                .with_help("give counts that add up to the dataset's length, or fractions that add up to 1"),
            );
        }
        // A generator of the program's own draws now; the default one at run time.
        let perm = match generator {
            Some((g, gs)) => match self.generator_randperm(g, n, gs) {
                Some(perm) => perm,
                None => return Value::Poison,
            },
            None => self.node(Op::Data(DataOp::Randperm), DType::I64, vec![n], &[], span),
        };
        let mut parts = Vec::new();
        let mut offset = 0i64;
        for &c in &counts {
            let window = Item::Slice { start: Some(offset), stop: Some(offset + c as i64), step: 1 };
            offset += c as i64;
            let Value::Tensor(ids) = self.index_tensor(perm, vec![window], 1, span) else { return Value::Poison };
            let mut part = Vec::new();
            for &t in &tensors {
                match self.integer_tensor_index(t, ids, span, span) {
                    Value::Tensor(rows) => part.push(rows),
                    _ => return Value::Poison,
                }
            }
            parts.push((Value::Dataset(part), span));
        }
        Value::List(parts)
    }

    /// The sample order of one pass, with the pass's draws (an effect at this
    /// place of the program, as PyTorch draws when a pass begins).
    fn pass_order(&mut self, l: &Loader, span: Span) -> NodeId {
        let n = self.loader_samples(l);
        self.node(Op::Data(DataOp::LoaderOrder { shuffle: l.shuffle }), DType::I64, vec![n], &[], span)
    }

    /// How many samples the loader's dataset has.
    pub(super) fn loader_samples(&self, l: &Loader) -> usize {
        self.shape_of(l.tensors[0])[0]
    }

    /// `len(loader)`: how many batches one pass gives.
    pub(super) fn loader_batches(&self, l: &Loader) -> usize {
        let n = self.loader_samples(l);
        if l.drop_last {
            n / l.batch_size
        } else {
            n.div_ceil(l.batch_size)
        }
    }

    /// `loader.dataset`, `loader.batch_size`, `loader.drop_last`, `dataset.tensors`.
    pub(super) fn loader_field(&mut self, recv: &Value, field: &Ident) -> Option<Value> {
        let v = match (recv, field.name.as_str()) {
            (Value::Loader(l), "dataset") => match &l.object {
                Some(obj) => self.current_value((**obj).clone()),
                None => Value::Dataset(l.tensors.clone()),
            },
            (Value::Loader(l), "batch_size") => Value::Number(Num::Int(l.batch_size as i128)),
            (Value::Loader(l), "drop_last") => Value::Bool(l.drop_last),
            (Value::Dataset(t), "tensors") => Value::Tuple(t.iter().map(|&n| (Value::Tensor(n), field.span)).collect()),
            (Value::Loader(_) | Value::Dataset(_), _) => {
                let fields = if matches!(recv, Value::Loader(_)) { "`dataset`, `batch_size` and `drop_last`" } else { "`tensors`" };
                return Some(
                    self.error(
                        Diagnostic::new(
                            Code::E0102,
                            format!("{} has no field `{}` in graphc", recv.describe(), field.name),
                            field.span,
                            "unknown field",
                        )
                        .with_help(format!("its fields are {fields}")),
                    ),
                );
            }
            _ => return None,
        };
        Some(v)
    }

    /// `dataset[...]`: a tuple with each tensor's `tensor[...]`, the
    /// subscript evaluated once (a sample `ds[i]`, a batch `ds[i * bs:(i + 1)
    /// * bs]` at a run-time `i`, rows `ds[ids]` of an i64 tensor).
    pub(super) fn dataset_index(&mut self, tensors: Vec<NodeId>, items: &[IndexItem], scope: &mut Scope, span: Span) -> Value {
        let tuple = |parts: Vec<Value>| {
            if parts.iter().any(|p| matches!(p, Value::Poison)) {
                return Value::Poison;
            }
            Value::Tuple(parts.into_iter().map(|p| (p, span)).collect())
        };
        if let [IndexItem::Expr(e)] = items {
            let v = self.expr(e, scope);
            if let Value::Tensor(ids) = v {
                if self.dtype_of(ids) == DType::I64 {
                    let parts = tensors.iter().map(|&t| self.integer_tensor_index(t, ids, e.span, span)).collect();
                    return tuple(parts);
                }
            }
            let parts = match self.expr_sub(v, e.span) {
                Some(Sub::Static(item)) => tensors.iter().map(|&t| self.index_tensor(t, vec![item.clone()], 1, span)).collect(),
                Some(dynamic @ Sub::Dyn { .. }) => tensors.iter().map(|&t| self.index_dynamic(t, vec![dynamic.clone()], span)).collect(),
                Some(_) => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0687,
                            "a dataset is indexed by an integer, a slice or an i64 tensor of samples",
                            e.span,
                            "not a sample index",
                        )
                        .with_help("pick samples as `ds[i]`, `ds[a:b]` or `ds[ids]`"),
                    )
                }
                None => return Value::Poison,
            };
            return tuple(parts);
        }
        let Some(subs) = self.subscript_items(items, scope, false) else { return Value::Poison };
        if subs.iter().any(|s| !matches!(s, Sub::Static(_))) {
            let parts = tensors.iter().map(|&t| self.index_dynamic(t, subs.clone(), span)).collect();
            return tuple(parts);
        }
        let evaluated: Vec<Item> = subs.into_iter().filter_map(|s| if let Sub::Static(i) = s { Some(i) } else { None }).collect();
        let parts = tensors.iter().map(|&t| self.index_tensor(t, evaluated.clone(), items.len(), span)).collect();
        tuple(parts)
    }

    /// `next(iter(loader))`: the first batch of a pass of its own, with the
    /// pass's draws (PyTorch's iterator draws them when it is made and asked
    /// for its first batch).
    pub(super) fn first_batch(&mut self, v: Value, vs: Span, scope: &mut Scope, span: Span) -> Value {
        let l = match v {
            Value::Loader(l) => l,
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(
                        Code::E0687,
                        format!("`next(iter(...))` takes a `DataLoader` in graphc, not {}", other.describe()),
                        vs,
                        "not a data loader",
                    )
                    .with_help("index a list or tuple (`xs[0]`), or loop over it"),
                )
            }
        };
        let order = self.pass_order(&l, span);
        let e = Rewrite { at: span, bs: l.batch_size as i64 };
        let zero = e.int(0);
        let batch = e.batch(&l, zero);
        let hidden = self.bind_hidden(&e, &l, order, scope, None);
        let v = match l.shuffle {
            // The window's indices first, as the loop reads them.
            true => {
                let read = e.index(e.name(ORDER), e.window(e.int(0)));
                let ids = self.expr(&read, scope);
                scope.names.insert(e.hidden(INDEX, None), ids);
                self.expr(&batch, scope)
            }
            false => self.expr(&batch, scope),
        };
        for h in &hidden {
            scope.names.remove(h);
            self.globals.remove(h);
        }
        v
    }

    /// The batches of one pass, each a list of one tensor per dataset tensor,
    /// for a comprehension that unrolls the pass: the pass's draws, then each
    /// batch's rows (a slice, or the rows its window of the order names).
    pub(super) fn unrolled_pass(&mut self, l: Loader, span: Span) -> Vec<(Value, Span)> {
        let order = self.pass_order(&l, span);
        let bs = l.batch_size as i64;
        let mut batches = Vec::new();
        for b in 0..self.loader_batches(&l) as i64 {
            let window = Item::Slice { start: Some(b * bs), stop: Some((b + 1) * bs), step: 1 };
            let ids = match l.shuffle {
                true => match self.index_tensor(order, vec![window.clone()], 1, span) {
                    Value::Tensor(ids) => Some(ids),
                    _ => return Vec::new(),
                },
                false => None,
            };
            let parts = l
                .tensors
                .iter()
                .map(|&t| match ids {
                    Some(ids) => (self.integer_tensor_index(t, ids, span, span), span),
                    None => (self.index_tensor(t, vec![window.clone()], 1, span), span),
                })
                .collect();
            let batch: Vec<(Value, Span)> = parts;
            batches.push(match &l.form {
                SampleForm::Single => batch.into_iter().next().expect("a loader has a tensor"),
                SampleForm::Fields => (Value::List(batch), span),
                SampleForm::Dict(keys) => {
                    (Value::Dict { keys: keys.iter().map(|k| Value::Str(k.clone())).collect(), items: batch, ordered: false }, span)
                }
            });
        }
        batches
    }

    /// Binds the loader's tensors and the pass's order to their hidden names;
    /// returns every hidden name the rewritten code may bind.
    /// With `kind`, the names are bound as the loop's statements bind names;
    /// without, only in `scope`, for one expression read at once.
    fn bind_hidden(&mut self, e: &Rewrite, l: &Loader, order: NodeId, scope: &mut Scope, kind: Option<BodyKind>) -> Vec<String> {
        let mut hidden: Vec<String> = vec![e.hidden(ORDER, None), e.hidden(BATCH, None), e.hidden(INDEX, None)];
        let values = l.tensors.iter().enumerate().map(|(k, &t)| (e.hidden(TENSOR, Some(k)), t)).chain([(e.hidden(ORDER, None), order)]);
        for (name, t) in values {
            match kind {
                Some(kind) => self.bind(&name, Value::Tensor(t), scope, kind),
                None => {
                    scope.names.insert(name.clone(), Value::Tensor(t));
                }
            }
            hidden.push(name);
        }
        hidden
    }

    /// `for var in loader { body }` (and, with `count_from`, `for var in
    /// enumerate(loader, start)`): the loop over the batch numbers described in
    /// this file's comment.
    pub(super) fn loader_loop(&mut self, f: &ForStmt, l: Loader, count_from: Option<i64>, scope: &mut Scope, kind: BodyKind) {
        let at = f.iter.span;
        let batches = self.loader_batches(&l);
        // The pass's draws happen when the loop starts, as PyTorch's happen when
        // the iterator is made and the first batch is asked for.
        let order = self.pass_order(&l, at);
        let e = Rewrite { at, bs: l.batch_size as i64 };
        let mut stmts = Vec::new();
        if l.shuffle {
            let read = e.index(e.name(ORDER), e.window(e.name(BATCH)));
            stmts.push(Stmt { kind: StmtKind::Assign { target: Ident { name: e.hidden(INDEX, None), span: at }, value: read }, span: at });
        }
        let batch = e.batch(&l, e.name(BATCH));
        let value = match count_from {
            None => batch,
            Some(start) => Expr { kind: ExprKind::Tuple(vec![e.binary(BinOp::Add, e.name(BATCH), e.int(start)), batch]), span: at },
        };
        stmts.push(Stmt { kind: StmtKind::Assign { target: f.var.clone(), value }, span: at });
        stmts.extend(f.body.stmts.iter().cloned());
        let range = Expr {
            kind: ExprKind::Call {
                callee: Ident { name: "range".to_string(), span: at },
                args: vec![Arg { name: None, value: e.int(batches as i64) }],
            },
            span: at,
        };
        let rewritten =
            ForStmt { var: Ident { name: e.hidden(BATCH, None), span: f.var.span }, iter: range, body: Block { stmts, span: f.body.span } };
        let hidden = self.bind_hidden(&e, &l, order, scope, Some(kind));
        self.for_stmt(&rewritten, scope, kind);
        for h in &hidden {
            scope.names.remove(h);
            self.globals.remove(h);
        }
    }
}

/// Builds the expressions of the rewritten code, all at one span, and its
/// hidden names, tagged with the span's start.
struct Rewrite {
    at: Span,
    bs: i64,
}

impl Rewrite {
    /// The hidden name `base` of this rewrite (`k`: which dataset tensor).
    fn hidden(&self, base: &str, k: Option<usize>) -> String {
        match k {
            Some(k) => format!("{base} {k} @{}", self.at.start),
            None => format!("{base} @{}", self.at.start),
        }
    }

    fn name(&self, s: &str) -> Expr {
        Expr { kind: ExprKind::Name(self.hidden(s, None)), span: self.at }
    }

    fn int(&self, v: i64) -> Expr {
        Expr { kind: ExprKind::Number { value: v as f64, is_int: true, exact: Some(v as i128) }, span: self.at }
    }

    fn binary(&self, op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
        Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span: self.at }
    }

    fn index(&self, receiver: Expr, item: IndexItem) -> Expr {
        Expr { kind: ExprKind::Index { receiver: Box::new(receiver), items: vec![item] }, span: self.at }
    }

    /// `[batch * bs:(batch + 1) * bs]`.
    fn window(&self, batch: Expr) -> IndexItem {
        IndexItem::Slice {
            start: Some(Box::new(self.binary(BinOp::Mul, batch.clone(), self.int(self.bs)))),
            stop: Some(Box::new(self.binary(BinOp::Mul, self.binary(BinOp::Add, batch, self.int(1)), self.int(self.bs)))),
            step: None,
            span: self.at,
        }
    }

    /// The batch as `default_collate` gives it for a dataset of tuples: a list
    /// with one tensor per dataset tensor (for samples that are one tensor, the
    /// tensor). Unshuffled batches are slices of the tensors; shuffled ones
    /// gather the rows the window of the order names.
    fn batch(&self, l: &Loader, batch: Expr) -> Expr {
        let item = || match l.shuffle {
            true => IndexItem::Expr(self.name(INDEX)),
            false => self.window(batch.clone()),
        };
        let tensor = |k: usize| Expr { kind: ExprKind::Name(self.hidden(TENSOR, Some(k))), span: self.at };
        let fields = (0..l.tensors.len()).map(|k| self.index(tensor(k), item()));
        let kind = match &l.form {
            SampleForm::Single => return self.index(tensor(0), item()),
            SampleForm::Fields => ExprKind::List(fields.collect()),
            SampleForm::Dict(keys) => {
                ExprKind::Dict(keys.iter().map(|k| Expr { kind: ExprKind::Str(k.clone()), span: self.at }).zip(fields).collect())
            }
        };
        Expr { kind, span: self.at }
    }
}
