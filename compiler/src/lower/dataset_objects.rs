//! A `Dataset` written as a class, the way published training scripts feed
//! their loaders:
//!
//! ```text
//! class Digits(Dataset) {
//!     fn __init__(self, x, y) { self.x = x; self.y = y }
//!     fn __len__(self) { return len(self.y) }
//!     fn __getitem__(self, idx) { return self.x[idx].view(8, 8), self.y[idx] }
//! }
//! loader = DataLoader(Digits(x, y), batch_size=64, shuffle=true)
//! ```
//!
//! `len(ds)` and `ds[i]` call the methods (`host_math.rs`, `index.rs`). A
//! loader (or `random_split`) over such a dataset first reads every sample
//! once, in a loop compiled once like any other (`for i in range(1, n)`,
//! whose body is `ds[i]` stored into row `i` of one tensor per field), and
//! then batches those rows as it batches a `TensorDataset`'s. PyTorch calls
//! `__getitem__` again for each batch; the rows are the same as long as
//! `__getitem__` reads its object and computes from it, which is what a
//! dataset's method does. A `__getitem__` that draws random numbers
//! (augmentation) would draw them at other times than PyTorch's, so it is
//! refused (E0687) rather than run with other numbers.
//!
//! A sample is a tensor, or a tuple (or list) or a dict (of string keys) of
//! tensors and Python numbers, which `default_collate` stacks field by field: a
//! number becomes an i64 (int), f64 (float) or bool tensor of the batch's
//! numbers, as PyTorch's does, and a batch of dicts is a dict.

use graphc_runtime::op::Scalar;
use graphc_runtime::{DType, Op};

use super::{BodyKind, HostKind, Lowerer, Num, Scope, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Arg, Block, Expr, ExprKind, ForStmt, Ident, IndexItem, Span, Stmt, StmtKind};

/// The samples of a dataset object, one tensor per field with a row per sample.
pub(super) struct Samples {
    pub tensors: Vec<NodeId>,
    pub form: SampleForm,
}

/// What a dataset's sample is, and so what `default_collate` makes a batch.
#[derive(Clone, Debug, PartialEq)]
pub enum SampleForm {
    /// A tuple or list of fields: a batch is a list of one tensor per field.
    Fields,
    /// One tensor: a batch is a tensor.
    Single,
    /// A dict of string keys (a tokenizer's `{"input_ids": ..., "label": ...}`):
    /// a batch is a dict of one tensor per key.
    Dict(Vec<String>),
}

/// Hidden names of the reading loop (with spaces, which no program can write).
const OBJECT: &str = "dataset object";
const SAMPLE: &str = "sample of the dataset";
const ROWS: &str = "rows of the dataset";
const INDEX: &str = "sample index of the dataset";

