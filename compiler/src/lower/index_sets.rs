//! Builtins whose results are sets of positions or of element tuples, known
//! when compiling: `tril_indices(row, col, offset=0)` and `triu_indices`
//! (ATen's row-major lists of the (row, column) pairs on or below (above) the
//! `offset` diagonal, as a `[2, N]` i64 tensor), `cartesian_prod(*tensors)`
//! (ATen's `meshgrid` of 1-d tensors, each grid flattened, stacked as
//! columns; one tensor is itself) and `combinations(input, r=2,
//! with_replacement=false)` (the `r`-element combinations of a 1-d tensor's
//! elements in lexicographic order of their positions, as ATen's masks of
//! `meshgrid` select them, stacked as columns). The tuples are gathered from
//! the input, so gradients flow to it.

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// The most positions a `tril_indices`-like call may list: past it the
/// program would hold a table larger than any model needs (E0107).
const MAX_POSITIONS: usize = 1 << 22;

fn int(i: i64) -> Value {
    Value::Number(Num::Int(i as i128))
}

impl Lowerer<'_> {
    /// An i64 tensor of `rows` lists of integers (a `[rows.len(), n]` tensor).
    fn i64_table(&mut self, rows: &[Vec<i64>], span: Span) -> Option<NodeId> {
        let list = Value::List(rows.iter().map(|r| (Value::List(r.iter().map(|&i| (int(i), span)).collect()), span)).collect());
        if rows.first().is_some_and(|r| r.is_empty()) {
            let n = rows.len() as i64;
            return self.tensor_call_kw("zeros", vec![int(n), int(0)], vec![("dtype", Value::DType(graphc_runtime::DType::I64))], span);
        }
        self.tensor_call("tensor", vec![list], span)
    }

    /// `tril_indices(row, col, offset=0)`, or `triu_indices` when `upper`.
    pub(super) fn tri_indices_call(&mut self, upper: bool, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let mut nums = Vec::new();
        for (i, what) in ["row", "col", "offset"].iter().enumerate() {
            let n = match bound.positional.get(i).cloned().flatten() {
                None => 0,
                Some((Value::Number(Num::Int(n)), _)) if n.abs() < 1 << 40 => n as i64,
                Some((Value::Poison, _)) => return Value::Poison,
                Some((other, s)) => {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("`{name}`'s {what} must be an integer, not {}", other.describe()), s, "not an integer")
                            .with_help(format!("write `{name}(3, 3)`")),
                    )
                }
            };
            nums.push(n);
        }
        let (row, col, offset) = (nums[0], nums[1], nums[2]);
        if row < 0 || col < 0 {
            let at = bound.positional[0].as_ref().map_or(span, |(_, s)| *s);
            return self.error(
                Diagnostic::new(Code::E0107, format!("row must be non-negative, got{row}; col must be non-negative, got {col}"), at, "negative size")
                    .with_help("give the matrix's row and column counts"),
            );
        }
        let (mut rows, mut cols) = (Vec::new(), Vec::new());
        for i in 0..row {
            for j in 0..col {
                if (upper && j - i >= offset) || (!upper && j - i <= offset) {
                    rows.push(i);
                    cols.push(j);
                    if rows.len() > MAX_POSITIONS {
                        return self.error(
                            Diagnostic::new(
                                Code::E0107,
                                format!("`{name}` of a {row}x{col} matrix lists more than {MAX_POSITIONS} positions"),
                                span,
                                "too many",
                            )
                            .with_help("take the positions of a smaller matrix, or compute a mask with `tril`/`triu`"),
                        );
                    }
                }
            }
        }
        self.i64_table(&[rows, cols], span).map_or(Value::Poison, Value::Tensor)
    }

    /// The 1-d tensors of `cartesian_prod` or `combinations`, checked.
    fn one_d(&mut self, v: Value, s: Span, name: &str) -> Option<NodeId> {
        let t = self.expect_tensor(v, s, &format!("each tensor given to `{name}`"))?;
        if self.shape_of(t).len() != 1 {
            self.size_error(format!("Expect a 1D vector, but got shape {}", crate::check::shapes::show(&self.shape_of(t))), s, "not 1-d");
            return None;
        }
        Some(t)
    }

    /// `cartesian_prod(*tensors)`.
    pub(super) fn cartesian_prod_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let items: Vec<(Value, Span)> = match bound.positional.as_slice() {
            [Some((Value::List(items) | Value::Tuple(items), _))] => items.clone(),
            all => all.iter().flatten().cloned().collect(),
        };
        let mut tensors = Vec::with_capacity(items.len());
        for (v, s) in items {
            let Some(t) = self.one_d(v, s, "cartesian_prod") else { return Value::Poison };
            tensors.push((t, s));
        }
        if tensors.len() == 1 {
            return Value::Tensor(tensors[0].0);
        }
        let sizes: Vec<usize> = tensors.iter().map(|&(t, _)| self.shape_of(t)[0]).collect();
        let total: usize = sizes.iter().product();
        if total > MAX_POSITIONS {
            return self.error(
                Diagnostic::new(Code::E0107, format!("`cartesian_prod` makes {total} tuples"), span, "too many")
                    .with_help("take the product of fewer or shorter tensors"),
            );
        }
        // Tuple `k`'s element from tensor `i` is at `(k / stride_i) % size_i`, row-major as `meshgrid(indexing="ij")`.
        let mut columns = Vec::with_capacity(tensors.len());
        let mut stride = total;
        for (i, &(t, s)) in tensors.iter().enumerate() {
            stride /= sizes[i].max(1);
            let positions: Vec<i64> = (0..total).map(|k| ((k / stride.max(1)) % sizes[i].max(1)) as i64).collect();
            let Some(idx) = self.i64_table(&[positions], span) else { return Value::Poison };
            let Some(idx) = self.tensor_call("reshape", vec![Value::Tensor(idx), int(-1)], span) else { return Value::Poison };
            let Some(col) = self.tensor_call("index_select", vec![Value::Tensor(t), int(0), Value::Tensor(idx)], span) else { return Value::Poison };
            columns.push((Value::Tensor(col), s));
        }
        self.call_builtin_values("stack", vec![(Value::List(columns), span), (int(1), span)], span)
    }

    /// `combinations(input, r=2, with_replacement=false)`.
    pub(super) fn combinations_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(t) = self.one_d(v, vs, "combinations") else { return Value::Poison };
        let r = match bound.positional.get(1).cloned().flatten() {
            None => 2,
            Some((Value::Number(Num::Int(r)), _)) if (0..=64).contains(&r) => r as usize,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`combinations`'s r must be an integer from 0 to 64, not {}", other.describe()),
                        s,
                        "not a count",
                    )
                    .with_help("write `combinations(x, r=2)`"),
                )
            }
        };
        let with_replacement = matches!(bound.positional.get(2).cloned().flatten(), Some((Value::Bool(true), _)));
        let n = self.shape_of(t)[0];
        if r == 0 {
            return self
                .tensor_call_kw("zeros", vec![int(0)], vec![("dtype", Value::DType(self.dtype_of(t)))], span)
                .map_or(Value::Poison, Value::Tensor);
        }
        // Every nondecreasing (increasing without replacement) r-tuple of positions, in lexicographic order.
        let mut tuples: Vec<Vec<i64>> = Vec::new();
        let mut current: Vec<usize> = Vec::with_capacity(r);
        fn extend(start: usize, n: usize, r: usize, repl: bool, current: &mut Vec<usize>, out: &mut Vec<Vec<i64>>, cap: usize) -> bool {
            if current.len() == r {
                out.push(current.iter().map(|&i| i as i64).collect());
                return out.len() <= cap;
            }
            for i in start..n {
                current.push(i);
                let ok = extend(if repl { i } else { i + 1 }, n, r, repl, current, out, cap);
                current.pop();
                if !ok {
                    return false;
                }
            }
            true
        }
        if !extend(0, n, r, with_replacement, &mut current, &mut tuples, MAX_POSITIONS) {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`combinations` of {n} elements taken {r} at a time makes more than {MAX_POSITIONS} tuples"),
                    span,
                    "too many",
                )
                .with_help("take fewer elements at a time"),
            );
        }
        if tuples.is_empty() {
            return self
                .tensor_call_kw("zeros", vec![int(0), int(r as i64)], vec![("dtype", Value::DType(self.dtype_of(t)))], span)
                .map_or(Value::Poison, Value::Tensor);
        }
        let mut columns = Vec::with_capacity(r);
        for c in 0..r {
            let positions: Vec<i64> = tuples.iter().map(|tup| tup[c]).collect();
            let Some(idx) = self.i64_table(&[positions], span) else { return Value::Poison };
            let Some(idx) = self.tensor_call("reshape", vec![Value::Tensor(idx), int(-1)], span) else { return Value::Poison };
            let Some(col) = self.tensor_call("index_select", vec![Value::Tensor(t), int(0), Value::Tensor(idx)], span) else { return Value::Poison };
            columns.push((Value::Tensor(col), span));
        }
        self.call_builtin_values("stack", vec![(Value::List(columns), span), (int(1), span)], span)
    }
}
