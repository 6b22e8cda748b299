//! The node builder derivative rules use: every node it makes lands in the
//! current backward region, carries the span of the forward node being
//! differentiated, and any forward value a rule reads is recorded (those are
//! the values the backward keeps alive: PyTorch's saved tensors).

use std::collections::BTreeSet;

use graphc_runtime::op::{Binary, Cmp, Unary};
use graphc_runtime::{DType, Op};

use crate::check::shapes;
use crate::ir::graph::{Graph, Node, NodeId, NodeMeta, Region};
use crate::syntax::ast::Span;

pub struct RuleCtx {
    region: Region,
    span: Span,
    /// Set when the rule being applied reads a forward value.
    pub reads_forward: bool,
    /// Every forward value this backward reads.
    pub forward_reads: BTreeSet<NodeId>,
    /// Every read of a forward value, in order, so that a derivation can tell
    /// which node's rule read which values (the in-place check, `versions.rs`).
    pub read_log: Vec<NodeId>,
    /// With `create_graph`, derived nodes require grad where their operands do.
    pub create_graph: bool,
    /// The `grad_fn` PyTorch shows for derived nodes whose kernel is not named by
    /// their op alone (a `where` that is `threshold_backward`, an op's output).
    pub grad_fns: Vec<(NodeId, String)>,
    /// Intervals a rule knows its nodes keep where the range analysis cannot
    /// derive them (the exponentials in `logcumsumexp`'s gradient, each at most
    /// the gradient's magnitudes summed); the derivation hands them to the
    /// program's `input_ranges`, which the analysis takes over its own rules.
    pub known_ranges: Vec<(NodeId, (f64, f64))>,
}

impl RuleCtx {
    pub fn new(region: Region) -> RuleCtx {
        RuleCtx {
            region,
            span: Span::default(),
            reads_forward: false,
            forward_reads: BTreeSet::new(),
            read_log: Vec::new(),
            create_graph: false,
            grad_fns: Vec::new(),
            known_ranges: Vec::new(),
        }
    }

    /// Sets the span derived nodes get (the forward node being differentiated).
    pub fn at(&mut self, span: Span) {
        self.span = span;
    }

    /// Reads forward value `n` (a saved value).
    pub fn fwd(&mut self, n: NodeId) -> NodeId {
        self.reads_forward = true;
        self.forward_reads.insert(n);
        self.read_log.push(n);
        n
    }

    /// Adds a derived node. With `create_graph` it requires grad when an operand
    /// that its own rule differentiates does (a `where` does not depend
    /// differentiably on what it compares, as PyTorch's boolean masks do not).
    pub fn add_node(&mut self, g: &mut Graph, op: Op, dtype: DType, shape: Vec<usize>, args: &[NodeId]) -> NodeId {
        let requires_grad =
            self.create_graph && dtype.is_float() && args.iter().enumerate().any(|(i, a)| op.differentiable(i) && g.meta(*a).requires_grad);
        g.add(Node { op, dtype, shape }, args, NodeMeta { span: self.span, region: self.region, requires_grad, note: None })
    }

    pub fn unary(&mut self, g: &mut Graph, op: Op, x: NodeId) -> NodeId {
        let n = g.node(x);
        let (dt, sh) = (n.dtype, n.shape.clone());
        self.add_node(g, op, dt, sh, &[x])
    }

    /// An elementwise binary op; operands broadcast. The shapes come from a graph
    /// that lowering has shape-checked, and every rule pairs a gradient (of its
    /// node's shape) with that node's operands or result, so they always broadcast:
    /// a failure here is a bug in a rule, never a property of the user's program.
    pub fn binary(&mut self, g: &mut Graph, op: Op, a: NodeId, b: NodeId) -> NodeId {
        let dt = g.node(a).dtype;
        let sh = shapes::broadcast(&g.node(a).shape, &g.node(b).shape).expect("derivative rules pair broadcastable shapes");
        self.add_node(g, op, dt, sh, &[a, b])
    }

    pub fn mul(&mut self, g: &mut Graph, a: NodeId, b: NodeId) -> NodeId {
        self.binary(g, Op::Binary(Binary::Mul), a, b)
    }

    pub fn div(&mut self, g: &mut Graph, a: NodeId, b: NodeId) -> NodeId {
        self.binary(g, Op::Binary(Binary::Div), a, b)
    }

