//! `opt.state[p]["exp_avg"]`: an entry of the state an optimizer keeps for one
//! parameter, as PyTorch's `optimizer.state` (a dict keyed by parameter
//! tensors) holds it: ASGD's average `ax`, Adam's moments, a step count.
//!
//! The entry is the state's value where it is read. PyTorch's is the state
//! tensor itself, which later steps update in place; a read after more steps
//! gives their value in both, but a tensor kept from an earlier read is that
//! earlier value here (read the entry again after the steps).

use super::super::{Lowerer, Value};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `opt.state[key]` (`param` is `None`: `key` must be one of the optimizer's
    /// parameters) or `opt.state[p][key]` (`key` a string naming an entry).
    pub(crate) fn optimizer_state_read(&mut self, k: usize, param: Option<usize>, (key, ks): (Value, Span), span: Span) -> Value {
        if self.uncertain_optimizer(k, span) {
            return Value::Poison;
        }
        let name = self.optim.optimizers[k].kind.name();
        let Some(i) = param else {
            // The state of a parameter of any group (`groups.rs`).
            let found = match &key {
                Value::Tensor(t) => {
                    let t = self.current(*t);
                    self.optimizer_groups(k).into_iter().find_map(|g| {
                        let params = self.optim.optimizers[g].params.clone();
                        params.iter().position(|p| self.current(*p) == t).map(|i| (g, i))
                    })
                }
                Value::Poison => return Value::Poison,
                _ => None,
            };
            return match found {
                Some((g, i)) => Value::OptimizerState { optimizer: g, param: Some(i) },
                None => self.error(
                    Diagnostic::new(Code::E0684, format!("this is not a parameter of the `{name}`"), ks, "not one of its parameters")
                        .with_help("index the state by a tensor in the optimizer's parameter list, as in `opt.state[w]`"),
                ),
            };
        };
        let entry = match key {
            Value::Str(s) => s,
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(
                        Code::E0684,
                        format!("an optimizer's state is indexed by a string, not {}", other.describe()),
                        ks,
                        "not a string",
                    )
                    .with_help("name an entry, as in `opt.state[w][\"exp_avg\"]`"),
                )
            }
        };
        let Some(state) = self.optim.optimizers[k].state[i].clone() else {
            return self.error(
                Diagnostic::new(
                    Code::E0684,
                    format!("this parameter has no `{name}` state yet: PyTorch raises KeyError: '{entry}'"),
                    span,
                    "read before the first step",
                )
                .with_help("an optimizer makes a parameter's state at the first `step()` that finds its gradient; read it after that step"),
            );
        };
        let entries: Vec<(&str, _)> = state.named().into_iter().filter_map(|(key, n)| Some((key, n?))).collect();
        match entries.iter().find(|(key, _)| *key == entry) {
            Some((_, n)) => Value::Tensor(*n),
            None => {
                let keys = entries.iter().map(|(key, _)| format!("\"{key}\"")).collect::<Vec<_>>().join(", ");
                self.error(
                    Diagnostic::new(Code::E0684, format!("the `{name}` state has no entry '{entry}': PyTorch raises KeyError"), ks, "no such entry")
                        .with_help(format!("its entries here are {keys}")),
                )
            }
        }
    }
}
