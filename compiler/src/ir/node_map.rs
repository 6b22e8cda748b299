//! A map from node ids to values, stored densely by index.
//!
//! Node ids are small consecutive integers, so a vector indexed by them is a
//! map without hashing: on graphs of millions of nodes, fusion and scheduling
//! spend their time on lookups, and a vector makes each one a single load.

use super::graph::NodeId;

#[derive(Clone, Debug)]
pub struct NodeMap<T> {
    slots: Vec<Option<T>>,
    len: usize,
}

impl<T> Default for NodeMap<T> {
    fn default() -> Self {
        NodeMap { slots: Vec::new(), len: 0 }
    }
}

impl<T> NodeMap<T> {
    /// A map with room for every id below `bound` (it grows past it when needed).
    pub fn with_bound(bound: usize) -> Self {
        NodeMap { slots: std::iter::repeat_with(|| None).take(bound).collect(), len: 0 }
    }

    pub fn get(&self, n: &NodeId) -> Option<&T> {
        self.slots.get(n.index()).and_then(Option::as_ref)
    }

    pub fn get_mut(&mut self, n: &NodeId) -> Option<&mut T> {
        self.slots.get_mut(n.index()).and_then(Option::as_mut)
    }

    pub fn contains_key(&self, n: &NodeId) -> bool {
        self.get(n).is_some()
    }

    /// Sets the value of `n`, returning the one it replaces.
    pub fn insert(&mut self, n: NodeId, v: T) -> Option<T> {
        if n.index() >= self.slots.len() {
            self.slots.resize_with(n.index() + 1, || None);
        }
        let old = self.slots[n.index()].replace(v);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub fn remove(&mut self, n: &NodeId) -> Option<T> {
        let old = self.slots.get_mut(n.index()).and_then(Option::take);
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<T> std::ops::Index<&NodeId> for NodeMap<T> {
    type Output = T;
    fn index(&self, n: &NodeId) -> &T {
        self.get(n).unwrap_or_else(|| panic!("node {} has no entry", n.0))
    }
}
