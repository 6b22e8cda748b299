//! `einsum(equation, *operands)` (also with the operands in one list or tuple,
//! `einsum("abc,cd->abd", (x, w))`, as published code writes it), lowered the
//! way PyTorch's `einsum` computes it (`aten/src/ATen/native/Linear.cpp`): the
//! operands are contracted left to right, each pair by `sumproduct_pair`'s
//! plan. A label that only one operand has and nothing later needs is summed
//! out first; the pair is then permuted to (batch, kept, contracted) and
//! (batch, contracted, kept), reshaped to three dimensions and multiplied with
//! `bmm`, and the product is reshaped and permuted to the output's order. So
//! the result is made of the op table's `permute`, `reshape`, `sum` and `bmm`
//! rows and their gradients. Not supported: a label repeated within one
//! operand (a diagonal), `...`, and sizes that differ (PyTorch broadcasts a
//! size 1); each is E0202 or E0107 at the equation.

use super::{Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

/// An operand on the way: its node and the label of each dimension.
type Labeled = (NodeId, Vec<char>);

impl Lowerer<'_> {
    pub(super) fn einsum_call(&mut self, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let mut args = args.into_iter();
        let (eq, es) = match args.next() {
            Some((None, Value::Str(eq), es)) => (eq, es),
            Some((_, Value::Poison, _)) => return Value::Poison,
            Some((_, other, s)) => {
                return self.einsum_error(Code::E0107, format!("`einsum` takes the equation first, a string, not {}", other.describe()), s)
            }
            None => return self.einsum_error(Code::E0107, "`einsum` needs an equation and operands".to_string(), span),
        };
        let rest: Vec<(Option<Ident>, Value, Span)> = args.collect();
        let items: Vec<(Value, Span)> = match &rest[..] {
            [(None, Value::List(items) | Value::Tuple(items), _)] => items.clone(),
            _ => rest.into_iter().map(|(_, v, s)| (v, s)).collect(),
        };
        let mut operands = Vec::new();
        for (v, s) in items {
            match v {
                Value::Tensor(t) => operands.push((t, s)),
                Value::Poison => return Value::Poison,
                other => return self.einsum_error(Code::E0107, format!("an operand of `einsum` must be a tensor, not {}", other.describe()), s),
            }
        }
        let Some((inputs, output)) = self.einsum_labels(&eq, &operands, es) else { return Value::Poison };
        // Every label's size, the same in every operand.
        let mut sizes: Vec<(char, usize)> = Vec::new();
        for ((t, s), labels) in operands.iter().zip(&inputs) {
            for (&l, &n) in labels.iter().zip(&self.shape_of(*t)) {
                match sizes.iter().find(|(m, _)| *m == l) {
                    Some(&(_, m)) if m != n => {
                        return self.einsum_error(
                            Code::E0202,
                            format!("`einsum`: the label `{l}` has size {m} in one operand and {n} in another"),
                            *s,
                        );
                    }
                    Some(_) => {}
                    None => sizes.push((l, n)),
                }
            }
        }
        let size = |l: char| sizes.iter().find(|(m, _)| *m == l).map_or(1, |&(_, n)| n);
        let mut current: Labeled = (operands[0].0, inputs[0].clone());
        for k in 1..operands.len() {
            // The labels needed after this pair: the later operands' and the output's.
            let later: Vec<char> = inputs[k + 1..].iter().flatten().chain(&output).copied().collect();
            let next = (operands[k].0, inputs[k].clone());
            current = match self.contract(current, next, &later, &size, span) {
                Some(c) => c,
                None => return Value::Poison,
            };
        }
        // What the output does not name is summed out; the rest is put in its order.
        let Some((t, labels)) = self.sum_labels(current, &output, span) else { return Value::Poison };
        let perm: Vec<usize> = output.iter().map(|l| labels.iter().position(|m| m == l).expect("every output label is kept")).collect();
        let Some(t) = self.permuted(t, &perm, span) else { return Value::Poison };
        if operands.len() == 1 {
            return Value::Tensor(t);
        }
        // PyTorch's einsum ends a contraction by viewing the result in the
        // output's shape (its summed dimensions were kept as size 1), so its
        // `grad_fn` is `ViewBackward0` whatever the order; so is this one.
        let shape = self.shape_of(t);
        let sizes = Value::List(shape.iter().map(|&d| (Value::Number(Num::Int(d as i128)), span)).collect());
        self.named_call("view", vec![Value::Tensor(t), sizes], span)
    }

    /// The labels of each operand and of the output (implicit: the labels that
    /// occur once, in alphabetical order, as in NumPy and PyTorch).
    fn einsum_labels(&mut self, eq: &str, operands: &[(NodeId, Span)], es: Span) -> Option<(Vec<Vec<char>>, Vec<char>)> {
        let eq: String = eq.chars().filter(|c| !c.is_whitespace()).collect();
        let (lhs, rhs) = match eq.split_once("->") {
            Some((l, r)) => (l.to_string(), Some(r.to_string())),
            None => (eq.clone(), None),
        };
        if eq.contains("...") {
            self.einsum_error(Code::E0107, "`einsum` with `...` is not supported".to_string(), es);
            return None;
        }
        let inputs: Vec<Vec<char>> = lhs.split(',').map(|p| p.chars().collect()).collect();
        let written = lhs.chars().filter(|&c| c != ',').chain(rhs.as_deref().unwrap_or("").chars());
        if let Some(bad) = written.clone().find(|c| !c.is_ascii_alphabetic()) {
            self.einsum_error(Code::E0107, format!("`einsum`: `{bad}` is not a label; labels are letters"), es);
            return None;
        }
        if inputs.len() != operands.len() || operands.is_empty() {
            self.einsum_error(Code::E0107, format!("the equation names {} operands, and {} are given", inputs.len(), operands.len()), es);
            return None;
        }
        for (labels, (t, s)) in inputs.iter().zip(operands) {
            let rank = self.shape_of(*t).len();
            if labels.len() != rank {
                self.einsum_error(Code::E0202, format!("`einsum`: an operand of {rank} dimensions has {} labels", labels.len()), *s);
                return None;
            }
            if let Some(l) = labels.iter().enumerate().find(|(i, l)| labels[..*i].contains(l)).map(|(_, l)| l) {
                self.einsum_error(
                    Code::E0107,
                    format!("`einsum`: the label `{l}` is repeated in one operand (a diagonal), which is not supported"),
                    es,
                );
                return None;
            }
        }
        let output: Vec<char> = match rhs {
            Some(r) => r.chars().collect(),
            None => {
                let all: Vec<char> = inputs.iter().flatten().copied().collect();
                let mut once: Vec<char> = all.iter().filter(|l| all.iter().filter(|m| m == l).count() == 1).copied().collect();
                once.sort_unstable();
                once
            }
        };
        for (i, l) in output.iter().enumerate() {
            if output[..i].contains(l) || !inputs.iter().flatten().any(|m| m == l) {
                self.einsum_error(Code::E0107, format!("`einsum`: the output label `{l}` is repeated or names no operand's dimension"), es);
                return None;
            }
        }
        Some((inputs, output))
    }

    /// One pair's product, as `sumproduct_pair` plans it.
    fn contract(&mut self, a: Labeled, b: Labeled, later: &[char], size: &dyn Fn(char) -> usize, span: Span) -> Option<Labeled> {
        // A label only one side has, and nothing later needs, is summed out first.
        let keep_a: Vec<char> = a.1.iter().filter(|l| b.1.contains(l) || later.contains(l)).copied().collect();
        let keep_b: Vec<char> = b.1.iter().filter(|l| a.1.contains(l) || later.contains(l)).copied().collect();
        let (ta, la) = self.sum_labels(a, &keep_a, span)?;
        let (tb, lb) = self.sum_labels(b, &keep_b, span)?;
        let batch: Vec<char> = la.iter().filter(|l| lb.contains(l) && later.contains(l)).copied().collect();
        let summed: Vec<char> = la.iter().filter(|l| lb.contains(l) && !later.contains(l)).copied().collect();
        let left: Vec<char> = la.iter().filter(|l| !lb.contains(l)).copied().collect();
        let right: Vec<char> = lb.iter().filter(|l| !la.contains(l)).copied().collect();
        let product = |ls: &[char]| ls.iter().map(|&l| size(l)).product::<usize>();
        let position = |ls: &[char], of: &[char]| -> Vec<usize> {
            of.iter().map(|l| ls.iter().position(|m| m == l).expect("a label of this operand")).collect()
        };
        let order_a: Vec<usize> = position(&la, &[batch.clone(), left.clone(), summed.clone()].concat());
        let order_b: Vec<usize> = position(&lb, &[batch.clone(), summed.clone(), right.clone()].concat());
        let ta = self.permuted(ta, &order_a, span)?;
        let ta = self.reshaped(ta, &[product(&batch), product(&left), product(&summed)], span)?;
        let tb = self.permuted(tb, &order_b, span)?;
        let tb = self.reshaped(tb, &[product(&batch), product(&summed), product(&right)], span)?;
        let Value::Tensor(p) = self.named_call("bmm", vec![Value::Tensor(ta), Value::Tensor(tb)], span) else { return None };
        let labels: Vec<char> = [batch, left, right].concat();
        let shape: Vec<usize> = labels.iter().map(|&l| size(l)).collect();
        Some((self.reshaped(p, &shape, span)?, labels))
    }

    /// Sums out the labels of `t` that `keep` does not name.
    fn sum_labels(&mut self, (t, labels): Labeled, keep: &[char], span: Span) -> Option<Labeled> {
        let dims: Vec<Value> = (0..labels.len()).filter(|&d| !keep.contains(&labels[d])).map(|d| Value::Number(Num::Int(d as i128))).collect();
        if dims.is_empty() {
            return Some((t, labels));
        }
        let dims = Value::List(dims.into_iter().map(|d| (d, span)).collect());
        let Value::Tensor(s) = self.named_call("sum", vec![Value::Tensor(t), dims], span) else { return None };
        Some((s, labels.into_iter().filter(|l| keep.contains(l)).collect()))
    }

    /// `t.permute(order)`, or `t` itself for the identity.
    fn permuted(&mut self, t: NodeId, order: &[usize], span: Span) -> Option<NodeId> {
        if order.iter().enumerate().all(|(i, &d)| i == d) {
            return Some(t);
        }
        let dims = Value::List(order.iter().map(|&d| (Value::Number(Num::Int(d as i128)), span)).collect());
        match self.named_call("permute", vec![Value::Tensor(t), dims], span) {
            Value::Tensor(p) => Some(p),
            _ => None,
        }
    }

    /// `t.reshape(shape)`, or `t` itself when it has that shape.
    fn reshaped(&mut self, t: NodeId, shape: &[usize], span: Span) -> Option<NodeId> {
        if self.shape_of(t) == shape {
            return Some(t);
        }
        let sizes = Value::List(shape.iter().map(|&d| (Value::Number(Num::Int(d as i128)), span)).collect());
        match self.named_call("reshape", vec![Value::Tensor(t), sizes], span) {
            Value::Tensor(r) => Some(r),
            _ => None,
        }
    }

    /// A call of the builtin `name` with positional arguments.
    fn named_call(&mut self, name: &str, args: Vec<Value>, span: Span) -> Value {
        let callee = Ident { name: name.to_string(), span };
        self.call_builtin_named(&callee, args.into_iter().map(|v| (None, v, span)).collect(), span)
    }

    fn einsum_error(&mut self, code: Code, message: String, span: Span) -> Value {
        self.error(
            Diagnostic::new(code, message, span, "in this `einsum`")
                .with_help("write the equation as PyTorch does, one letter per dimension of each operand: `einsum(\"ij,jk->ik\", a, b)`"),
        )
    }
}