    pub fn sub(&mut self, g: &mut Graph, a: NodeId, b: NodeId) -> NodeId {
        self.binary(g, Op::Binary(Binary::Sub), a, b)
    }

    pub fn neg(&mut self, g: &mut Graph, a: NodeId) -> NodeId {
        self.unary(g, Op::Unary(Unary::Neg), a)
    }

    /// A 0-d constant (a wrapped number in PyTorch's formulas).
    pub fn scalar(&mut self, g: &mut Graph, value: f64, dtype: DType) -> NodeId {
        self.add_node(g, Op::Full(graphc_runtime::op::Scalar::of(value, dtype)), dtype, vec![], &[])
    }

    pub fn full(&mut self, g: &mut Graph, value: f64, dtype: DType, shape: Vec<usize>) -> NodeId {
        self.add_node(g, Op::Full(graphc_runtime::op::Scalar::of(value, dtype)), dtype, shape, &[])
    }

    /// `where(a CMP b, x, y)`.
    pub fn select(&mut self, g: &mut Graph, cmp: Cmp, a: NodeId, b: NodeId, x: NodeId, y: NodeId) -> NodeId {
        let dt = g.node(x).dtype;
        let mut sh = Vec::new();
        // As in `binary`: rules only pair shapes that broadcast.
        for n in [a, b, x, y] {
            sh = shapes::broadcast(&sh, &g.node(n).shape).expect("where operands broadcast");
        }
        self.add_node(g, Op::Where(cmp), dt, sh, &[a, b, x, y])
    }

    /// PyTorch's `threshold_backward(grad, result, 0)`: `result <= 0 ? 0 : grad`.
    /// PyTorch's kernel takes `result` as a differentiable input whose gradient is
    /// zero, so with `create_graph` the gradient requires grad when `result` does,
    /// and a later backward through it gives the leaves below zeros, not nothing.
    pub fn threshold_backward(&mut self, g: &mut Graph, grad: NodeId, result: NodeId) -> NodeId {
        let zero = self.scalar(g, 0.0, g.node(grad).dtype);
        let n = self.select(g, Cmp::Le, result, zero, zero, grad);
        if self.create_graph && g.meta(result).requires_grad {
            g.meta_mut(n).requires_grad = true;
        }
        self.grad_fns.push((n, "ThresholdBackwardBackward0".to_string()));
        n
    }

    /// PyTorch's `sum_to`: reduces a broadcast gradient back to an operand's shape.
    pub fn sum_to(&mut self, g: &mut Graph, x: NodeId, shape: &[usize]) -> NodeId {
        if g.node(x).shape == shape {
            return x;
        }
        let dt = g.node(x).dtype;
        self.add_node(g, Op::SumTo, dt, shape.to_vec(), &[x])
    }

    pub fn expand(&mut self, g: &mut Graph, x: NodeId, shape: &[usize]) -> NodeId {
        if g.node(x).shape == shape {
            return x;
        }
        let dt = g.node(x).dtype;
        self.add_node(g, Op::Expand, dt, shape.to_vec(), &[x])
    }

    pub fn reshape(&mut self, g: &mut Graph, x: NodeId, shape: &[usize]) -> NodeId {
        if g.node(x).shape == shape {
            return x;
        }
        let dt = g.node(x).dtype;
        self.add_node(g, Op::Reshape, dt, shape.to_vec(), &[x])
    }

    pub fn matmul(&mut self, g: &mut Graph, a: NodeId, b: NodeId) -> NodeId {
        let dt = g.node(a).dtype;
        // Rules multiply a gradient by a transposed operand of a matmul that
        // lowering checked, so the shapes always agree.
        let sh = shapes::matmul(&g.node(a).shape, &g.node(b).shape).expect("derivative rules pair matmul shapes");
        self.add_node(g, Op::MatMul, dt, sh, &[a, b])
    }

    /// Sums the gradients that reach `n`, in arrival order (PyTorch's input buffer).
    pub fn sum(&mut self, g: &mut Graph, n: NodeId, contribs: &[NodeId]) -> NodeId {
        self.at(g.meta(n).span);
        // Autodiff records a node's contributions only by pushing one, so there is
        // at least one.
        let (&first, rest) = contribs.split_first().expect("a gradient reaches a node only with a contribution");
        let mut acc = first;
        for &c in rest {
            acc = self.binary(g, Op::Binary(Binary::Add), acc, c);
        }
        acc
    }
}
