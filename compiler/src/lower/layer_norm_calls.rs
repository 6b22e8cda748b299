//! Lowering of `layer_norm(input, normalized_shape, weight=none, bias=none,
//! eps=1e-5)` (`torch.nn.functional.layer_norm`): one `Op::LayerNorm` node, as
//! PyTorch computes it with a kernel of its own, after PyTorch's checks of the
//! shapes (`_check_layer_norm_inputs`), whose messages the errors repeat.

use graphc_runtime::op::{F64Bits, LayerNorm, LayerNormPart};
use graphc_runtime::Op;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// A shape as PyTorch prints an `IntArrayRef`: `[3, 4]`.
pub(super) fn brackets(shape: &[usize]) -> String {
    format!("[{}]", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

impl Lowerer<'_> {
    /// `layer_norm(input, normalized_shape, weight=none, bias=none, eps=1e-5)`.
    pub(crate) fn layer_norm(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(v, vs, "`layer_norm`'s input") else { return Value::Poison };
        let (nv, ns) = arg(1).expect("bind guarantees normalized_shape");
        let Some(normalized) = self.normalized_shape(nv, ns) else { return Value::Poison };
        let Some(eps) = self.number_or(arg(4), 1e-5, "`eps`") else { return Value::Poison };
        let xsh = self.shape_of(x);
        let Some(weight) = self.layer_norm_param(arg(2), "weight", &normalized, x) else { return Value::Poison };
        let Some(bias) = self.layer_norm_param(arg(3), "bias", &normalized, x) else { return Value::Poison };
        let dims = normalized.len();
        if !self.input_ends_in(&xsh, &normalized, vs, ns) {
            return Value::Poison;
        }
        let part = LayerNormPart::Forward { weight: weight.is_some(), bias: bias.is_some() };
        let op = Op::LayerNorm(LayerNorm { dims, eps: F64Bits::new(eps), part });
        let args: Vec<NodeId> = [Some(x), weight, bias].into_iter().flatten().collect();
        Value::Tensor(self.op_node(op, self.dtype_of(x), xsh, &args, span, "NativeLayerNormBackward0"))
    }

    /// `normalized_shape`: an int, a tuple or list of ints, or a shape
    /// (`x.shape[-1:]`, `w.shape`), with at least one dimension.
    fn normalized_shape(&mut self, v: Value, s: Span) -> Option<Vec<usize>> {
        let dims: Vec<usize> = match v {
            Value::Number(Num::Int(d)) if d >= 0 => vec![usize::try_from(d).unwrap_or(usize::MAX)],
            Value::Size(dims) => dims,
            Value::Tuple(items) | Value::List(items) => {
                let mut dims = Vec::with_capacity(items.len());
                for (d, ds) in items {
                    match d {
                        Value::Number(Num::Int(d)) if d >= 0 => dims.push(usize::try_from(d).unwrap_or(usize::MAX)),
                        Value::Poison => return None,
                        other => {
                            self.error(
                                Diagnostic::new(
                                    Code::E0107,
                                    format!("a size in `normalized_shape` must be a non-negative integer, not {}", other.describe()),
                                    ds,
                                    "not a size",
                                )
                                .with_help("write the normalized dimensions' sizes, such as `(64,)` or `x.shape[-1:]`"),
                            );
                            return None;
                        }
                    }
                }
                dims
            }
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`normalized_shape` must be an int, a tuple of ints or a shape, not {}", other.describe()),
                        s,
                        "not a shape",
                    )
                    .with_help("write the normalized dimensions' sizes, such as `(64,)` or `x.shape[-1:]`"),
                );
                return None;
            }
        };
        if dims.is_empty() {
            self.error(
                Diagnostic::new(
                    Code::E0202,
                    "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []",
                    s,
                    "no dimensions",
                )
                .with_help("name at least the last dimension, such as `x.shape[-1:]`"),
            );
            return None;
        }
        Some(dims)
    }

    /// Whether the input's shape `xsh` ends in the normalized shape; PyTorch's
    /// error (E0202) at the input when not.
    fn input_ends_in(&mut self, xsh: &[usize], normalized: &[usize], vs: Span, ns: Span) -> bool {
        let dims = normalized.len();
        if xsh.len() >= dims && xsh[xsh.len() - dims..] == normalized[..] {
            return true;
        }
        let stars: String = normalized.iter().map(|d| format!(", {d}")).collect();
        self.error(
            Diagnostic::new(
                Code::E0202,
                format!(
                    "Given normalized_shape={}, expected input with shape [*{stars}], but got input of size{}",
                    brackets(normalized),
                    brackets(xsh)
                ),
                vs,
                format!("of shape {}", shapes::show(xsh)),
            )
            .with_secondary(ns, "the normalized shape")
            .with_help("`normalized_shape` names the input's last dimensions, such as `x.shape[-1:]`"),
        );
        false
    }

    /// The weight or the bias: none, or a float tensor of `x`'s dtype and
    /// exactly the normalized shape. `Some(None)` when it is not given.
    fn layer_norm_param(&mut self, arg: Option<(Value, Span)>, name: &str, normalized: &[usize], x: NodeId) -> Option<Option<NodeId>> {
        let Some((v, s)) = arg else { return Some(None) };
        let p = self.expect_float_tensor(v, s, &format!("`layer_norm`'s {name}"))?;
        let psh = self.shape_of(p);
        if psh != normalized {
            self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "Expected {name} to be of same shape as normalized_shape, but got {name} of shape {} and normalized_shape = {}",
                        brackets(&psh),
                        brackets(normalized)
                    ),
                    s,
                    format!("of shape {}", shapes::show(&psh)),
                )
                .with_help(format!("give a {name} of the normalized shape {}, as nn.LayerNorm makes it", shapes::show(normalized))),
            );
            return None;
        }
        self.same_dtype_as_input("layer_norm", name, p, s, x).then_some(Some(p))
    }

    /// Whether a normalization's weight or bias `p` has its input's dtype;
    /// E0201 at `s` when not.
    pub(super) fn same_dtype_as_input(&mut self, builtin: &str, name: &str, p: NodeId, s: Span, x: NodeId) -> bool {
        let (pd, xd) = (self.dtype_of(p), self.dtype_of(x));
        if pd != xd {
            self.error(
                Diagnostic::new(Code::E0201, format!("`{builtin}`'s {name} is {pd} but its input is {xd}"), s, format!("{pd}"))
                    .with_help(format!("convert one of them, such as `{name}.to({xd})`")),
            );
        }
        pd == xd
    }
}

