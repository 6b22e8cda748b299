//! The `Compute` step: one op into a buffer from the machine's pool.
//!
//! Ops with a kernel that writes into a buffer (`kernels::into`) take a pooled
//! buffer of their value's dtype and size, so a plan run again allocates no
//! tensor memory. The others (random draws, casts, comparisons, `argmax`,
//! slices and the rarer shape ops) still return a new buffer from
//! `kernels::eval`, counted in [`Machine::allocations`]; when such a value
//! dies its buffer joins the pool for the values that can reuse it.

use super::{Machine, RunError};
use crate::kernels;
use crate::op::Op;
use crate::plan::{Plan, ValueId};
use crate::tensor::Tensor;

impl Machine {
    /// The tensor that op `op` of `args` gives value `dst`.
    pub(super) fn compute(&mut self, plan: &Plan, dst: ValueId, op: &Op, args: &[ValueId]) -> Result<Tensor, RunError> {
        let info = &plan.values[dst.0 as usize];
        match op {
            Op::Randn => {
                self.allocations += 1;
                return Ok(self.generator.randn(info.dtype, &info.shape));
            }
            Op::Rand => {
                self.allocations += 1;
                return Ok(self.generator.rand(info.dtype, &info.shape));
            }
            Op::Input(k) => {
                return Ok(self.inputs[*k as usize].take().unwrap_or_else(|| {
                    // The CLI refuses to run before every input is bound, so this is a caller bug.
                    panic!("input `{}` was not bound before the run", plan.inputs[*k as usize].name)
                }));
            }
            _ => {}
        }
        // The buffer is taken before the operands are borrowed from the slots.
        let mut buffer = self.alloc(plan, dst);
        let inputs: Vec<&Tensor> = args.iter().map(|&a| self.get(a)).collect();
        // Indices a program computes are checked against the data here.
        if let Op::Index(i) = op {
            kernels::index::check(*i, &inputs, &info.shape).map_err(|message| RunError {
                message,
                help: "indices along a dimension of size n must lie in 0..n".to_string(),
                source: None,
                broken_pipe: false,
            })?;
        }
        if kernels::into::eval_into(op, &inputs, &info.shape, &mut buffer) {
            return Ok(buffer);
        }
        let t = kernels::eval(op, &inputs, info.dtype, &info.shape);
        drop(inputs);
        // The op allocated its own result: the buffer goes back to the pool, still counted as held.
        self.live_bytes += buffer.numel() * buffer.dtype().size();
        self.pool.entry((buffer.dtype(), buffer.numel())).or_default().push(buffer);
        self.allocations += 1;
        Ok(t)
    }
}
