//! Lowering of builtin calls (spec section 5): creation, elementwise math,
//! reductions, linear algebra, gradient control, printing and plotting.

use graphc_runtime::op::F64Bits;
use graphc_runtime::plan::TensorSuffix;
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::{self, bind, Bound, Builtin, Unary};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::{NodeId, Region};
use crate::ir::program::{BackwardCall, DerivedCall, Effect, FigureEffect, PrintArg};
use crate::syntax::ast::{BinOp, Ident, Span};

/// The largest element count a creation call may ask for (16 GiB of f64), so a typo
/// such as `zeros(100000, 100000, 100)` is an error instead of an abort.
pub(crate) const MAX_ELEMENTS: u128 = 1 << 31;

impl<'a> Lowerer<'a> {
    pub(crate) fn call_builtin(&mut self, b: Builtin, name: &str, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let sig = builtins::signature(b);
        let mut bound = match bind(name, &sig, args, span) {
            Ok(bound) => bound,
            Err(d) => return self.error(d),
        };
        if bound.positional.iter().flatten().any(|(v, _)| matches!(v, Value::Poison))
            || bound.keywords.values().any(|(v, _)| matches!(v, Value::Poison))
        {
            return Value::Poison;
        }
        match b {
            Builtin::Randn | Builtin::Rand | Builtin::Zeros | Builtin::Ones => {
                let Some(shape) = self.shape_args(&bound.positional, name) else { return Value::Poison };
                let op = match b {
                    Builtin::Randn => Op::Randn,
                    Builtin::Rand => Op::Rand,
                    Builtin::Zeros => Op::Full(F64Bits::new(0.0)),
                    _ => Op::Full(F64Bits::new(1.0)),
                };
                self.create(op, shape, &mut bound, DType::F32, span)
            }
            Builtin::Full => {
                let mut pos = bound.positional.clone();
                let (value, vspan) = pos.pop().flatten().expect("bind guarantees one argument");
                let Some(v) = self.number(&value, vspan, "the fill value") else { return Value::Poison };
                let Some(shape) = self.shape_args(&pos, name) else { return Value::Poison };
                self.create(Op::Full(F64Bits::new(v)), shape, &mut bound, DType::F32, span)
            }
            Builtin::Arange => self.arange(&mut bound, span),
            Builtin::Linspace => {
                let nums: Vec<Option<f64>> = (0..3).map(|i| self.positional_number(&bound, i, "linspace's arguments")).collect();
                let (Some(start), Some(end), Some(steps)) = (nums[0], nums[1], nums[2]) else { return Value::Poison };
                let steps_span = bound.positional[2].as_ref().map(|p| p.1).unwrap_or(span);
                if steps < 0.0 || steps.fract() != 0.0 {
                    return self.error(
                        Diagnostic::new(Code::E0107, "`steps` must be a non-negative integer", steps_span, "not a count")
                            .with_help("write the number of points, such as `linspace(0, 1, 50)`"),
                    );
                }
                let op = Op::Linspace { start: F64Bits::new(start), end: F64Bits::new(end) };
                self.create(op, vec![steps as usize], &mut bound, DType::F32, span)
            }
            Builtin::Tensor => {
                let (data, dspan) = bound.positional[0].clone().expect("bind guarantees data");
                let mut values = Vec::new();
                let Some(shape) = self.literal_shape(&data, dspan, &mut values) else { return Value::Poison };
                let op = Op::Literal(values.into_iter().map(F64Bits::new).collect());
                self.create(op, shape, &mut bound, DType::F32, span)
            }
            Builtin::OnesLike | Builtin::ZerosLike => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, &format!("the argument of `{name}`")) else { return Value::Poison };
                let fill = if b == Builtin::OnesLike { 1.0 } else { 0.0 };
                let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
                self.create(Op::Full(F64Bits::new(fill)), sh, &mut bound, dt, span)
            }
            Builtin::ManualSeed => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees seed");
                match v {
                    Value::Number { value, is_int: true } if (0.0..=u64::MAX as f64).contains(&value) => {
                        self.prog.effects.push(Effect::Seed(value as u64));
                        Value::None
                    }
                    other => self.error(
                        Diagnostic::new(Code::E0107, format!("the seed must be a non-negative integer, not {}", other.describe()), vs, "not a seed")
                            .with_help("write `manual_seed(0)`"),
                    ),
                }
            }
            Builtin::Unary(u) => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, &format!("the argument of `{name}`")) else { return Value::Poison };
                let (op, grad_fn) = match u {
                    Unary::Exp => (Op::Exp, "ExpBackward0"),
                    Unary::Log => (Op::Log, "LogBackward0"),
                    Unary::Sqrt => (Op::Sqrt, "SqrtBackward0"),
                    Unary::Sin => (Op::Sin, "SinBackward0"),
                    Unary::Cos => (Op::Cos, "CosBackward0"),
                    Unary::Tanh => (Op::Tanh, "TanhBackward0"),
                    Unary::Sigmoid => (Op::Sigmoid, "SigmoidBackward0"),
                    Unary::Relu => (Op::Relu, "ReluBackward0"),
                    Unary::Abs => (Op::Abs, "AbsBackward0"),
                };
                let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
                Value::Tensor(self.op_node(op, dt, sh, &[t], span, grad_fn))
            }
            Builtin::Pow => {
                let [a, e] = self.two(&bound);
                self.binary(BinOp::Pow, a, e, span)
            }
            Builtin::Maximum | Builtin::Minimum => {
                let [(a, sa), (c, sc)] = self.two(&bound);
                let (Some(x), Some(y)) =
                    (self.expect_tensor(a, sa, &format!("`{name}`'s input")), self.expect_tensor(c, sc, &format!("`{name}`'s other")))
                else {
                    return Value::Poison;
                };
                let Some(shape) = self.meet(x, sa, y, sc, &format!("`{name}`")) else { return Value::Poison };
                let (op, grad_fn) = if b == Builtin::Maximum { (Op::Maximum, "MaximumBackward0") } else { (Op::Minimum, "MinimumBackward0") };
                let dt = self.dtype_of(x);
                Value::Tensor(self.op_node(op, dt, shape, &[x, y], span, grad_fn))
            }
            Builtin::Sum | Builtin::Mean => self.reduction(b, name, &bound, span),
            Builtin::MatMul => {
                let [(a, sa), (c, sc)] = self.two(&bound);
                let (Some(x), Some(y)) = (self.expect_tensor(a, sa, "matmul's input"), self.expect_tensor(c, sc, "matmul's other")) else {
                    return Value::Poison;
                };
                self.matmul(x, sa, y, sc, span)
            }
            Builtin::Transpose => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, "transpose's input") else { return Value::Poison };
                match shapes::transpose(&self.shape_of(t)) {
                    Ok(sh) => {
                        let dt = self.dtype_of(t);
                        Value::Tensor(self.op_node(Op::Transpose, dt, sh, &[t], span, "TransposeBackward0"))
                    }
                    Err(msg) => {
                        self.error(Diagnostic::new(Code::E0202, msg, vs, "not 2-D").with_help("transpose swaps the two dimensions of a matrix"))
                    }
                }
            }
            Builtin::Backward => self.backward(&mut bound, span),
            Builtin::Grad => self.grad(&mut bound, span),
            Builtin::ZeroGrad => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, "zero_grad's argument") else { return Value::Poison };
                if !self.is_grad_leaf(t) {
                    return self.not_a_leaf(t, vs);
                }
                // Unlike `x.grad.zero_()`, zero_grad of a gradient that is still None leaves it None
                // (as PyTorch's `Optimizer.zero_grad` does), so it is safe before any backward.
                if self.grad_state[&t].is_some() {
                    self.zero_grad_of(t, vs, span);
                }
                Value::None
            }
            Builtin::Detach => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, "detach's argument") else { return Value::Poison };
                let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
                Value::Tensor(self.node(Op::Detach, dt, sh, &[t], span))
            }
            Builtin::Print => {
                let items: Vec<PrintArg> = bound.positional.into_iter().flatten().map(|(v, _)| self.print_arg(v)).collect();
                self.prog.effects.push(Effect::Print(items));
                Value::None
            }
            Builtin::Plot => self.plot(&mut bound, span),
            Builtin::Grid => self.figure(FigureEffect::Grid),
            Builtin::Legend => self.figure(FigureEffect::Legend),
            Builtin::XLabel | Builtin::YLabel | Builtin::Title | Builtin::SaveFig => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees text");
                let Value::Str(s) = v else {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("`{name}` takes a string, not {}", v.describe()), vs, "not a string")
                            .with_help(format!("write `{name}(\"...\")`")),
                    );
                };
                let fx = match b {
                    Builtin::XLabel => FigureEffect::XLabel(s),
                    Builtin::YLabel => FigureEffect::YLabel(s),
                    Builtin::Title => FigureEffect::Title(s),
                    _ => {
                        let lower = s.to_ascii_lowercase();
                        if !(lower.ends_with(".png") || lower.ends_with(".svg")) {
                            return self.error(
                                Diagnostic::new(Code::E0107, format!("cannot save a figure as `{s}`"), vs, "unsupported file type")
                                    .with_help("end the path in `.png` or `.svg`"),
                            );
                        }
                        FigureEffect::SaveFig { path: s, span }
                    }
                };
                self.figure(fx)
            }
        }
    }

    fn figure(&mut self, fx: FigureEffect) -> Value {
        self.prog.effects.push(Effect::Figure(fx));
        Value::None
    }

    fn two(&self, bound: &Bound<Value>) -> [(Value, Span); 2] {
        [bound.positional[0].clone().expect("bind guarantees two"), bound.positional[1].clone().expect("bind guarantees two")]
    }

    /// A number argument (E0107 otherwise).
    pub(crate) fn number(&mut self, v: &Value, span: Span, what: &str) -> Option<f64> {
        match v {
            Value::Number { value, .. } => Some(*value),
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("{what} must be a number, not {}", other.describe()), span, "not a number")
                        .with_help("write a number literal here"),
                );
                None
            }
        }
    }

    fn positional_number(&mut self, bound: &Bound<Value>, i: usize, what: &str) -> Option<f64> {
        let (v, s) = bound.positional.get(i).cloned().flatten()?;
        self.number(&v, s, what)
    }

    /// Shape arguments: integers (`randn(2, 3)`) or one list (`randn([2, 3])`).
    fn shape_args(&mut self, args: &[Option<(Value, Span)>], name: &str) -> Option<Vec<usize>> {
        let items: Vec<(Value, Span)> = match args {
            [Some((Value::List(items), _))] => items.clone(),
            _ => args.iter().flatten().cloned().collect(),
        };
        let mut shape = Vec::new();
        for (v, s) in items {
            match v {
                Value::Number { value, is_int: true } if value >= 0.0 => shape.push(value as usize),
                Value::Poison => return None,
                other => {
                    self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("a dimension of `{name}` must be a non-negative integer, not {}", other.describe()),
                            s,
                            "not a size",
                        )
                        .with_help(format!("write sizes as integers, such as `{name}(2, 3)`")),
                    );
                    return None;
                }
            }
        }
        Some(shape)
    }

    /// Finishes a creation call: `dtype=` and `requires_grad=` keywords, size limit, leaf bookkeeping.
    fn create(&mut self, op: Op, shape: Vec<usize>, bound: &mut Bound<Value>, default: DType, span: Span) -> Value {
        let dtype = match bound.keyword("dtype") {
            None => default,
            Some((Value::DType(d), _)) => d,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`dtype` must be `f32` or `f64`, not {}", other.describe()), s, "not a dtype")
                        .with_help("write `dtype=f32` or `dtype=f64`"),
                )
            }
        };
        let requires_grad = match bound.keyword("requires_grad") {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`requires_grad` must be `true` or `false`, not {}", other.describe()), s, "not a boolean")
                        .with_help("write `requires_grad=true`"),
                )
            }
        };
        let n: u128 = shape.iter().map(|&d| d as u128).product();
        if n > MAX_ELEMENTS {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("a tensor of shape {} has {n} elements, more than graphc allows ({MAX_ELEMENTS})", shapes::show(&shape)),
                    span,
                    "too large",
                )
                .with_help("use a smaller shape"),
            );
        }
        let id = self.node(op, dtype, shape, &[], span);
        if requires_grad {
            self.prog.graph.meta_mut(id).requires_grad = true;
            self.prog.leaves.push(id);
            self.grad_state.insert(id, None);
        }
        Value::Tensor(id)
    }

    fn arange(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let given: Vec<Option<f64>> = (0..3).map(|i| self.positional_number(bound, i, "arange's arguments")).collect();
        if bound.positional.iter().flatten().any(|(v, _)| !matches!(v, Value::Number { .. })) {
            return Value::Poison;
        }
        let count = bound.positional.iter().flatten().count();
        let (start, end, step) = match count {
            1 => (0.0, given[0].unwrap_or(0.0), 1.0),
            2 => (given[0].unwrap_or(0.0), given[1].unwrap_or(0.0), 1.0),
            _ => (given[0].unwrap_or(0.0), given[1].unwrap_or(0.0), given[2].unwrap_or(1.0)),
        };
        if step == 0.0 || !step.is_finite() || !start.is_finite() || !end.is_finite() {
            return self.error(
                Diagnostic::new(Code::E0107, "arange needs finite bounds and a non-zero step", span, "invalid range")
                    .with_help("write `arange(start, end, step)` with step != 0"),
            );
        }
        // PyTorch: size = ceil((end - start) / step), computed in double.
        let size = ((end - start) / step).ceil();
        if size < 0.0 {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("arange from {start} to {end} with step {step} goes the wrong way"),
                    span,
                    "empty or backwards range",
                )
                .with_help("make the step's sign match the direction from start to end"),
            );
        }
        let op = Op::Arange { start: F64Bits::new(start), step: F64Bits::new(step) };
        self.create(op, vec![size as usize], bound, DType::F32, span)
    }

    /// The shape of a (nested) list literal, flattening its numbers into `out`.
    fn literal_shape(&mut self, v: &Value, span: Span, out: &mut Vec<f64>) -> Option<Vec<usize>> {
        match v {
            Value::Number { value, .. } => {
                out.push(*value);
                Some(vec![])
            }
            Value::List(items) => {
                let mut inner: Option<Vec<usize>> = None;
                for (item, s) in items {
                    let sh = self.literal_shape(item, *s, out)?;
                    match &inner {
                        None => inner = Some(sh),
                        Some(prev) if *prev != sh => {
                            self.error(
                                Diagnostic::new(
                                    Code::E0202,
                                    format!("this row has shape {} but the first has {}", shapes::show(&sh), shapes::show(prev)),
                                    *s,
                                    "ragged row",
                                )
                                .with_help("every row of a tensor literal needs the same length"),
                            );
                            return None;
                        }
                        Some(_) => {}
                    }
                }
                let mut shape = vec![items.len()];
                shape.extend(inner.unwrap_or_default());
                Some(shape)
            }
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("a tensor literal holds numbers, not {}", other.describe()), span, "not a number")
                        .with_help("write `tensor([1.0, 2.0])`"),
                );
                None
            }
        }
    }

    fn reduction(&mut self, b: Builtin, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(t) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        let shape = self.shape_of(t);
        let dim = match bound.positional.get(1).cloned().flatten() {
            None | Some((Value::None, _)) => None,
            Some((Value::Number { value, is_int: true }, ds)) => match shapes::normalize_dim(value as i64, shape.len()) {
                Ok(d) => Some(d),
                Err(msg) => {
                    return self.error(
                        Diagnostic::new(Code::E0202, msg, ds, "no such dimension").with_help(format!("the input has shape {}", shapes::show(&shape))),
                    )
                }
            },
            Some((other, ds)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`dim` must be an integer, not {}", other.describe()), ds, "not a dimension")
                        .with_help("write `dim=0`"),
                )
            }
        };
        let out = shapes::reduce(&shape, dim);
        let dt = self.dtype_of(t);
        let (op, grad_fn) = match (b, dim) {
            (Builtin::Sum, None) => (Op::Sum { dim }, "SumBackward0"),
            (Builtin::Sum, Some(_)) => (Op::Sum { dim }, "SumBackward1"),
            (_, None) => (Op::Mean { dim }, "MeanBackward0"),
            (_, Some(_)) => (Op::Mean { dim }, "MeanBackward1"),
        };
        Value::Tensor(self.op_node(op, dt, out, &[t], span, grad_fn))
    }

    /// How `print` shows a value: Python's `str()` of it.
    fn print_arg(&mut self, v: Value) -> PrintArg {
        match v {
            Value::Tensor(n) => PrintArg::Tensor { node: n, suffix: self.suffix(n) },
            Value::Str(s) => PrintArg::Text(s),
            Value::Number { value, is_int: true } if value.abs() < 9.0e15 => PrintArg::Text(format!("{}", value as i64)),
            Value::Number { value, .. } => PrintArg::Text(graphc_runtime::format::python_float_repr(value)),
            Value::Bool(b) => PrintArg::Text(if b { "True" } else { "False" }.to_string()),
            Value::None => PrintArg::None,
            Value::DType(d) => PrintArg::Text(d.torch_name().to_string()),
            Value::List(items) => {
                let parts: Vec<String> = items
                    .into_iter()
                    .map(|(v, _)| match self.print_arg(v) {
                        PrintArg::Text(s) => s,
                        PrintArg::None => "None".to_string(),
                        PrintArg::Tensor { .. } => "tensor(...)".to_string(),
                    })
                    .collect();
                PrintArg::Text(format!("[{}]", parts.join(", ")))
            }
            Value::Poison => PrintArg::None,
        }
    }

    /// The `grad_fn=<...>` / `requires_grad=True` suffix PyTorch would print for node `n`.
    fn suffix(&self, n: NodeId) -> TensorSuffix {
        if !self.requires_grad(n) {
            return TensorSuffix::default();
        }
        if self.is_grad_leaf(n) {
            return TensorSuffix { grad_fn: None, requires_grad: true };
        }
        let name = self.grad_fn.get(&n).cloned().unwrap_or_else(|| derived_grad_fn(&self.prog.graph.node(n).op).to_string());
        TensorSuffix { grad_fn: Some(name), requires_grad: true }
    }

    fn plot(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let [(a, sa), (b, sb)] = self.two(bound);
        let (Some(x), Some(y)) = (self.expect_tensor(a, sa, "plot's x"), self.expect_tensor(b, sb, "plot's y")) else { return Value::Poison };
        let (shx, shy) = (self.shape_of(x), self.shape_of(y));
        if shx.len() != 1 || shx != shy {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("plot needs x and y as 1-D tensors of one length, got {} and {}", shapes::show(&shx), shapes::show(&shy)),
                    sa,
                    format!("shape {}", shapes::show(&shx)),
                )
                .with_secondary(sb, format!("shape {}", shapes::show(&shy)))
                .with_help("plot one 1-D tensor against another of the same length"),
            );
        }
        let label = match bound.keyword("label") {
            None => None,
            Some((Value::Str(s), _)) => Some(s),
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`label` must be a string, not {}", other.describe()), s, "not a string")
                        .with_help("write `label=\"...\"`"),
                )
            }
        };
        let alpha = match bound.keyword("alpha") {
            None => 1.0,
            Some((Value::Number { value, .. }, _)) if (0.0..=1.0).contains(&value) => value,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`alpha` must be a number from 0 to 1, not {}", other.describe()), s, "not an opacity")
                        .with_help("write `alpha=0.5`"),
                )
            }
        };
        let _ = span;
        self.figure(FigureEffect::Plot { x, y, label, alpha })
    }

    /// `backward(y, grad=g, retain_graph=b)`: records the call and gives each reached leaf's `.grad` a new value.
    /// A boolean keyword argument.
    fn flag(&mut self, bound: &mut Bound<Value>, name: &str, default: bool) -> Option<bool> {
        match bound.keyword(name) {
            None => Some(default),
            Some((Value::Bool(b), _)) => Some(b),
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`{name}` must be `true` or `false`, not {}", other.describe()), s, "not a boolean")
                        .with_help(format!("write `{name}=true`")),
                );
                None
            }
        }
    }

    /// The tensor to differentiate: it must require grad.
    fn differentiable(&mut self, bound: &Bound<Value>) -> Option<(NodeId, Span)> {
        let (v, ys) = bound.positional[0].clone().expect("bind guarantees the tensor");
        let y = self.expect_tensor(v, ys, "the tensor to differentiate")?;
        if !self.requires_grad(y) {
            self.error(
                Diagnostic::new(Code::E0402, "this tensor does not require grad, so there is nothing to differentiate", ys, "does not require grad")
                    .with_help("compute it from a leaf created with `requires_grad=true`"),
            );
            return None;
        }
        Some((y, ys))
    }

    /// The `grad=` seed of a backward or grad call: `Ok(None)` means ones (only for one element).
    fn seed(&mut self, arg: Option<(Value, Span)>, y: NodeId, ys: Span) -> Result<Option<NodeId>, ()> {
        let (dt, sh) = (self.dtype_of(y), self.shape_of(y));
        match arg {
            None | Some((Value::None, _)) => {
                if sh.iter().product::<usize>() != 1 {
                    self.error(
                        Diagnostic::new(
                            Code::E0402,
                            format!("differentiating without `grad` needs a one-element tensor, but this one has shape {}", shapes::show(&sh)),
                            ys,
                            "not a scalar",
                        )
                        .with_help("pass the gradient explicitly, e.g. `y.backward(ones_like(y))`, or reduce first with `y.sum().backward()`"),
                    );
                    return Err(());
                }
                // Autodiff makes the ones when it derives the call, so the seed
                // sits with the rest of the backward graph.
                Ok(None)
            }
            Some((g, gs)) => {
                let g = self.expect_tensor(g, gs, "`grad`").ok_or(())?;
                let gd = self.dtype_of(g);
                let gsh = self.shape_of(g);
                if gd != dt {
                    self.error(
                        Diagnostic::new(Code::E0201, format!("the gradient is {gd} but the tensor is {dt}"), gs, format!("this is {gd}"))
                            .with_secondary(ys, format!("this is {dt}"))
                            .with_help("give the gradient the tensor's dtype"),
                    );
                    return Err(());
                }
                if gsh != sh {
                    self.error(
                        Diagnostic::new(
                            Code::E0202,
                            format!("the gradient has shape {} but the tensor has shape {}", shapes::show(&gsh), shapes::show(&sh)),
                            gs,
                            format!("shape {}", shapes::show(&gsh)),
                        )
                        .with_secondary(ys, format!("shape {}", shapes::show(&sh)))
                        .with_help("pass a gradient of the tensor's shape, such as `ones_like(y)`"),
                    );
                    return Err(());
                }
                Ok(Some(g))
            }
        }
    }

    /// `grad(y, x, grad=g, create_graph=false, retain_graph=create_graph)`: the
    /// gradient of `y` with respect to `x` as a value, without touching `.grad`.
    /// With `create_graph` it is derived now, requiring grad where it depends on
    /// tensors that do, so later statements can differentiate it again.
    fn grad(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let Some(create_graph) = self.flag(bound, "create_graph", false) else { return Value::Poison };
        let Some(retain_graph) = self.flag(bound, "retain_graph", create_graph) else { return Value::Poison };
        let Some((y, ys)) = self.differentiable(bound) else { return Value::Poison };
        let (v, xs) = bound.positional[1].clone().expect("bind guarantees the input");
        let Some(x) = self.expect_tensor(v, xs, "the tensor to differentiate with respect to") else { return Value::Poison };
        if !crate::autodiff::reaches(&self.prog, y, x) {
            return self.error(
                Diagnostic::new(Code::E0405, "no gradient flows from this tensor to the one asked for", xs, "not used to compute the first argument")
                    .with_secondary(ys, "differentiated tensor")
                    .with_help("ask for the gradient with respect to a tensor that requires grad and is used (not through `detach`) to compute the first argument"),
            );
        }
        let Ok(seed) = self.seed(bound.positional.get(2).cloned().flatten(), y, ys) else { return Value::Poison };
        let k = self.prog.backwards.len() as u32;
        let region = Region::Backward(k);
        if create_graph {
            let templates = crate::autodiff::templates(&self.prog);
            let targets = std::collections::HashSet::from([x]);
            let d = crate::autodiff::derive(&mut self.prog, y, seed, span, region, &targets, true, &templates);
            self.grad_fn.extend(d.grad_fns.iter().cloned());
            let result = d.grads[&x];
            let derived = Some(DerivedCall { holders: d.holders, forward_reads: d.forward_reads });
            self.prog.backwards.push(BackwardCall { span, root: y, seed, retain_graph, targets: vec![], derived });
            return Value::Tensor(result);
        }
        let saved_region = std::mem::replace(&mut self.region, region);
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        let placeholder = self.node(Op::Param(0), dt, sh, &[], span);
        self.prog.graph.meta_mut(placeholder).note = Some("grad(...)".to_string());
        self.region = saved_region;
        self.prog.backwards.push(BackwardCall { span, root: y, seed, retain_graph, targets: vec![(x, placeholder)], derived: None });
        Value::Tensor(placeholder)
    }

    /// `backward(y, grad=g, retain_graph=b)`: records the call and gives each reached leaf's `.grad` a new value.
    fn backward(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let Some(retain_graph) = self.flag(bound, "retain_graph", false) else { return Value::Poison };
        let Some((y, ys)) = self.differentiable(bound) else { return Value::Poison };
        let Ok(seed) = self.seed(bound.positional.get(1).cloned().flatten(), y, ys) else { return Value::Poison };
        let k = self.prog.backwards.len() as u32;
        let saved_region = self.region;
        self.region = Region::Backward(k);
        let leaves = crate::autodiff::reachable_leaves(&self.prog, y);
        let mut targets = Vec::new();
        for (i, leaf) in leaves.into_iter().enumerate() {
            let (ldt, lsh) = (self.dtype_of(leaf), self.shape_of(leaf));
            let placeholder = self.node(Op::Param(i as u32), ldt, lsh.clone(), &[], span);
            let note = self.prog.graph.meta(leaf).note.clone().unwrap_or_else(|| "leaf".to_string());
            self.prog.graph.meta_mut(placeholder).note = Some(format!("gradient for {note}"));
            // PyTorch's AccumulateGrad: the first gradient is stored, later ones are added in.
            let new = match self.grad_state[&leaf] {
                None => placeholder,
                Some(old) => {
                    let a = self.node(Op::Add, ldt, lsh, &[old, placeholder], span);
                    self.prog.graph.meta_mut(a).note = Some(format!("{note}.grad"));
                    a
                }
            };
            self.grad_state.insert(leaf, Some(new));
            targets.push((leaf, placeholder));
        }
        self.region = saved_region;
        self.prog.backwards.push(BackwardCall { span, root: y, seed, retain_graph, targets, derived: None });
        Value::None
    }
}

