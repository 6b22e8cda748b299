//! Which operands of a node a gradient flows into, from the one declaration that
//! the derivative rules, the create_graph `requires_grad` flags and every walk of
//! autodiff agree on: the op table's `Op::differentiable`.

use graphc_runtime::op::Unary;
use graphc_runtime::Op;

use crate::ir::graph::NodeId;
use crate::ir::program::Program;

/// The nodes a gradient at `n` flows into: at a user op's output, the arguments
/// whose gradient its backward block returns (not `none`); elsewhere the
/// operands the derivative rule differentiates. Only those that require grad.
pub(crate) fn gradient_edges(prog: &Program, n: NodeId) -> Vec<NodeId> {
    let g = &prog.graph;
    if let Some(inputs) = region_inputs(prog, n, gradient_edges) {
        return inputs;
    }
    let edges: Vec<NodeId> = match prog.custom_output.get(&n).and_then(|&c| prog.custom_calls.get(c)) {
        Some(call) => call.inputs.iter().zip(&call.returns).filter(|(_, r)| r.is_some()).map(|(i, _)| *i).collect(),
        None => {
            let op = &g.node(n).op;
            g.operands(n).into_iter().enumerate().filter(|(i, _)| op.differentiable(*i)).map(|(_, o)| o).collect()
        }
    };
    edges.into_iter().filter(|e| g.meta(*e).requires_grad).collect()
}

/// The nodes `n` is connected to in the autograd graph: as [`gradient_edges`],
/// but also through operands that require grad and receive a zero gradient
/// (PyTorch's `zeros_like` formulas, such as `threshold_backward`'s for its
/// `self`). A leaf connected only that way still has its `.grad` set, to zeros.
pub(crate) fn graph_edges(prog: &Program, n: NodeId) -> Vec<NodeId> {
    let g = &prog.graph;
    if let Some(inputs) = region_inputs(prog, n, graph_edges) {
        return inputs;
    }
    match prog.custom_output.get(&n) {
        Some(_) => gradient_edges(prog, n),
        None if matches!(g.node(n).op, Op::Unary(Unary::Detach)) => vec![],
        None => g.operands(n).into_iter().filter(|o| g.meta(*o).requires_grad).collect(),
    }
}

/// At an output of a region, the region's inputs it is connected to through
/// `edges` inside it: for a run-time `if`, those it depends on in either side;
/// for a loop, those it depends on across iterations. `None` elsewhere.
fn region_inputs(prog: &Program, n: NodeId, edges: fn(&Program, NodeId) -> Vec<NodeId>) -> Option<Vec<NodeId>> {
    let Op::RegionOutput { output, .. } = &prog.graph.node(n).op else {
        return None;
    };
    if let Some(e) = super::branches::branch_of(prog, n) {
        return Some(super::branches::connected_inputs(prog, e, *output as usize, edges));
    }
    super::loops::loop_of(prog, n).map(|e| super::loops::connected_inputs(prog, e, *output as usize, edges))
}

#[cfg(test)]
mod tests {
    use graphc_runtime::op::{
        Activation, Binary, Cmp, Conv, ConvPart, F64Bits, FloatTest, GroupNorm, IndexOp, LayerNorm, LayerNormPart, Logical, LossKind, LossReduction,
        ReduceKind, Scalar, Unary,
    };
    use graphc_runtime::{DType, Op};

    use crate::autodiff::builder::RuleCtx;
    use crate::autodiff::rules;
    use crate::ir::graph::{Graph, Node, NodeMeta, Region};
    use crate::syntax::ast::Span;