impl Lowerer<'_> {
    /// Every sample of dataset object `obj` (at `os`), read as described above;
    /// `None` after an error.
    pub(super) fn dataset_samples(&mut self, obj: Value, os: Span, span: Span) -> Option<Samples> {
        let Value::Object { class, .. } = &obj else { return None };
        let class = class.clone();
        if self.find_method(&class, "__getitem__").is_none() || self.find_method(&class, "__len__").is_none() {
            self.error(
                Diagnostic::new(Code::E0687, format!("a `DataLoader`'s dataset `{class}` needs `__len__` and `__getitem__`"), os, "not a dataset")
                    .with_help("define `fn __len__(self)` (the number of samples) and `fn __getitem__(self, idx)` (one sample) in the class"),
            );
            return None;
        }
        let n = match self.len(&obj, os) {
            Value::Number(Num::Int(n)) if n >= 1 => n as usize,
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(
                        Code::E0687,
                        format!("a dataset's `__len__` must be a positive int known when compiling, not {}", other.describe()),
                        os,
                        "its length",
                    )
                    .with_help("return the number of samples from the tensors' shapes, as in `return len(self.y)`"),
                );
                return None;
            }
        };
        let effects_before = self.prog.effects.len();
        let mut scope = Scope { reads_globals: true, ..Scope::default() };
        scope.names.insert(OBJECT.to_string(), obj);
        let at = |kind| Expr { kind, span };
        let name = |n: &str| at(ExprKind::Name(n.to_string()));
        let int = |v: i64| at(ExprKind::Number { value: v as f64, is_int: true, exact: Some(v as i128) });
        let sample = |i: Expr| at(ExprKind::Index { receiver: Box::new(name(OBJECT)), items: vec![IndexItem::Expr(i)] });
        // Sample 0 first, which gives the fields' shapes and dtypes.
        let first = self.expr(&sample(int(0)), &mut scope);
        let dict_keys =
            |keys: &[Value]| keys.iter().map(|k| if let Value::Str(s) = k { Some(s.clone()) } else { None }).collect::<Option<Vec<String>>>();
        let (fields, form) = match first {
            Value::Poison => return None,
            Value::Tuple(items) | Value::List(items) if !items.is_empty() => (items, SampleForm::Fields),
            v @ Value::Tensor(_) => (vec![(v, span)], SampleForm::Single),
            Value::Dict { keys, items, .. } if !items.is_empty() && dict_keys(&keys).is_some() => {
                (items, SampleForm::Dict(dict_keys(&keys).expect("checked by the guard")))
            }
            other => {
                self.error(
                    Diagnostic::new(
                        Code::E0687,
                        format!(
                            "a dataset's sample must be a tensor, or a tuple or dict (of string keys) of tensors and numbers, not {}",
                            other.describe()
                        ),
                        os,
                        "its samples",
                    )
                    .with_help("return the sample's tensors from `__getitem__`, as in `return self.x[idx], self.y[idx]`"),
                );
                return None;
            }
        };
        let mut stmts = Vec::new();
        for (k, (v, _)) in fields.iter().enumerate() {
            let (dtype, shape) = match v {
                Value::Tensor(t) if self.requires_grad(*t) => {
                    self.error(
                        Diagnostic::new(Code::E0687, format!("field {k} of a dataset's sample requires grad"), os, "its samples")
                            .with_help("a dataset's samples are data: compute them from tensors that do not require grad, or `.detach()` them"),
                    );
                    return None;
                }
                Value::Tensor(t) => (self.dtype_of(*t), self.shape_of(*t)),
                Value::Number(Num::Int(_)) | Value::Host { kind: HostKind::Int, .. } => (DType::I64, vec![]),
                Value::Number(Num::Float(_)) | Value::Host { kind: HostKind::Float, .. } => (DType::F64, vec![]),
                Value::Bool(_) | Value::Host { kind: HostKind::Bool, .. } => (DType::Bool, vec![]),
                other => {
                    self.error(
                        Diagnostic::new(
                            Code::E0687,
                            format!("field {k} of a dataset's sample is {}, which a loader cannot stack", other.describe()),
                            os,
                            "its samples",
                        )
                        .with_help("return tensors and numbers from `__getitem__`"),
                    );
                    return None;
                }
            };
            let rows = self.node(Op::Full(Scalar::of(0.0, dtype)), dtype, [vec![n], shape].concat(), &[], span);
            scope.names.insert(format!("{ROWS} {k}"), Value::Tensor(rows));
            scope.names.insert(format!("{SAMPLE} 0 {k}"), v.clone());
            stmts.push(store(k, int(0), name(&format!("{SAMPLE} 0 {k}")), span));
        }
        // Then the others, in a loop compiled once.
        if n > 1 {
            let mut body =
                vec![Stmt { kind: StmtKind::Assign { target: Ident { name: SAMPLE.to_string(), span }, value: sample(name(INDEX)) }, span }];
            for k in 0..fields.len() {
                let field = match &form {
                    SampleForm::Single => name(SAMPLE),
                    SampleForm::Fields => at(ExprKind::Index { receiver: Box::new(name(SAMPLE)), items: vec![IndexItem::Expr(int(k as i64))] }),
                    SampleForm::Dict(keys) => {
                        at(ExprKind::Index { receiver: Box::new(name(SAMPLE)), items: vec![IndexItem::Expr(at(ExprKind::Str(keys[k].clone())))] })
                    }
                };
                body.push(store(k, name(INDEX), field, span));
            }
            let range = at(ExprKind::Call {
                callee: Ident { name: "range".to_string(), span },
                args: vec![Arg { name: None, value: int(1) }, Arg { name: None, value: int(n as i64) }],
            });
            let f = ForStmt { var: Ident { name: INDEX.to_string(), span }, iter: range, body: Block { stmts: body, span } };
            stmts.push(Stmt { kind: StmtKind::For(f), span });
        }
        if !self.enter("Dataset.__getitem__", span) {
            return None;
        }
        let outer = self.no_grad;
        self.no_grad = true;
        self.block(&Block { stmts, span }, &mut scope, BodyKind::Fn);
        self.no_grad = outer;
        self.call_stack.pop();
        if self.prog.draws_in(&self.prog.effects[effects_before..]) {
            self.error(Diagnostic::new(Code::E0687, format!("`{class}.__getitem__` draws random numbers"), os, "its samples").with_help(
                "graphc reads a dataset's samples once, so its draws would not be PyTorch's: draw the augmentation in the training loop instead",
            ));
            return None;
        }
        let mut tensors = Vec::new();
        for k in 0..fields.len() {
            match scope.names.get(&format!("{ROWS} {k}")).cloned().map(|v| self.current_value(v)) {
                Some(Value::Tensor(t)) => tensors.push(t),
                _ => return None,
            }
        }
        Some(Samples { tensors, form })
    }
}

/// `rows k[index] = value`.
fn store(k: usize, index: Expr, value: Expr, span: Span) -> Stmt {
    let target = Expr {
        kind: ExprKind::Index { receiver: Box::new(Expr { kind: ExprKind::Name(format!("{ROWS} {k}")), span }), items: vec![IndexItem::Expr(index)] },
        span,
    };
    Stmt { kind: StmtKind::Store { target, value }, span }
}