/// The `grad_fn` PyTorch shows for a node that autodiff derived (a gradient built
/// with `create_graph=true`): the backward of the op PyTorch's formula runs there.
fn derived_grad_fn(op: &Op) -> &'static str {
    match op {
        Op::Add => "AddBackward0",
        Op::Sub => "SubBackward0",
        Op::Mul => "MulBackward0",
        Op::Div => "DivBackward0",
        Op::Neg => "NegBackward0",
        Op::Exp => "ExpBackward0",
        Op::Log => "LogBackward0",
        Op::Sqrt => "SqrtBackward0",
        Op::Sin => "SinBackward0",
        Op::Cos => "CosBackward0",
        Op::Tanh => "TanhBackward0",
        Op::Sigmoid => "SigmoidBackward0",
        Op::Relu => "ReluBackward0",
        Op::Abs => "AbsBackward0",
        Op::Sign => "SgnBackward0",
        Op::PowScalar(_) => "PowBackward0",
        Op::Pow => "PowBackward1",
        Op::Maximum => "MaximumBackward0",
        Op::Minimum => "MinimumBackward0",
        Op::TanhBackward => "TanhBackwardBackward0",
        Op::Where(_) => "WhereBackward0",
        Op::Expand => "ExpandBackward0",
        Op::SumTo => "SumBackward1",
        Op::Reshape => "ViewBackward0",
        Op::Transpose => "TransposeBackward0",
        Op::Sum { dim: None } => "SumBackward0",
        Op::Sum { dim: Some(_) } => "SumBackward1",
        Op::Mean { dim: None } => "MeanBackward0",
        Op::Mean { dim: Some(_) } => "MeanBackward1",
        Op::MatMul => "MmBackward0",
        Op::Detach | Op::Full(_) | Op::Literal(_) | Op::Arange { .. } | Op::Linspace { .. } | Op::Randn | Op::Rand | Op::Param(_) | Op::Input(_) => {
            "CloneBackward0"
        }
    }
}
