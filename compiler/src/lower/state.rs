//! The mutable state of a program during lowering, seen as a set of nodes.
//!
//! Python names hold objects, and an in-place update (`p -= lr * p.grad`,
//! `opt.step()`) changes the object that every name and list holding it sees.
//! Lowering keeps values in SSA form instead: the update makes a new node, and
//! [`Lowerer::set_version`] records that the old node's object now holds it, so
//! that a read through [`Lowerer::current`] finds the latest value wherever the
//! old node is still held. A leaf keeps its `.grad` across versions.
//!
//! [`Lowerer::map_state_nodes`] visits every node the lowering state holds (the
//! names of a scope and the globals, list and tuple items, and each leaf's
//! `.grad`). A loop body uses it to turn the state before the body into the
//! body's inputs and the state after it into the values carried to the next
//! iteration; every table of lowering state that holds nodes must be visited here.

use super::{Lowerer, Scope, Value};
use crate::ir::graph::NodeId;

impl Lowerer<'_> {
    /// The node that holds the current value of the tensor object `n` was created as.
    pub(crate) fn current(&self, n: NodeId) -> NodeId {
        latest(&self.versions, n)
    }

    /// `v` with each tensor it holds (also in lists and tuples) replaced by its current version.
    pub(crate) fn current_value(&self, mut v: Value) -> Value {
        if self.versions.is_empty() {
            return v;
        }
        map_value(&mut v, &mut |n| self.current(n));
        v
    }

    /// Records that the object whose value was `old` now holds `new` (an in-place
    /// update). A requires-grad leaf stays a leaf: its `.grad` moves to `new`.
    /// An update of a leaf's gradient itself (`p.grad[:] *= s`, `p.grad.clamp_(-1,
    /// 1)`, as gradient clipping writes it) is the leaf's `.grad` from now on,
    /// which the next `backward` accumulates into, as PyTorch's is one tensor.
    pub(crate) fn set_version(&mut self, old: NodeId, new: NodeId) {
        let old = self.current(old);
        if old == new {
            return;
        }
        self.versions.insert(old, new);
        self.carry_module_roles(old, new);
        if let Some(g) = self.grad_state.remove(&old) {
            self.grad_state.insert(new, g);
        }
        for g in self.grad_state.values_mut() {
            if *g == Some(old) {
                *g = Some(new);
            }
        }
    }

    /// Makes `to` a parameter (or a buffer) of a module if `from` is one: `to`
    /// is a new version of it, or the node that holds it in a region or after one.
    pub(crate) fn carry_module_roles(&mut self, from: NodeId, to: NodeId) {
        if self.param_origins.contains(&from) {
            self.param_origins.insert(to);
        }
        if self.buffer_origins.contains(&from) {
            self.buffer_origins.insert(to);
        }
    }

    /// Calls `f` on every node the lowering state holds, in a deterministic order
    /// (names sorted), and stores what it returns in place of the node.
    pub(crate) fn map_state_nodes(&mut self, scope: &mut Scope, f: &mut dyn FnMut(NodeId) -> NodeId) {
        let mut names: Vec<String> = scope.names.keys().cloned().collect();
        names.sort();
        for name in names {
            if let Some(v) = scope.names.get_mut(&name) {
                map_value(v, f);
            }
        }
        let mut globals: Vec<String> = self.globals.keys().cloned().collect();
        globals.sort();
        for name in globals {
            if let Some(v) = self.globals.get_mut(&name) {
                map_value(v, f);
            }
        }
        let mut leaves: Vec<(NodeId, Option<NodeId>)> = self.grad_state.drain().collect();
        leaves.sort_by_key(|(n, _)| *n);
        for (leaf, grad) in leaves {
            let leaf = f(leaf);
            let grad = grad.map(&mut *f);
            self.grad_state.insert(leaf, grad);
        }
        // An optimizer's parameters are read through `current`, so the node mapped
        // is the one that holds each parameter's value now.
        for k in 0..self.optim.optimizers.len() {
            for i in 0..self.optim.optimizers[k].params.len() {
                self.optim.optimizers[k].params[i] = self.current(self.optim.optimizers[k].params[i]);
            }
        }
        self.optim.map_nodes(f);
    }
}

/// The last version of `n` in a map of in-place updates (old node to new node).
pub(super) fn latest(versions: &std::collections::HashMap<NodeId, NodeId>, mut n: NodeId) -> NodeId {
    while let Some(&next) = versions.get(&n) {
        n = next;
    }
    n
}

/// Maps the nodes a value holds, looking into lists and tuples.
pub(super) fn map_value(v: &mut Value, f: &mut dyn FnMut(NodeId) -> NodeId) {
    match v {
        Value::Tensor(n) => *n = f(*n),
        Value::Host { node, .. } => *node = f(*node),
        Value::List(items) | Value::Tuple(items) | Value::Named { items, .. } | Value::Dict { items, .. } | Value::Object { items, .. } => {
            for (item, _) in items {
                map_value(item, f);
            }
        }
        Value::Text(pieces) => pieces.iter_mut().for_each(|p| p.map_nodes(f)),
        Value::Lambda(c) => c.captured.iter_mut().for_each(|(_, v)| map_value(v, f)),
        Value::Dataset(tensors) => tensors.iter_mut().for_each(|n| *n = f(*n)),
        Value::Loader(super::data_loader::Loader { tensors, object, .. }) => {
            tensors.iter_mut().for_each(|n| *n = f(*n));
            if let Some(obj) = object {
                map_value(obj, f);
            }
        }
        Value::Number(_)
        | Value::Str(_)
        | Value::Bool(_)
        | Value::None
        | Value::DType(_)
        | Value::Size(_)
        | Value::Optimizer(_)
        | Value::ParamGroup { .. }
        | Value::OptimizerState { .. }
        | Value::Scheduler(_)
        | Value::Generator(_)
        | Value::Func(..)
        | Value::GradFn(_)
        | Value::Appending(_)
        | Value::Poison => {}
    }
}
