//! The `Compute` step: one op into a buffer from the machine's pool.
//!
//! Ops with a kernel that writes into a buffer (`kernels::into`) take a pooled
//! buffer of their value's dtype and size, so a plan run again allocates no
//! tensor memory. The others (random draws, `argmax`,
//! slices and the rarer shape ops) still return a new buffer from
//! `kernels::eval`, counted in [`Machine::allocations`], and a pooled buffer of
//! the same size is dropped in its place; when such a value dies its buffer
//! joins the pool for the values that can reuse it.

use smallvec::SmallVec;

use super::{BiasProduct, Machine, RunError};
use crate::kernels;
use crate::kernels::float::Float;
use crate::kernels::matmul::{matmul_2d_into, matmul_bias_into};
use crate::op::{IndexOp, Op};
use crate::plan::{Plan, ValueId};
use crate::tensor::{DType, Data, Tensor};

impl Machine {
    /// The tensor that op `op` of `args` gives value `dst`.
    pub(super) fn compute(&mut self, plan: &Plan, dst: ValueId, op: &Op, args: &[ValueId]) -> Result<Tensor, RunError> {
        let info = &plan.values[dst.0 as usize];
        match op {
            Op::Randn => {
                self.fresh_buffer(info.dtype, &info.shape);
                return Ok(self.generator.randn(info.dtype, &info.shape));
            }
            Op::Rand => {
                self.fresh_buffer(info.dtype, &info.shape);
                return Ok(self.generator.rand(info.dtype, &info.shape));
            }
            Op::Data(d) => {
                self.fresh_buffer(info.dtype, &info.shape);
                return self.data(d, info).map_err(|e| RunError { source: plan.sources.get(&dst).copied(), ..e });
            }
            Op::Input(k) => {
                return Ok(self.inputs[*k as usize].take().unwrap_or_else(|| {
                    // The CLI refuses to run before every input is bound, so this is a caller bug.
                    panic!("input `{}` was not bound before the run", plan.inputs[*k as usize].name)
                }));
            }
            Op::Index(IndexOp::ScatterInto { dim, add }) => {
                if let Some(x) = self.donations.operand(dst).filter(|&x| self.may_consume(x)) {
                    return self.scatter_in_place(plan, dst, x, args, (*dim, *add));
                }
            }
            _ => {}
        }
        let operands: SmallVec<[(DType, &[usize]); 4]> =
            args.iter().map(|a| (plan.values[a.0 as usize].dtype, &plan.values[a.0 as usize].shape[..])).collect();
        let into = kernels::into::writes_into(op, &operands, info.dtype, &info.shape);
        // The buffer is taken before the operands are borrowed from the slots.
        let mut buffer = if into { Some(self.alloc(plan, dst)) } else { None };
        if let (Some(out), Some(e)) = (&mut buffer, self.epilogues.at(dst)) {
            self.matmul_bias(plan, e, out);
            return Ok(buffer.expect("taken above"));
        }
        if let (Some(out), Op::MatMul) = (&mut buffer, op) {
            if args.iter().any(|&a| self.strided.contains(a)) {
                self.matmul_strided(plan, args, out);
                return Ok(buffer.expect("taken above"));
            }
        }
        let inputs: SmallVec<[&Tensor; 4]> = args.iter().map(|&a| self.get(a)).collect();
        // Indices a program computes are checked against the data here.
        if let Op::Index(i) = op {
            kernels::index::check(*i, &inputs, &info.shape).map_err(|message| index_error(plan, dst, message))?;
        }
        match buffer {
            Some(mut out) => {
                let written = kernels::into::write_into(op, &inputs, &info.shape, &mut out);
                assert!(written, "`{}` writes into a buffer, as `writes_into` said", op.name());
                Ok(out)
            }
            None => {
                // The op allocates its own result.
                let t = kernels::eval(op, &inputs, info.dtype, &info.shape);
                drop(inputs);
                self.fresh_buffer(info.dtype, &info.shape);
                Ok(t)
            }
        }
    }

    /// Whether value `x`'s buffer may be consumed: it holds a tensor, and a
    /// value that loads an input loads one that nothing loads again.
    fn may_consume(&self, x: ValueId) -> bool {
        self.slots[x.0 as usize].is_some() && self.input_of.get(&x).is_none_or(|&k| self.consumable[k])
    }

