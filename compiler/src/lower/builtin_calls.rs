//! Lowering of builtin calls (docs/act-language.md, section 5): creation, elementwise math,
//! reductions, linear algebra, gradient control, printing and plotting.

use graphc_runtime::op::{Binary, Cmp, Unary};
use graphc_runtime::Op;

use super::{DropoutKind, Lowerer, Value};
use crate::check::builtins::{self, bind, Bound, Builtin};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::{NodeId, Region};
use crate::ir::program::{BackwardCall, DerivedCall, FigureEffect};
use crate::syntax::ast::{BinOp, Ident, Span};

/// The largest element count a creation call may ask for (16 GiB of f64), so a typo
/// such as `zeros(100000, 100000, 100)` is an error instead of an abort.
pub(crate) const MAX_ELEMENTS: u128 = 1 << 31;

impl<'a> Lowerer<'a> {
    pub(crate) fn call_builtin(&mut self, b: Builtin, name: &str, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let mut args = args;
        if let Some((inplace_name, at)) = builtins::inplace_parameter(b) {
            match self.take_inplace(name, &mut args, at) {
                None => return Value::Poison,
                Some(false) => {}
                // `F.relu(x, inplace=True)` is `F.relu_(x)`: the input object updated.
                Some(true) => {
                    let mut rest = args.into_iter();
                    let Some((None, x, xs)) = rest.next() else {
                        return self.error(
                            Diagnostic::new(Code::E0103, format!("`{name}(..., inplace=true)` needs its input first"), span, "no input")
                                .with_help(format!("pass the tensor to update as the first argument: `{name}(x, inplace=true)`")),
                        );
                    };
                    let Some(t) = self.expect_tensor(x, xs, &format!("the input of `{name}`")) else { return Value::Poison };
                    self.inplace_with(t, xs, &Ident { name: inplace_name.to_string(), span }, rest.collect(), span);
                    return Value::Tensor(self.current(t));
                }
            }
        }
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
            Builtin::Randn
            | Builtin::Normal
            | Builtin::Rand
            | Builtin::Zeros
            | Builtin::Ones
            | Builtin::Full
            | Builtin::Arange
            | Builtin::Linspace
            | Builtin::Eye
            | Builtin::Tensor
            | Builtin::OnesLike
            | Builtin::FullLike
            | Builtin::RandLike { .. }
            | Builtin::ZerosLike
            | Builtin::New(_)
            | Builtin::NewTensor
            | Builtin::ManualSeed => self.creation(b, name, &mut bound, span),
            Builtin::Unary(Unary::Round) if bound.keywords.contains_key("decimals") => self.round_decimals_call(&mut bound, span),
            Builtin::Unary(u) => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                let Some(t) = self.expect_tensor(v, vs, &format!("the argument of `{name}`")) else { return Value::Poison };
                let op = Op::Unary(u);
                let grad_fn = op.grad_fn().unwrap_or(CLONE_GRAD_FN);
                let Some(dt) = self.rule_dtype(u.result_type(), self.dtype_of(t), &format!("`{name}`"), vs) else { return Value::Poison };
                let t = self.cast_to(t, dt, vs);
                let sh = self.shape_of(t);
                Value::Tensor(self.op_node(op, dt, sh, &[t], span, grad_fn))
            }
            Builtin::Pow => {
                let [a, e] = self.two(&bound);
                self.binary(BinOp::Pow, a, e, span)
            }
            Builtin::Maximum | Builtin::Minimum | Builtin::Atan2 | Builtin::Logaddexp | Builtin::Logaddexp2 | Builtin::Hypot | Builtin::Heaviside => {
                self.min_max(b, name, &bound, span)
            }
            Builtin::Remainder | Builtin::Fmod => self.remainder_call(b, name, &bound, span),
            Builtin::Addc { div } => self.addc_call(div, name, &mut bound, span),
            Builtin::Aminmax => self.aminmax_call(&mut bound, span),
            Builtin::Sum
            | Builtin::Mean
            | Builtin::Amax
            | Builtin::Amin
            | Builtin::Var
            | Builtin::Std
            | Builtin::VarMean
            | Builtin::StdMean
            | Builtin::LogSumExp
            | Builtin::Norm
            | Builtin::Cumsum
            | Builtin::Cumprod
            | Builtin::Logcumsumexp
            | Builtin::Softmax
            | Builtin::LogSoftmax => self.reduction_call(b, name, &mut bound, span),
            Builtin::Max | Builtin::Min | Builtin::Argmax | Builtin::Argmin => self.extreme_call(b, name, &bound, span),
            Builtin::Sort | Builtin::Argsort | Builtin::Topk => self.sort_call(b, name, &mut bound, span),
            Builtin::CumExtreme { min } => self.cum_extreme_call(min, name, &bound, span),
            Builtin::Gather => self.gather_call(&bound, span),
            Builtin::IndexSelect => self.index_select_call(&bound, span),
            Builtin::Narrow => self.narrow_call(&bound, span),
            Builtin::OneHot => self.one_hot_call(&bound, span),
            Builtin::MseLoss
            | Builtin::L1Loss
            | Builtin::BinaryCrossEntropy
            | Builtin::BinaryCrossEntropyWithLogits
            | Builtin::CrossEntropy
            | Builtin::NllLoss
            | Builtin::SmoothL1Loss
            | Builtin::HuberLoss => self.loss_call(b, name, &mut bound, span),
            Builtin::Linear => self.linear(&bound, span),
            Builtin::Normalize => self.normalize(&bound, span),
            Builtin::LayerNorm => self.layer_norm(&bound, span),
            Builtin::RmsNorm => self.rms_norm(&bound, span),
            Builtin::Unfold => self.unfold_call(&bound, span),
            Builtin::Fold => self.fold_call(&bound, span),
            Builtin::TensorUnfold => self.tensor_unfold(&bound, span),
            Builtin::Cdist => self.cdist_call(&bound, span),
            Builtin::Pdist => self.pdist_call(&bound, span),
            Builtin::LpPool { dims } => self.lp_pool(dims, &bound, span),
            Builtin::InstanceNorm => self.instance_norm_call(&bound, span),
            Builtin::LocalResponseNorm => self.local_response_norm_call(&bound, span),
            Builtin::ChannelShuffle => self.channel_shuffle_call(&bound, span),
            Builtin::TriIndices { upper } => self.tri_indices_call(upper, name, &bound, span),
            Builtin::CartesianProd => self.cartesian_prod_call(&bound, span),
            Builtin::Combinations => self.combinations_call(&bound, span),
            Builtin::Rot90 => self.rot90_call(&bound, span),
            Builtin::BlockDiag => self.block_diag_call(&bound, span),
            Builtin::TakeAlongDim => self.take_along_dim_call(&bound, span),
            Builtin::DiagEmbed => self.diag_embed_call(&bound, span),
            Builtin::GroupNorm => self.group_norm(&bound, span),
            Builtin::Conv { dims, transposed } => self.conv(name, dims, transposed, &bound, span),
            Builtin::MaxPool { dims } => self.max_pool(name, dims, &bound, span),
            Builtin::BatchNorm => self.batch_norm(&bound, span),
            Builtin::AvgPool { dims } => self.avg_pool(name, dims, &bound, span),
            Builtin::AdaptiveAvgPool { dims } => self.adaptive_avg_pool(name, dims, &bound, span),
            Builtin::AdaptiveMaxPool { dims } => self.adaptive_max_pool(name, dims, &bound, span),
            Builtin::Pad => self.pad(&bound, span),
            Builtin::CosineSimilarity => self.cosine_similarity(&bound, span),
            Builtin::KlDiv => self.kl_div(&mut bound, span),
            Builtin::Dropout => self.dropout_call(&bound, DropoutKind::Plain, span),
            Builtin::Dropout2d => self.dropout_call(&bound, DropoutKind::Feature, span),
            Builtin::OtherDropout(kind) => self.dropout_call(&bound, kind, span),
            Builtin::Embedding | Builtin::Outer | Builtin::Softsign | Builtin::Tanhshrink | Builtin::Softmin => {
                self.nn_composite_call(b, name, &bound, span)
            }
            Builtin::EmbeddingBag => self.embedding_bag_call(&bound, span),
            Builtin::Lerp => self.lerp_call(&bound, span),
            Builtin::Glu => self.glu_call(&bound, span),
            Builtin::ScaledDotProductAttention => self.sdpa_call(&mut bound, span),
            Builtin::GumbelSoftmax => self.gumbel_softmax_call(&bound, span),
            Builtin::CompositeLoss(l) => self.composite_loss(l, name, &mut bound, span),
            Builtin::TripletMarginWithDistance => self.triplet_margin_with_distance(&mut bound, span),
            Builtin::PairwiseDistance => self.pairwise_distance_call(&bound, span),
            Builtin::Diff => self.diff_call(&bound, span),
            Builtin::Frac => self.frac_call(&bound, span),
            Builtin::Prelu => self.prelu_call(&bound, span),
            Builtin::PixelShuffle => self.pixel_shuffle_call(name, true, &bound, span),
            Builtin::PixelUnshuffle => self.pixel_shuffle_call(name, false, &bound, span),
            Builtin::Interpolate => self.interpolate_call(&bound, span),
            Builtin::GridSample => self.grid_sample_call(&bound, span),
            Builtin::AffineGrid => self.affine_grid_call(&bound, span),
            Builtin::AddProduct(kind) => self.add_product(kind, &mut bound, span),
            Builtin::MatMul => {
                let [(a, sa), (c, sc)] = self.two(&bound);
                let (Some(x), Some(y)) = (self.expect_tensor(a, sa, "matmul's input"), self.expect_tensor(c, sc, "matmul's other")) else {
                    return Value::Poison;
                };
                self.matmul(x, sa, y, sc, span)
            }
            Builtin::Transpose if bound.positional.len() > 1 => self.transpose_dims(&bound, span),
            Builtin::Transpose => self.transpose(&bound, span),
            Builtin::Shape(s) => self.shape_call(s, name, &bound, span),
            Builtin::Mm => {
                let [(a, sa), (c, sc)] = self.two(&bound);
                self.mm(a, sa, c, sc, span)
            }
            Builtin::T => {
                let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
                self.matrix_transpose(v, vs, span, "t", "TBackward0")
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
                Value::Tensor(self.node(Op::Unary(Unary::Detach), dt, sh, &[t], span))
            }
            Builtin::Print => self.print_call(bound),
            Builtin::Surrogate => self.surrogate(&bound, span),
            Builtin::Plot => self.plot(&mut bound, span),
            Builtin::Figure(fc) => self.figure_call(fc, &mut bound, span),
            Builtin::Compare(cmp) => {
                let [a, c] = self.two(&bound);
                let op = match cmp {
                    Cmp::Lt => BinOp::Lt,
                    Cmp::Le => BinOp::Le,
                    Cmp::Gt => BinOp::Gt,
                    Cmp::Ge => BinOp::Ge,
                    Cmp::Eq => BinOp::EqEq,
                    Cmp::Ne => BinOp::Ne,
                };
                self.compare(op, a, c, span)
            }
            Builtin::Where => self.where_call(&bound, span),
            Builtin::MaskedFill => self.masked_fill(&bound, span),
            Builtin::Logical(l) => self.logical(l, name, &bound, span),
            Builtin::FloatTest(t) => self.float_test(t, name, &bound, span),
            Builtin::NanToNum => self.nan_to_num(&bound, span),
            Builtin::Activation(a) => self.activation_call(a, name, &bound, span),
            Builtin::Cast(dt) => self.cast_call(Some(dt), &bound, span),
            Builtin::To => self.convert_or_move(name, &bound, span),
            Builtin::Data(d) => self.data_call(d, name, &mut bound, span),
            Builtin::ClipGrad(c) => self.clip_grad_call(c, &bound, span),
            Builtin::Init(f) => self.nn_init_call(f, name, &bound, span),
            Builtin::Gelu => self.gelu_call(&mut bound, span),
            Builtin::Prod => self.prod_call(&bound, span),
            Builtin::AllAny { any } => self.all_any_call(any, name, &bound, span),
            Builtin::Equal => self.equal_call(&bound, span),
            Builtin::IsClose { all } => self.isclose_call(all, name, &bound, span),
            Builtin::Xlogy => self.xlogy_call(name, false, &bound, span),
            Builtin::Xlog1py => self.xlogy_call(name, true, &bound, span),
            Builtin::MultiMarginLoss => self.multi_margin_call(&mut bound, span),
            Builtin::MultilabelMarginLoss => self.multilabel_margin_call(&mut bound, span),
            Builtin::Mvlgamma => self.mvlgamma_call(&bound, span),
            Builtin::Bilinear => self.bilinear_call(&bound, span),
            Builtin::MaxUnpool { dims } => self.max_unpool_call(name, dims, &bound, span),
            Builtin::Trapezoid { cumulative } => self.trapezoid_call(name, cumulative, &mut bound, span),
            Builtin::Cov => self.cov_call(&mut bound, span),
            Builtin::Corrcoef => self.corrcoef_call(&bound, span),
            Builtin::Entr => self.entr_call(&bound, span),
            Builtin::Ndtr => self.ndtr_call(&bound, span),
            Builtin::Isin => self.isin_call(&mut bound, span),
            Builtin::Ldexp => self.ldexp_call(&bound, span),
            Builtin::Vander => self.vander_call(&mut bound, span),
            Builtin::Take => self.take_call(&bound, span),
            Builtin::IndexFill => self.index_fill_call(&bound, span),
            Builtin::IndexCopy => self.index_copy_call(&bound, span),
            Builtin::Polygamma => self.polygamma_call(&bound, span),
            Builtin::NanReduction(which) => self.nan_reduction_call(which, name, &bound, span),
            Builtin::Scatter | Builtin::ScatterAdd | Builtin::IndexAdd | Builtin::ScatterReduce => self.scatter_call(b, name, &mut bound, span),
            Builtin::Tril | Builtin::Triu => self.triangle_call(b == Builtin::Triu, name, &bound, span),
            Builtin::Diag => self.diag_call(&bound, span),
            Builtin::Diagonal => self.diagonal_call(&bound, span),
            Builtin::Trace => self.trace_call(&bound, span),
            Builtin::Angle { to_radians } => self.angle_call(to_radians, name, &bound, span),
            Builtin::RepeatInterleave => self.repeat_interleave_call(&bound, span),
            Builtin::Cross { linalg } => self.cross_call(linalg, name, &bound, span),
            Builtin::Tensordot => self.tensordot_call(&bound, span),
            Builtin::Search { bucketize } => self.search_call(bucketize, name, &bound, span),
            Builtin::Logit => self.logit_call(&bound, span),
            Builtin::Copysign => self.copysign_call(&bound, span),
            Builtin::Kron => self.kron_call(&bound, span),
            Builtin::VecProduct(p) => self.vec_product_call(p, name, &bound, span),
            // The same reduction as `norm`, whose `p` it binds as `ord`.
            Builtin::VectorNorm => self.reduction_call(Builtin::Norm, name, &mut bound, span),
            Builtin::Fmax { min } => self.fmax_call(min, name, &bound, span),
            Builtin::Signbit | Builtin::LogicalXor | Builtin::Dist | Builtin::FloatPower | Builtin::Sgn => {
                self.small_elementwise_call(b, name, &bound, span)
            }
            Builtin::Median { nan } => self.median_call(nan, name, &bound, span),
            Builtin::Kthvalue => self.kthvalue_call(&bound, span),
            Builtin::Quantile { nan } => self.quantile_call(nan, name, &mut bound, span),
            Builtin::LinalgNorm { matrix } => self.linalg_norm_call(matrix, name, &bound, span),
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
                        if !self.check_figure_path(&s, vs) {
                            return Value::Poison;
                        }
                        FigureEffect::SaveFig { path: s, span }
                    }
                };
                self.figure(fx)
            }
        }
    }

    /// `maximum(input, other)`, `minimum(input, other)`, `atan2(input, other)`
    /// and `logaddexp(input, other)`.
    pub(super) fn min_max(&mut self, b: Builtin, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let [(a, sa), (c, sc)] = self.two(bound);
        let (Some(x), Some(y)) = (self.expect_tensor(a, sa, &format!("`{name}`'s input")), self.expect_tensor(c, sc, &format!("`{name}`'s other")))
        else {
            return Value::Poison;
        };
        let b = match b {
            Builtin::Maximum => Binary::Maximum,
            Builtin::Atan2 => Binary::Atan2,
            Builtin::Logaddexp => Binary::Logaddexp,
            Builtin::Logaddexp2 => Binary::Logaddexp2,
            Builtin::Hypot => Binary::Hypot,
            Builtin::Heaviside => Binary::Heaviside,
            _ => Binary::Minimum,
        };
        // ATen's `heaviside` refuses to promote: "heaviside is not yet
        // implemented for tensors with different dtypes" (a 0-d `values`
        // included, unlike the other binary functions).
        if b == Binary::Heaviside && self.dtype_of(x) != self.dtype_of(y) {
            let (dx, dy) = (self.dtype_of(x), self.dtype_of(y));
            return self.error(
                Diagnostic::new(Code::E0201, "heaviside is not yet implemented for tensors with different dtypes", sc, format!("this is {dy}"))
                    .with_secondary(sa, format!("this is {dx}"))
                    .with_help(format!("convert `values` to the input's dtype first, {dx} here: `values.to(input.dtype)`")),
            );
        }
        let Some(dt) = self.promote_tensors(x, sa, y, sc, &format!("`{name}`")) else { return Value::Poison };
        let Some(dt) = self.rule_dtype(b.result_type(), dt, &format!("`{name}`"), span) else { return Value::Poison };
        let (x, y) = (self.cast_to(x, dt, sa), self.cast_to(y, dt, sc));
        let Some(shape) = self.meet(x, sa, y, sc, &format!("`{name}`")) else { return Value::Poison };
        let op = Op::Binary(b);
        let grad_fn = op.grad_fn().unwrap_or(CLONE_GRAD_FN);
        Value::Tensor(self.op_node(op, dt, shape, &[x, y], span, grad_fn))
    }

    /// `transpose(input)` of a 2-D tensor.
    fn transpose(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(t) = self.expect_tensor(v, vs, "transpose's input") else { return Value::Poison };
        match shapes::transpose(&self.shape_of(t)) {
            Ok(sh) => {
                let dt = self.dtype_of(t);
                Value::Tensor(self.op_node(Op::Transpose, dt, sh, &[t], span, "TransposeBackward0"))
            }
            Err(msg) => self.error(Diagnostic::new(Code::E0202, msg, vs, "not 2-D").with_help("transpose swaps the two dimensions of a matrix")),
        }
    }

    pub(super) fn two(&self, bound: &Bound<Value>) -> [(Value, Span); 2] {
        [bound.positional[0].clone().expect("bind guarantees two"), bound.positional[1].clone().expect("bind guarantees two")]
    }

    /// A number argument (E0107 otherwise).
    pub(crate) fn number(&mut self, v: &Value, span: Span, what: &str) -> Option<f64> {
        match v {
            Value::Number(n) => Some(n.f64()),
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

    /// An optional number argument, `default` when it is not given (E0107 for
    /// something else than a number).
    pub(crate) fn number_or(&mut self, arg: Option<(Value, Span)>, default: f64, what: &str) -> Option<f64> {
        match arg {
            None => Some(default),
            Some((v, s)) => self.number(&v, s, what),
        }
    }

    /// A boolean keyword argument.
    pub(super) fn flag(&mut self, bound: &mut Bound<Value>, name: &str, default: bool) -> Option<bool> {
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
        // PyTorch's engine raises when it reaches a node with no derivative.
        let reached = crate::autodiff::backward_nodes(&self.prog, y);
        let no_derivative = reached.into_iter().filter(|n| self.grad_fn.get(n).is_some_and(|f| f == super::scatter_calls::NOT_IMPLEMENTED)).min();
        if let Some(n) = no_derivative {
            let at = self.prog.graph.meta(n).span;
            let d = if matches!(self.prog.graph.node(n).op, Op::Binary(Binary::Heaviside)) {
                Diagnostic::new(Code::E0410, "derivative for aten::heaviside is not implemented", ys, "differentiated through a `heaviside`")
                    .with_secondary(at, "`heaviside` has no derivative")
                    .with_help(
                        "apply it to `x.detach()`, or give the step a surrogate gradient: a custom `Function` whose backward says what the step passes back",
                    )
            } else {
                Diagnostic::new(Code::E0410, "derivative for aten::scatter is not implemented", ys, "differentiated through a `scatter(reduce=)`")
                    .with_secondary(at, "`scatter` with `reduce=` has no derivative")
                    .with_help(
                        "use `scatter_reduce(input, dim, index, src, \"sum\")` (or \"prod\"), which has one, or `detach()` the scatter's operands",
                    )
            };
            self.error(d);
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

    /// `grad(outputs, inputs, grad_outputs=none, create_graph=false,
    /// retain_graph=create_graph, allow_unused=false)`: the tuple of the gradients of `y` with respect to
    /// `x` (a tensor, or a list or tuple of them), as `torch.autograd.grad`
    /// returns it, without touching `.grad` (`none` for a tensor that `y` does
    /// not use, with `allow_unused=true`). `grad=g` is graphc's earlier name for
    /// `grad_outputs`. With `create_graph` the gradients are derived now, requiring
    /// grad where they depend on tensors that do, so later statements can
    /// differentiate them again.
    fn grad(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let Some(create_graph) = self.flag(bound, "create_graph", false) else { return Value::Poison };
        let Some(retain_graph) = self.flag(bound, "retain_graph", create_graph) else { return Value::Poison };
        let Some(allow_unused) = self.flag(bound, "allow_unused", false) else { return Value::Poison };
        // PyTorch ignores `only_inputs` (deprecated; older code passes `only_inputs=True`).
        if self.flag(bound, "only_inputs", true).is_none() {
            return Value::Poison;
        }
        let Some((y, ys)) = self.differentiable(bound) else { return Value::Poison };
        let (v, vs) = bound.positional[1].clone().expect("bind guarantees the input");
        let inputs = match v {
            Value::List(items) | Value::Tuple(items) => items,
            other => vec![(other, vs)],
        };
        if inputs.is_empty() {
            return self.error(
                Diagnostic::new(Code::E0107, "grad requires non-empty inputs.", vs, "no tensors")
                    .with_help("list the tensors to differentiate with respect to: `grad(y, [w, b])`"),
            );
        }
        // The tensors asked for, in order; `None` for one that `y` does not use.
        let mut xs: Vec<Option<NodeId>> = Vec::with_capacity(inputs.len());
        for (v, s) in inputs {
            let Some(x) = self.expect_tensor(v, s, "the tensor to differentiate with respect to") else { return Value::Poison };
            if crate::autodiff::reaches(&self.prog, y, x) {
                xs.push(Some(x));
                continue;
            }
            if allow_unused {
                xs.push(None);
                continue;
            }
            return self.error(
                Diagnostic::new(Code::E0405, "no gradient flows from this tensor to the one asked for", s, "not used to compute the first argument")
                    .with_secondary(ys, "differentiated tensor")
                    .with_help("ask for the gradient with respect to a tensor that requires grad and is used (not through `detach`) to compute the first argument, or pass `allow_unused=true` to get `none` for it"),
            );
        }
        let given = bound.positional.get(2).cloned().flatten();
        let given = match (given, bound.keyword("grad")) {
            (Some(_), Some((_, s))) => {
                return self.error(
                    Diagnostic::new(Code::E0107, "`grad` got the gradient twice, as `grad_outputs` and as `grad`", s, "given twice")
                        .with_help("pass it once"),
                )
            }
            (g, None) => g,
            (None, g) => g,
        };
        let Ok(seed) = self.seed(given, y, ys) else { return Value::Poison };
        let mut targets: Vec<NodeId> = Vec::new();
        for &x in xs.iter().flatten() {
            if !targets.contains(&x) {
                targets.push(x);
            }
        }
        for &x in &targets {
            if !self.check_grad_crosses_ifs(y, x, span) {
                return Value::Poison;
            }
        }
        // PyTorch returns a tuple even for one tensor: `g, = grad(y, x)`, `grad(y, x)[0]`.
        let result = |grads: &std::collections::HashMap<NodeId, NodeId>| {
            Value::Tuple(xs.iter().map(|x| (x.map_or(Value::None, |x| Value::Tensor(grads[&x])), vs)).collect())
        };
        if targets.is_empty() {
            // Every tensor asked for is unused: PyTorch runs nothing and gives `None`s.
            return result(&std::collections::HashMap::new());
        }
        let k = self.prog.backwards.len() as u32;
        let region = Region::Backward(k);
        if create_graph {
            // The backward of a loop or a run-time `if` is a region of its own,
            // whose gradients are not themselves differentiable yet.
            let crossed = crate::autodiff::backward_nodes(&self.prog, y)
                .into_iter()
                .filter(|n| matches!(self.prog.graph.node(*n).op, graphc_runtime::Op::RegionOutput { .. }))
                .filter(|n| targets.iter().all(|x| n != x) && targets.iter().any(|x| crate::autodiff::reaches(&self.prog, *n, *x)))
                .min();
            if let Some(n) = crossed {
                let what = if crate::autodiff::branch_of(&self.prog, n).is_some() { "an `if` decided at run time" } else { "a loop" };
                return self.error(
                    Diagnostic::new(Code::E0604, format!("`create_graph=true` through {what} is not supported"), span, "a gradient of a gradient")
                        .with_secondary(self.prog.graph.meta(n).span, if what == "a loop" { "the loop" } else { "the `if`" })
                        .with_help("differentiate only once (`create_graph=false`), or compute the value outside the loop or `if`"),
                );
            }
            // graphc builds the first derivative of a layer norm or a group norm
            // from PyTorch's backward kernel, and not that kernel's own derivative.
            let norm = crate::autodiff::backward_nodes(&self.prog, y)
                .into_iter()
                .filter(|n| {
                    matches!(
                        self.prog.graph.node(*n).op,
                        graphc_runtime::Op::LayerNorm(_) | graphc_runtime::Op::GroupNorm(_) | graphc_runtime::Op::GridSample(_)
                    )
                })
                .filter(|n| targets.iter().all(|x| n != x) && targets.iter().any(|x| crate::autodiff::reaches(&self.prog, *n, *x)))
                .min();
            if let Some(n) = norm {
                if matches!(self.prog.graph.node(n).op, graphc_runtime::Op::GridSample(_)) {
                    return self.error(
                        Diagnostic::new(Code::E0411, "`create_graph=true` through `grid_sample` is not supported", span, "a gradient of a gradient")
                            .with_secondary(self.prog.graph.meta(n).span, "the grid sample")
                            .with_help("differentiate only once (`create_graph=false`): PyTorch has no derivative of grid_sample's gradient either"),
                    );
                }
                let (name, what) = if matches!(self.prog.graph.node(n).op, graphc_runtime::Op::LayerNorm(_)) {
                    ("layer_norm", "layer norm")
                } else {
                    ("group_norm", "group norm")
                };
                return self.error(
                    Diagnostic::new(Code::E0411, format!("`create_graph=true` through `{name}` is not supported"), span, "a gradient of a gradient")
                        .with_secondary(self.prog.graph.meta(n).span, format!("the {what}"))
                        .with_help(format!("differentiate only once (`create_graph=false`), or write this {what} from `mean`, `var` and `sqrt`, whose gradients are differentiable")),
                );
            }
            let templates = crate::autodiff::templates(&self.prog);
            let wanted: std::collections::HashSet<NodeId> = targets.iter().copied().collect();
            let d = crate::autodiff::derive(&mut self.prog, y, seed, span, region, &wanted, true, &templates);
            self.grad_fn.extend(d.grad_fns.iter().cloned());
            let derived = Some(DerivedCall { holders: d.holders, forward_reads: d.forward_reads });
            self.prog.backwards.push(BackwardCall { span, root: y, seed, retain_graph, targets: vec![], derived });
            return result(&d.grads);
        }
        let saved_region = std::mem::replace(&mut self.region, region);
        let mut placeholders = std::collections::HashMap::new();
        let mut pairs = Vec::with_capacity(targets.len());
        for &x in &targets {
            let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
            let placeholder = self.node(Op::Param(pairs.len() as u32), dt, sh, &[], span);
            self.prog.graph.meta_mut(placeholder).note = Some("grad(...)".to_string());
            placeholders.insert(x, placeholder);
            pairs.push((x, placeholder));
        }
        self.region = saved_region;
        self.prog.backwards.push(BackwardCall { span, root: y, seed, retain_graph, targets: pairs, derived: None });
        result(&placeholders)
    }

    /// A `backward` (the function or the method) of a value whose error was
    /// reported: nothing runs, and the `.grad`s it would have set are unknown,
    /// so later reads of them that are still `None` are not errors of their own.
    pub(super) fn backward_of_poison(&mut self) -> Value {
        self.poisoned_backward = true;
        Value::Poison
    }

    /// `backward(y, grad=g, retain_graph=b)`: records the call and gives each reached leaf's `.grad` a new value.
    fn backward(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let Some(retain_graph) = self.flag(bound, "retain_graph", false) else { return Value::Poison };
        if matches!(bound.positional[0], Some((Value::Poison, _))) {
            return self.backward_of_poison();
        }
        let Some((y, ys)) = self.differentiable(bound) else { return Value::Poison };
        let y = self.rematerialize(y);
        if !self.check_backward_stays_in_loop(y, span) {
            return Value::Poison;
        }
        let Ok(seed) = self.seed(bound.positional.get(1).cloned().flatten(), y, ys) else { return Value::Poison };
        let k = self.prog.backwards.len() as u32;
        let saved_region = self.region;
        self.region = Region::Backward(k);
        let leaves = crate::autodiff::reachable_leaves(&self.prog, y);
        let mut targets = Vec::new();
        for (i, leaf) in leaves.into_iter().enumerate() {
            let (ldt, lsh) = (self.dtype_of(leaf), self.shape_of(leaf));
            let placeholder = self.node(Op::Param(i as u32), ldt, lsh, &[], span);
            let note = self.prog.graph.meta(leaf).note.clone().unwrap_or_else(|| "leaf".to_string());
            self.prog.graph.meta_mut(placeholder).note = Some(format!("gradient for {note}"));
            // A leaf updated in place since `y` was computed from it (`opt.step()`) is
            // the same tensor object: its current version holds the `.grad`.
            let holder = self.current(leaf);
            let old = self.grad_state[&holder];
            let new = self.accumulated(old, placeholder, &note, span);
            self.grad_state.insert(holder, Some(new));
            targets.push((leaf, placeholder));
        }
        self.retained_targets(y, &mut targets, span);
        self.region = saved_region;
        self.prog.backwards.push(BackwardCall { span, root: y, seed, retain_graph, targets, derived: None });
        Value::None
    }
}

impl Lowerer<'_> {
    /// A `.grad` after a backward gave it `placeholder`, as PyTorch's
    /// AccumulateGrad makes it: the first gradient stored (also over one whose
    /// value is unknown), later ones added in.
    pub(super) fn accumulated(&mut self, old: Option<NodeId>, placeholder: NodeId, note: &str, span: Span) -> NodeId {
        match old {
            None => placeholder,
            Some(old) if self.uncertain_grad(old, span) => placeholder,
            Some(old) => {
                let (dt, sh) = (self.dtype_of(placeholder), self.shape_of(placeholder));
                let a = self.node(Op::Binary(Binary::Add), dt, sh, &[old, placeholder], span);
                self.prog.graph.meta_mut(a).note = Some(format!("{note}.grad"));
                a
            }
        }
    }
}

/// The `grad_fn` PyTorch shows for a node that autodiff derived (a gradient built
/// with `create_graph=true`): the backward of the op PyTorch's formula runs there.
pub(super) fn derived_grad_fn(op: &Op) -> &'static str {
    op.grad_fn().unwrap_or(CLONE_GRAD_FN)
}

/// What PyTorch shows for a derived value that no differentiable op made (a
/// constant or detached value copied into the gradient).
pub(super) const CLONE_GRAD_FN: &str = "CloneBackward0";

impl Lowerer<'_> {
    /// Takes `inplace`, by keyword or as positional argument `at`, out of a
    /// call's arguments: whether it was `true` (`false` when not given), or
    /// `None` after reporting an `inplace` that is not a bool.
    fn take_inplace(&mut self, name: &str, args: &mut Vec<(Option<Ident>, Value, Span)>, at: usize) -> Option<bool> {
        let keyword = args.iter().position(|(k, _, _)| k.as_ref().is_some_and(|k| k.name == "inplace"));
        let positional = || args.iter().enumerate().filter(|(_, (k, _, _))| k.is_none()).nth(at).map(|(i, _)| i);
        let Some(i) = keyword.or_else(positional) else { return Some(false) };
        match args.remove(i) {
            (_, Value::Bool(b), _) => Some(b),
            (_, Value::Poison, _) => None,
            (_, other, s) => {
                self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{name}`'s `inplace` must be a bool known at compile time, not {}", other.describe()),
                        s,
                        "not a bool",
                    )
                    .with_help("pass `inplace=true` or `inplace=false`"),
                );
                None
            }
        }
    }
}