impl Lowerer<'_> {
    /// `rms_norm(input, normalized_shape, weight=none, eps=none)`
    /// (`torch.nn.functional.rms_norm`): ATen's composite `rms_norm`, which
    /// PyTorch 2.15 runs on the CPU, op by op: `input * rsqrt(input.pow(2)
    /// .mean(dims, keepdim=true) + eps)`, times `weight` when given, `eps` the
    /// dtype's machine epsilon unless given (`MulBackward0`; each step's
    /// gradient is its op's). The shape checks are `layer_norm`'s.
    pub(crate) fn rms_norm(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(v, vs, "`rms_norm`'s input") else { return Value::Poison };
        let (nv, ns) = arg(1).expect("bind guarantees normalized_shape");
        let Some(normalized) = self.normalized_shape(nv, ns) else { return Value::Poison };
        let dt = self.dtype_of(x);
        let machine_eps = if dt == graphc_runtime::DType::F64 { f64::EPSILON } else { f32::EPSILON as f64 };
        let Some(eps) = self.number_or(arg(3), machine_eps, "`eps`") else { return Value::Poison };
        let xsh = self.shape_of(x);
        let dims = normalized.len();
        if !self.input_ends_in(&xsh, &normalized, vs, ns) {
            return Value::Poison;
        }
        let Some(weight) = self.layer_norm_param(arg(2), "weight", &normalized, x) else { return Value::Poison };
        let int = |d: i64| (Value::Number(Num::Int(d as i128)), span);
        let reduced = Value::List((0..dims).map(|k| int(k as i64 - dims as i64)).collect());
        let step = |me: &mut Self, name: &str, args: Vec<(Option<&str>, Value)>| -> Option<Value> {
            let args = args.into_iter().map(|(k, v)| (k.map(|k| crate::syntax::ast::Ident { name: k.to_string(), span }), v, span)).collect();
            match me.call_builtin_named(&crate::syntax::ast::Ident { name: name.to_string(), span }, args, span) {
                Value::Poison => None,
                v => Some(v),
            }
        };
        let Some(squares) = step(self, "pow", vec![(None, Value::Tensor(x)), (None, Value::Number(Num::Int(2)))]) else { return Value::Poison };
        let Some(mean) = step(self, "mean", vec![(None, squares), (None, reduced), (Some("keepdim"), Value::Bool(true))]) else {
            return Value::Poison;
        };
        let Some(shifted) = step(self, "add", vec![(None, mean), (None, Value::Number(Num::Float(eps)))]) else { return Value::Poison };
        let Some(scale) = step(self, "rsqrt", vec![(None, shifted)]) else { return Value::Poison };
        let Some(out) = step(self, "mul", vec![(None, Value::Tensor(x)), (None, scale)]) else { return Value::Poison };
        match weight {
            Some(w) => step(self, "mul", vec![(None, out), (None, Value::Tensor(w))]).unwrap_or(Value::Poison),
            None => out,
        }
    }
}
