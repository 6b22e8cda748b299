//! The optimizer table gives a compiled loop every node it holds, so that a loop
//! body can carry parameters and state like any loop variable.

use super::{Hyper, Kind, Optimizer, ParamState, Table};
use crate::ir::graph::NodeId;

fn hyper() -> Hyper {
    Hyper { lr: 0.1, amsgrad: true, ..super::args::defaults(Kind::Adam) }
}

#[test]
fn map_nodes_visits_every_parameter_and_every_state_node_once() {
    let n = NodeId;
    let adam_state =
        ParamState { step: Some(n(10)), exp_avg: Some(n(11)), exp_avg_sq: Some(n(12)), max_exp_avg_sq: Some(n(13)), ..ParamState::default() };
    let sgd_state = ParamState { momentum_buffer: Some(n(20)), ..ParamState::default() };
    let rmsprop_state = ParamState { step: Some(n(30)), square_avg: Some(n(31)), grad_avg: Some(n(32)), ..ParamState::default() };
    let adagrad_state = ParamState { step: Some(n(40)), sum: Some(n(41)), ..ParamState::default() };
    let mut table = Table {
        optimizers: vec![
            // The second parameter has had no gradient yet, so it has no state.
            Optimizer {
                kind: Kind::Adam,
                params: vec![n(1), n(2)],
                hyper: hyper(),
                defaults: hyper(),
                state: vec![Some(adam_state), None],
                groups: vec![0],
            },
            Optimizer { kind: Kind::Sgd, params: vec![n(3)], hyper: hyper(), defaults: hyper(), state: vec![Some(sgd_state)], groups: vec![1] },
            Optimizer {
                kind: Kind::RmsProp,
                params: vec![n(4)],
                hyper: hyper(),
                defaults: hyper(),
                state: vec![Some(rmsprop_state)],
                groups: vec![2],
            },
            Optimizer {
                kind: Kind::Adagrad,
                params: vec![n(5)],
                hyper: hyper(),
                defaults: hyper(),
                state: vec![Some(adagrad_state)],
                groups: vec![3],
            },
        ],
        schedulers: vec![],
    };
    let mut seen = Vec::new();
    table.map_nodes(&mut |x| {
        seen.push(x.0);
        NodeId(x.0 + 100)
    });
    assert_eq!(seen, vec![1, 2, 10, 11, 12, 13, 3, 20, 4, 30, 31, 32, 5, 40, 41]);
    let adam = &table.optimizers[0];
    assert_eq!(adam.params, vec![n(101), n(102)]);
    let s = adam.state[0].as_ref().unwrap();
    assert_eq!((s.step, s.exp_avg, s.exp_avg_sq, s.max_exp_avg_sq), (Some(n(110)), Some(n(111)), Some(n(112)), Some(n(113))));
    assert!(adam.state[1].is_none(), "a parameter without state must stay without state");
    assert_eq!(table.optimizers[1].state[0].as_ref().unwrap().momentum_buffer, Some(n(120)));
    let r = table.optimizers[2].state[0].as_ref().unwrap();
    assert_eq!((r.step, r.square_avg, r.grad_avg), (Some(n(130)), Some(n(131)), Some(n(132))));
    let a = table.optimizers[3].state[0].as_ref().unwrap();
    assert_eq!((a.step, a.sum), (Some(n(140)), Some(n(141))));
}
