//! The node builder derivative rules use: every node it makes lands in the
//! current backward region, carries the span of the forward node being
//! differentiated, and any forward value a rule reads is recorded (those are
//! the values the backward keeps alive: PyTorch's saved tensors).

use std::collections::BTreeSet;

use graphc_runtime::op::{Binary, Cmp, F64Bits, Unary};
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
    /// With `create_graph`, derived nodes require grad where their operands do.
    pub create_graph: bool,
}

impl RuleCtx {
    pub fn new(region: Region) -> RuleCtx {
        RuleCtx { region, span: Span::default(), reads_forward: false, forward_reads: BTreeSet::new(), create_graph: false }
    }

    /// Sets the span derived nodes get (the forward node being differentiated).
    pub fn at(&mut self, span: Span) {
        self.span = span;
    }

    /// Reads forward value `n` (a saved value).
    pub fn fwd(&mut self, n: NodeId) -> NodeId {
        self.reads_forward = true;
        self.forward_reads.insert(n);
        n
    }

    pub fn add_node(&mut self, g: &mut Graph, op: Op, dtype: DType, shape: Vec<usize>, args: &[NodeId]) -> NodeId {
        let requires_grad = self.create_graph && args.iter().any(|a| g.meta(*a).requires_grad);
        g.add(Node { op, dtype, shape }, args, NodeMeta { span: self.span, region: self.region, requires_grad, note: None })
    }

    pub fn unary(&mut self, g: &mut Graph, op: Op, x: NodeId) -> NodeId {
        let n = g.node(x);
        let (dt, sh) = (n.dtype, n.shape.clone());
        self.add_node(g, op, dt, sh, &[x])
    }

    /// An elementwise binary op; operands broadcast (rules only pair broadcastable shapes).
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
        self.add_node(g, Op::Full(F64Bits::new(value)), dtype, vec![], &[])
    }

    pub fn full(&mut self, g: &mut Graph, value: f64, dtype: DType, shape: Vec<usize>) -> NodeId {
        self.add_node(g, Op::Full(F64Bits::new(value)), dtype, shape, &[])
    }

    /// `where(a CMP b, x, y)`.
    pub fn select(&mut self, g: &mut Graph, cmp: Cmp, a: NodeId, b: NodeId, x: NodeId, y: NodeId) -> NodeId {
        let dt = g.node(x).dtype;
        let mut sh = Vec::new();
        for n in [a, b, x, y] {
            sh = shapes::broadcast(&sh, &g.node(n).shape).expect("where operands broadcast");
        }
        self.add_node(g, Op::Where(cmp), dt, sh, &[a, b, x, y])
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
        let sh = shapes::matmul(&g.node(a).shape, &g.node(b).shape).expect("derivative rules pair matmul shapes");
        self.add_node(g, Op::MatMul, dt, sh, &[a, b])
    }

    /// Sums the gradients that reach `n`, in arrival order (PyTorch's input buffer).
    pub fn sum(&mut self, g: &mut Graph, n: NodeId, contribs: &[NodeId]) -> NodeId {
        self.at(g.meta(n).span);
        let mut acc = contribs[0];
        for &c in &contribs[1..] {
            acc = self.binary(g, Op::Binary(Binary::Add), acc, c);
        }
        acc
    }
}