    /// `dst = ScatterInto(x, index, src)` written into `x`'s buffer, which
    /// `dst` takes: the scatter is `x`'s last reader (`exec/donate.rs`).
    fn scatter_in_place(&mut self, plan: &Plan, dst: ValueId, x: ValueId, args: &[ValueId], (dim, add): (usize, bool)) -> Result<Tensor, RunError> {
        let info = &plan.values[dst.0 as usize];
        let inputs = [self.get(args[0]), self.get(args[1]), self.get(args[2])];
        kernels::index::check(IndexOp::ScatterInto { dim, add }, &inputs, &info.shape).map_err(|message| index_error(plan, dst, message))?;
        let mut t = self.slots[x.0 as usize].take().expect("`may_consume` found the buffer");
        // `set` counts the bytes again as `dst`'s.
        self.live_bytes -= t.numel() * t.dtype().size();
        kernels::index::scatter_into_in_place(dim, add, self.get(args[1]), self.get(args[2]), &mut t);
        Ok(t)
    }

    /// Counts a buffer an op allocated itself, and drops a pooled buffer of the
    /// same dtype and length if there is one: the new buffer takes its place, so
    /// the machine holds what it would had the op drawn from the pool. (A loop
    /// body starts each iteration with the previous one's pool, which would
    /// otherwise grow by these buffers; `schedule/peak.rs` counts the same way.)
    fn fresh_buffer(&mut self, dtype: DType, shape: &[usize]) {
        let n = crate::tensor::numel(shape);
        self.allocations += 1;
        self.allocated_bytes += n * dtype.size();
        if let Some(old) = self.pool.get_mut(&(dtype, n)).and_then(Vec::pop) {
            self.live_bytes -= old.numel() * old.dtype().size();
        }
    }

    /// A product and the bias added to it, in one step (`exec/epilogue.rs`).
    fn matmul_bias(&self, plan: &Plan, e: BiasProduct, out: &mut Tensor) {
        let (sa, sb) = (&plan.values[e.a.0 as usize].shape, &plan.values[e.b.0 as usize].shape);
        let (m, k, n) = (sa[0], sa[1], sb[1]);
        let (a, b, bias) = (self.get(e.a), self.get(e.b), self.get(e.bias));
        match out.data_mut() {
            Data::F32(c) => matmul_bias_into(m, k, n, f32::slice(a), f32::slice(b), f32::slice(bias), e.bias_first, c),
            Data::F64(c) => matmul_bias_into(m, k, n, f64::slice(a), f64::slice(b), f64::slice(bias), e.bias_first, c),
            Data::I64(_) | Data::Bool(_) => unreachable!("`bias_epilogues` takes float products only"),
        }
    }

    /// A 2-D product one of whose operands is an uncomputed transpose: its
    /// operand is read through strides (`exec/transposed.rs` checked the shapes).
    fn matmul_strided(&self, plan: &Plan, args: &[ValueId], out: &mut Tensor) {
        let operand = |v: ValueId| match self.strided.operand(v) {
            Some(x) => (self.get(x), true),
            None => (self.get(v), false),
        };
        let ((a, a_t), (b, b_t)) = (operand(args[0]), operand(args[1]));
        let (sa, sb) = (&plan.values[args[0].0 as usize].shape, &plan.values[args[1].0 as usize].shape);
        let (m, k, n) = (sa[0], sa[1], sb[1]);
        match out.data_mut() {
            Data::F32(c) => matmul_2d_into(m, k, n, f32::slice(a), a_t, f32::slice(b), b_t, c),
            Data::F64(c) => matmul_2d_into(m, k, n, f64::slice(a), a_t, f64::slice(b), b_t, c),
            Data::I64(_) | Data::Bool(_) => unreachable!("the compiler makes matrix products of float tensors only"),
        }
    }
}

/// An index out of bounds in the data, found before the op that computes `dst` ran.
fn index_error(plan: &Plan, dst: ValueId, message: String) -> RunError {
    RunError {
        message,
        help: "indices along a dimension of size n must lie in 0..n".to_string(),
        source: plan.sources.get(&dst).copied(),
        broken_pipe: false,
    }
}