    /// One instance of every op: the sources and parameterised ops by hand, the
    /// elementwise families from their tables.
    fn every_op() -> Vec<Op> {
        let one = F64Bits::new(1.0);
        let mut ops = vec![
            Op::Full(graphc_runtime::op::Scalar::float(1.0)),
            Op::Literal(vec![graphc_runtime::op::Scalar::float(1.0)]),
            Op::Arange { start: Scalar::float(1.0), step: Scalar::float(1.0) },
            Op::Linspace { start: one, end: one },
            Op::Randn,
            Op::Rand,
            Op::Param(0),
            Op::Input(0),
            Op::Data(graphc_runtime::op::DataOp::Randperm),
            Op::Data(graphc_runtime::op::DataOp::Exponential { lambda: F64Bits::new(1.5) }),
            Op::Data(graphc_runtime::op::DataOp::TruncNormal {
                mean: F64Bits::new(0.0),
                std: F64Bits::new(1.0),
                lo: F64Bits::new(-2.0),
                hi: F64Bits::new(2.0),
            }),
            Op::PowScalar(F64Bits::new(2.0)),
            Op::PowScalar(F64Bits::new(0.0)),
            Op::Where(Cmp::Le),
            Op::Fma,
            Op::Expand,
            Op::SumTo,
            Op::Reshape,
            Op::Transpose,
            Op::Permute(vec![1, 2, 0]),
            Op::Slice { dim: 1, start: 1, step: 2 },
            Op::SliceBackward { dim: 1, start: 1, step: 2 },
            Op::Cat { dim: 1, n: 3 },
            Op::Sum { dim: None },
            Op::Sum { dim: Some(0) },
            Op::Mean { dim: None },
            Op::Mean { dim: Some(0) },
            Op::MatMul,
            Op::Cast,
            Op::Compare(Cmp::Ne),
            Op::Select,
            Op::Logical(Logical::And),
            Op::Logical(Logical::Not),
            Op::FloatTest(FloatTest::IsNan),
            Op::NanToNum { nan: one, posinf: one, neginf: one },
            Op::Cumsum { dim: 1, reverse: false },
            Op::Cumprod { dim: 1 },
            Op::Logcumsumexp { dim: 1, reverse: false },
            Op::Softmax { dim: 1, log: false },
            Op::Softmax { dim: 0, log: true },
            Op::ProdOthers { dim: Some(1) },
            Op::ProdOthersVjp { dim: None, order: 1 },
            Op::ProdOthersVjp { dim: Some(0), order: 2 },
            Op::SoftmaxBackward { dim: 1, log: false },
            Op::SoftmaxBackward { dim: 0, log: true },
            Op::Activation(Activation::Clamp { min: Some(one), max: None }),
            Op::Activation(Activation::Hardtanh { min: one, max: one }),
            Op::Activation(Activation::LeakyRelu { slope: one }),
            Op::Activation(Activation::Elu { alpha: one }),
            Op::Activation(Activation::Softplus { beta: one, threshold: one }),
            Op::Activation(Activation::Hardsigmoid),
            Op::Activation(Activation::Selu),
            Op::Activation(Activation::Celu { alpha: one }),
            Op::Activation(Activation::Hardswish),
            Op::Activation(Activation::Softshrink { lambd: F64Bits::new(0.5) }),
            Op::Activation(Activation::Hardshrink { lambd: F64Bits::new(0.5) }),
            Op::Activation(Activation::Threshold { threshold: F64Bits::new(0.1), value: F64Bits::new(-1.0) }),
        ];
        let c1 = F64Bits::new(1.0);
        let kinds = [
            ReduceKind::Sum,
            ReduceKind::Mean,
            ReduceKind::Amax,
            ReduceKind::Amin,
            ReduceKind::Var(c1),
            ReduceKind::Std(c1),
            ReduceKind::VarMeanVar(c1),
            ReduceKind::VarMeanMean,
            ReduceKind::LogSumExp,
            ReduceKind::Norm(F64Bits::new(2.0)),
            ReduceKind::Norm(c1),
            ReduceKind::Prod,
            ReduceKind::ProdAll,
            ReduceKind::SeqSum,
        ];
        // nll_loss's sums take a vector only.
        ops.extend([ReduceKind::NllSum, ReduceKind::NllMean, ReduceKind::NllSumSkipping].map(|kind| Op::Reduce {
            kind,
            dims: vec![0],
            keepdim: false,
        }));
        ops.extend(kinds.into_iter().map(|kind| Op::Reduce { kind, dims: vec![1], keepdim: true }));
        let half = F64Bits::new(0.5);
        for kind in [LossKind::Mse, LossKind::Bce, LossKind::BceWithLogits, LossKind::SmoothL1(half), LossKind::Huber(half), LossKind::SoftMargin] {
            ops.extend([LossReduction::None, LossReduction::Mean, LossReduction::Sum].map(|reduction| Op::Loss { kind, reduction }));
        }
        ops.extend(Unary::ALL.iter().map(|u| Op::Unary(*u)));
        ops.extend(Binary::ALL.iter().map(|b| Op::Binary(*b)));
        ops.extend(
            [
                IndexOp::Arg { dim: Some(1), keepdim: false, min: false },
                IndexOp::Sort { dim: 1, descending: false, stable: false },
                IndexOp::TopK { dim: 1, k: 2, largest: true, sorted: true },
                IndexOp::Kth { dim: 1, k: 2 },
                IndexOp::CumExtreme { dim: 1, min: false },
                IndexOp::Gather { dim: 1 },
                IndexOp::ScatterAdd { dim: 1 },
                IndexOp::Search { right: false, sorter: false },
                IndexOp::Search { right: true, sorter: true },
            ]
            .map(Op::Index),
        );
        ops.extend(
            [IndexOp::ScatterInto { dim: 1, add: false }, IndexOp::ScatterInto { dim: 1, add: true }, IndexOp::ScatterFma { dim: 1 }].map(Op::Index),
        );
        let eps = F64Bits::new(1e-5);
        for part in [
            LayerNormPart::Forward { weight: false, bias: false },
            LayerNormPart::Forward { weight: true, bias: false },
            LayerNormPart::Forward { weight: false, bias: true },
            LayerNormPart::Forward { weight: true, bias: true },
            LayerNormPart::InputGrad { weight: false },
            LayerNormPart::InputGrad { weight: true },
            LayerNormPart::WeightGrad,
            LayerNormPart::BiasGrad,
        ] {
            ops.push(Op::LayerNorm(LayerNorm { dims: 1, eps, part }));
            ops.push(Op::GroupNorm(GroupNorm { groups: 1, eps, part }));
        }
        for reduce in graphc_runtime::op::ScatterReduce::ALL {
            ops.extend([true, false].map(|include_self| Op::Index(IndexOp::ScatterReduce { dim: 1, reduce, include_self })));
        }
        let window = graphc_runtime::op::MaxPool { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] };
        ops.push(Op::Index(IndexOp::MaxPool(window)));
        ops.push(Op::Index(IndexOp::AdaptiveMaxPool));
        for windows in [
            graphc_runtime::op::PoolWindows::Fixed { kernel: [2, 2], stride: [2, 2], padding: [0, 0], count_include_pad: true, divisor: None },
            graphc_runtime::op::PoolWindows::Adaptive,
        ] {
            for part in [graphc_runtime::op::AvgPoolPart::Forward, graphc_runtime::op::AvgPoolPart::Backward] {
                ops.push(Op::AvgPool(graphc_runtime::op::AvgPool { windows, part }));
            }
        }
        for part in [graphc_runtime::op::UpsamplePart::Forward, graphc_runtime::op::UpsamplePart::Backward] {
            let factor = Some(F64Bits::new(2.0));
            ops.push(Op::Upsample(graphc_runtime::op::Upsample { spatial: 2, align_corners: false, scales: [factor, factor, None], part }));
        }
        for part in
            [graphc_runtime::op::GridSamplePart::Forward, graphc_runtime::op::GridSamplePart::InputGrad, graphc_runtime::op::GridSamplePart::GridGrad]
        {
            use graphc_runtime::op::{GridMode, GridPadding, GridSample};
            ops.push(Op::GridSample(GridSample { mode: GridMode::Bilinear, padding: GridPadding::Zeros, align_corners: false, part }));
        }
        for part in [
            ConvPart::Forward { bias: false },
            ConvPart::Forward { bias: true },
            ConvPart::Transposed { bias: false },
            ConvPart::Transposed { bias: true },
            ConvPart::WeightGrad,
        ] {
            ops.push(Op::Conv(Conv { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, part }));
        }
        ops
    }

    /// Operand shapes and the result shape of a well-formed node of `op`.
    fn shapes(op: &Op) -> (Vec<Vec<usize>>, Vec<usize>) {
        match op {
            Op::Full(_)
            | Op::Literal(_)
            | Op::Arange { .. }
            | Op::Linspace { .. }
            | Op::Randn
            | Op::Rand
            | Op::Param(_)
            | Op::Input(_)
            | Op::Data(_) => (vec![], vec![3]),
            Op::RegionOutput { .. } => (vec![], vec![3]),
            Op::Unary(_) | Op::PowScalar(_) | Op::Activation(_) => (vec![vec![3]], vec![3]),
            Op::Binary(_) => (vec![vec![3], vec![3]], vec![3]),
            Op::Where(_) => (vec![vec![3]; 4], vec![3]),
            Op::Expand => (vec![vec![1]], vec![3]),
            Op::SumTo => (vec![vec![3]], vec![1]),
            Op::Reshape => (vec![vec![3]], vec![3, 1]),
            Op::Transpose => (vec![vec![2, 3]], vec![3, 2]),
            Op::Permute(_) => (vec![vec![2, 3, 4]], vec![3, 4, 2]),
            Op::Slice { .. } => (vec![vec![2, 5]], vec![2, 2]),
            Op::SliceBackward { .. } => (vec![vec![2, 2]], vec![2, 5]),
            Op::Cat { .. } => (vec![vec![2, 1], vec![2, 3], vec![2, 2]], vec![2, 6]),
            Op::Sum { dim: None } | Op::Mean { dim: None } => (vec![vec![3]], vec![]),
            Op::Sum { dim: Some(_) } | Op::Mean { dim: Some(_) } => (vec![vec![2, 3]], vec![3]),
            Op::MatMul => (vec![vec![2, 3], vec![3, 4]], vec![2, 4]),
            Op::Cast | Op::FloatTest(_) | Op::NanToNum { .. } | Op::Logical(Logical::Not) => (vec![vec![3]], vec![3]),
            Op::Compare(_) | Op::Logical(_) => (vec![vec![3], vec![3]], vec![3]),
            Op::Select => (vec![vec![3]; 3], vec![3]),
            Op::Fma => (vec![vec![3]; 3], vec![3]),
            Op::Reduce { kind: ReduceKind::NllSum | ReduceKind::NllMean, .. } => (vec![vec![3]], vec![]),
            Op::Reduce { kind: ReduceKind::NllSumSkipping, .. } => (vec![vec![3], vec![3]], vec![]),
            Op::Reduce { .. } => (vec![vec![2, 3]], vec![2, 1]),
            Op::Cumsum { .. } | Op::Cumprod { .. } | Op::Logcumsumexp { .. } | Op::Softmax { .. } | Op::ProdOthers { .. } => {
                (vec![vec![2, 3]], vec![2, 3])
            }
            Op::ProdOthersVjp { order, .. } => (vec![vec![2, 3]; order + 1], vec![2, 3]),
            Op::SoftmaxBackward { .. } => (vec![vec![2, 3], vec![2, 3]], vec![2, 3]),
            Op::Loss { reduction: LossReduction::None, .. } => (vec![vec![3], vec![3]], vec![3]),
            Op::Loss { .. } => (vec![vec![3], vec![3]], vec![]),
            Op::LayerNorm(LayerNorm { part, .. }) | Op::GroupNorm(GroupNorm { part, .. }) => match *part {
                LayerNormPart::Forward { weight, bias } => {
                    let mut operands = vec![vec![2, 3]];
                    operands.extend(std::iter::repeat_n(vec![3], weight as usize + bias as usize));
                    (operands, vec![2, 3])
                }
                LayerNormPart::InputGrad { weight } => {
                    let mut operands = vec![vec![2, 3], vec![2, 3]];
                    operands.extend(std::iter::repeat_n(vec![3], weight as usize));
                    (operands, vec![2, 3])
                }
                LayerNormPart::WeightGrad => (vec![vec![2, 3], vec![2, 3]], vec![3]),
                LayerNormPart::BiasGrad => (vec![vec![2, 3]], vec![3]),
            },
            Op::Index(IndexOp::Arg { .. }) => (vec![vec![2, 3]], vec![2]),
            Op::Index(IndexOp::Sort { .. } | IndexOp::CumExtreme { .. }) => (vec![vec![2, 3]], vec![2, 3]),
            Op::Index(IndexOp::TopK { .. }) => (vec![vec![2, 3]], vec![2, 2]),
            Op::Index(IndexOp::Kth { .. }) => (vec![vec![2, 3]], vec![2, 1]),
            Op::Index(IndexOp::Gather { .. }) => (vec![vec![2, 3], vec![2, 1]], vec![2, 1]),
            Op::Index(IndexOp::ScatterAdd { .. }) => (vec![vec![2, 1], vec![2, 1]], vec![2, 3]),
            Op::Index(IndexOp::ScatterInto { .. } | IndexOp::ScatterReduce { .. }) => (vec![vec![2, 3], vec![2, 1], vec![2, 1]], vec![2, 3]),
            Op::Index(IndexOp::ScatterFma { .. }) => (vec![vec![2, 3], vec![2, 1], vec![2, 1], vec![2, 1]], vec![2, 3]),
            Op::Index(IndexOp::MaxPool(_) | IndexOp::AdaptiveMaxPool) => (vec![vec![1, 2, 4, 4]], vec![1, 2, 2, 2]),
            Op::Index(IndexOp::Search { sorter, .. }) => {
                let mut operands = vec![vec![2, 4], vec![2, 3]];
                operands.extend(std::iter::repeat_n(vec![2, 4], *sorter as usize));
                (operands, vec![2, 3])
            }
            Op::AvgPool(p) => match p.part {
                graphc_runtime::op::AvgPoolPart::Forward => (vec![vec![1, 2, 4, 4]], vec![1, 2, 2, 2]),
                graphc_runtime::op::AvgPoolPart::Backward => (vec![vec![1, 2, 2, 2]], vec![1, 2, 4, 4]),
            },
            Op::Upsample(u) => match u.part {
                graphc_runtime::op::UpsamplePart::Forward => (vec![vec![1, 2, 2, 3]], vec![1, 2, 4, 6]),
                graphc_runtime::op::UpsamplePart::Backward => (vec![vec![1, 2, 4, 6]], vec![1, 2, 2, 3]),
            },
            // A 2x3 image of 2 channels read at 4x5 positions.
            Op::GridSample(g) => match g.part {
                graphc_runtime::op::GridSamplePart::Forward => (vec![vec![1, 2, 2, 3], vec![1, 4, 5, 2]], vec![1, 2, 4, 5]),
                graphc_runtime::op::GridSamplePart::InputGrad => (vec![vec![1, 2, 4, 5], vec![1, 4, 5, 2]], vec![1, 2, 2, 3]),
                graphc_runtime::op::GridSamplePart::GridGrad => (vec![vec![1, 2, 4, 5], vec![1, 2, 2, 3], vec![1, 4, 5, 2]], vec![1, 4, 5, 2]),
            },
            // A 3x3 convolution of 2 channels into 4 over a 5x5 input.
            Op::Conv(c) => match c.part {
                ConvPart::Forward { bias } => {
                    let mut operands = vec![vec![1, 2, 5, 5], vec![4, 2, 3, 3]];
                    operands.extend(std::iter::repeat_n(vec![4], bias as usize));
                    (operands, vec![1, 4, 3, 3])
                }
                ConvPart::Transposed { bias } => {
                    let mut operands = vec![vec![1, 4, 3, 3], vec![4, 2, 3, 3]];
                    operands.extend(std::iter::repeat_n(vec![2], bias as usize));
                    (operands, vec![1, 2, 5, 5])
                }
                ConvPart::WeightGrad => (vec![vec![1, 4, 3, 3], vec![1, 2, 5, 5]], vec![4, 2, 3, 3]),
            },
        }
    }

    /// The derivative rules and the declaration can never disagree: with every
    /// operand requiring grad, a rule returns a gradient for exactly the operands
    /// the declaration calls differentiable, so reachability (which follows the
    /// declaration) never expects a gradient that the rule does not make.
    #[test]
    fn rules_differentiate_exactly_the_declared_operands() {
        for op in every_op() {
            let (operands, shape) = shapes(&op);
            assert_eq!(operands.len(), op.arity(), "{op:?}");
            let mut g = Graph::new();
            let meta = NodeMeta { span: Span::default(), region: Region::Forward, requires_grad: true, note: None };
            let args: Vec<_> = operands.into_iter().map(|s| g.add(Node { op: Op::Randn, dtype: DType::F64, shape: s }, &[], meta.clone())).collect();
            let n = g.add(Node { op: op.clone(), dtype: DType::F64, shape: shape.clone() }, &args, meta.clone());
            let seed = g.add(Node { op: Op::Full(graphc_runtime::op::Scalar::float(1.0)), dtype: DType::F64, shape }, &[], meta.clone());
            let mut ctx = RuleCtx::new(Region::Backward(0));
            let grads = rules::builtin(&mut ctx, &mut g, n, seed, &vec![true; args.len()]);
            for i in 0..args.len() {
                let made = grads.get(i).is_some_and(|gi| gi.is_some());
                assert_eq!(made, op.differentiable(i), "{op:?} operand {i}: the rule and the declaration disagree");
            }
            assert!(grads.len() <= args.len(), "{op:?}: more gradients than operands");
        }
    }
}
