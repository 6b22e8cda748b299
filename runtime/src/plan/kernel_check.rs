//! The invariants of one [`FusedKernel`]'s instructions, which the executor's
//! unsafe code relies on (see `crate::fused`): checked once per plan by
//! [`Plan::verify`](crate::plan::Plan::verify) and once per call by
//! [`fused::run`](crate::fused::run), in time linear in the instructions.

use crate::plan::error::{PlanError, PlanErrorKind, Table};
use crate::plan::{Dst, FusedKernel, Src};

fn fail(instr: Option<usize>, kind: PlanErrorKind) -> PlanError {
    PlanError { step: None, instr, kind }
}

/// Checks that every instruction of `k` is elementwise with its op's arity, reads
/// only registers and outputs written by an earlier instruction and operands
/// inside the kernel's tables, writes a register below `k.regs` or an existing
/// output, never one of its own operands, and that every output is written.
/// The error's `step` is `None`: the caller knows which step `k` is.
pub fn check_instrs(k: &FusedKernel) -> Result<(), PlanError> {
    // The executor computes in floating point only; integer and bool nodes run one op at a time.
    if !k.dtype.is_float() {
        return Err(fail(None, PlanErrorKind::KernelNotFloat { dtype: k.dtype }));
    }
    // A register is written by an instruction before it is read, so a kernel
    // never needs more registers than instructions; the bound also keeps the
    // executor's scratch (and the table below) proportional to the kernel.
    if k.regs as usize > k.instrs.len() {
        return Err(fail(None, PlanErrorKind::TooManyRegisters { regs: k.regs, instrs: k.instrs.len() }));
    }
    // What has been written: registers, then outputs, one bit each. On the stack for
    // the usual small kernel, since `fused::run` checks its kernel on every call.
    let (regs, outs) = (k.regs as usize, k.outputs.len());
    let mut small = [0u64; 4];
    let mut large = Vec::new();
    let bits: &mut [u64] = if regs + outs <= 256 {
        &mut small
    } else {
        large.resize((regs + outs).div_ceil(64), 0);
        &mut large
    };
    let written = |bits: &[u64], i: usize| bits[i / 64] >> (i % 64) & 1 == 1;
    let write = |bits: &mut [u64], i: usize| bits[i / 64] |= 1 << (i % 64);
    for (i, ins) in k.instrs.iter().enumerate() {
        let err = |kind| Err(fail(Some(i), kind));
        if !ins.op.is_elementwise() {
            return err(PlanErrorKind::NotElementwise { op: ins.op.name() });
        }
        if ins.args.len() != ins.op.arity() {
            return err(PlanErrorKind::Arity { op: ins.op.name(), expected: ins.op.arity(), found: ins.args.len() });
        }
        for &a in &ins.args {
            let (table, index, len) = match a {
                Src::Reg(r) => {
                    if r >= k.regs {
                        return err(PlanErrorKind::RegisterOutOfRange { reg: r, regs: k.regs });
                    }
                    if !written(bits, r as usize) {
                        return err(PlanErrorKind::ReadBeforeWrite { what: "register", index: r });
                    }
                    continue;
                }
                Src::Out(o) => {
                    if (o as usize) < outs && !written(bits, regs + o as usize) {
                        return err(PlanErrorKind::ReadBeforeWrite { what: "output", index: o });
                    }
                    (Table::Outputs, o, k.outputs.len())
                }
                Src::In(j) => (Table::Inputs, j, k.inputs.len()),
                Src::Scalar(j) => (Table::Scalars, j, k.scalars.len()),
                Src::Const(_) => continue,
            };
            if index as usize >= len {
                return err(PlanErrorKind::OperandOutOfRange { table, index, len });
            }
        }
        match ins.dst {
            Dst::Reg(r) => {
                if r >= k.regs {
                    return err(PlanErrorKind::RegisterOutOfRange { reg: r, regs: k.regs });
                }
                if ins.args.contains(&Src::Reg(r)) {
                    return err(PlanErrorKind::DstIsOperand);
                }
                write(bits, r as usize);
            }
            Dst::Out(o) => {
                if o as usize >= k.outputs.len() {
                    return err(PlanErrorKind::OperandOutOfRange { table: Table::Outputs, index: o, len: k.outputs.len() });
                }
                if ins.args.contains(&Src::Out(o)) {
                    return err(PlanErrorKind::DstIsOperand);
                }
                write(bits, regs + o as usize);
            }
        }
    }
    match (0..outs).find(|&o| !written(bits, regs + o)) {
        Some(index) => Err(fail(None, PlanErrorKind::OutputNeverWritten { index })),
        None => Ok(()),
    }
}
