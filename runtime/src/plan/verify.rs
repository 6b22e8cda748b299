//! [`Plan::verify`]: the plan's invariants, checked in one walk of its steps.
//!
//! The interpreter checks the plan once, when a [`Machine`](crate::exec::Machine)
//! is built, instead of on every step. The walk tracks each value's life (not yet
//! computed, alive, freed), so that reads, frees and exports are checked in the
//! order the interpreter will run them.

use crate::plan::error::{PlanError, PlanErrorKind};
use crate::plan::kernel_check::check_instrs;
use crate::plan::{FigureCmd, FusedKernel, Plan, PrintItem, Step, ValueId};
use crate::tensor::numel;

/// Where a value is in its life at the current step.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Life {
    Unborn,
    Alive,
    Freed,
}

/// The walk's state: the plan, the life of every value and the current step.
struct Walk<'a> {
    plan: &'a Plan,
    life: Vec<Life>,
    step: Option<usize>,
}

impl Walk<'_> {
    fn fail(&self, kind: PlanErrorKind) -> PlanError {
        PlanError { step: self.step, instr: None, kind }
    }

    fn in_range(&self, v: ValueId) -> Result<(), PlanError> {
        match (v.0 as usize) < self.plan.values.len() {
            true => Ok(()),
            false => Err(self.fail(PlanErrorKind::ValueOutOfRange { value: v, values: self.plan.values.len() })),
        }
    }

    /// `v` is read by the current step: it must be alive.
    fn read(&self, v: ValueId) -> Result<(), PlanError> {
        self.in_range(v)?;
        match self.life[v.0 as usize] {
            Life::Alive => Ok(()),
            Life::Unborn => Err(self.fail(PlanErrorKind::ReadBeforeCompute { value: v })),
            Life::Freed => Err(self.fail(PlanErrorKind::ReadAfterFree { value: v })),
        }
    }

    /// A printed Python number holds one element, and its spec applies to its
    /// dtype; a printed choice's condition is one bool.
    fn print_scalars(&self, item: &PrintItem) -> Result<(), PlanError> {
        match item {
            PrintItem::Scalar { value, spec } => {
                let info = &self.plan.values[value.0 as usize];
                let n = numel(&info.shape);
                if n != 1 {
                    return Err(self.fail(PlanErrorKind::ScalarNotOneElement { value: *value, numel: n }));
                }
                let kind = crate::format::python::ValueKind::of_dtype(info.dtype);
                match crate::format::python::FormatSpec::for_kind(spec, kind) {
                    Ok(_) => Ok(()),
                    Err(why) => Err(self.fail(PlanErrorKind::FormatSpec { value: *value, spec: spec.clone(), why })),
                }
            }
            PrintItem::Concat(items) => items.iter().try_for_each(|i| self.print_scalars(i)),
            PrintItem::Choice { cond, then, otherwise } => {
                let info = &self.plan.values[cond.0 as usize];
                let n = numel(&info.shape);
                if n != 1 || info.dtype != crate::tensor::DType::Bool {
                    return Err(self.fail(PlanErrorKind::ScalarNotOneElement { value: *cond, numel: n }));
                }
                self.print_scalars(then)?;
                self.print_scalars(otherwise)
            }
            PrintItem::Text(_) | PrintItem::None | PrintItem::Tensor { .. } => Ok(()),
        }
    }

    /// `v` is computed by the current step: it must not exist yet.
    fn compute(&mut self, v: ValueId) -> Result<(), PlanError> {
        self.in_range(v)?;
        match self.life[v.0 as usize] {
            Life::Unborn => {
                self.life[v.0 as usize] = Life::Alive;
                Ok(())
            }
            Life::Alive | Life::Freed => Err(self.fail(PlanErrorKind::ComputedTwice { value: v })),
        }
    }

    fn step(&mut self, step: &Step) -> Result<(), PlanError> {
        match step {
            Step::Compute { out, op, args } => {
                for &a in args {
                    self.read(a)?;
                }
                if args.len() != op.arity() {
                    return Err(self.fail(PlanErrorKind::Arity { op: op.name(), expected: op.arity(), found: args.len() }));
                }
                self.compute(*out)?;
                if let crate::op::Op::Input(k) = op {
                    self.input_load(*k, *out)?;
                }
                if op.is_elementwise() {
                    self.elementwise_operands(*out, args)?;
                }
                self.shape_op(op, *out, args)?;
            }
            Step::Print(items) | Step::Write(items) => {
                for item in items {
                    for value in item.values() {
                        self.read(value)?;
                    }
                    self.print_scalars(item)?;
                }
            }
            Step::Assert { cond, message, .. } => {
                self.read(*cond)?;
                let c = &self.plan.values[cond.0 as usize];
                if c.dtype != crate::tensor::DType::Bool || numel(&c.shape) != 1 {
                    return Err(self.fail(PlanErrorKind::DTypeMismatch { value: *cond, expected: crate::tensor::DType::Bool, found: c.dtype }));
                }
                for item in message {
                    for value in item.values() {
                        self.read(value)?;
                    }
                    self.print_scalars(item)?;
                }
            }
            Step::Figure(FigureCmd::Plot { x, y, .. } | FigureCmd::Scatter { x, y, .. }) => {
                self.read(*x)?;
                self.read(*y)?;
            }
            Step::Fused(k) => self.kernel(k)?,
            Step::Save { value, .. } => self.read(*value)?,
            Step::Free(v) => {
                self.read(*v)?;
                self.life[v.0 as usize] = Life::Freed;
            }
            Step::Loop(l) => {
                for &v in &l.inputs {
                    self.read(v)?;
                }
                super::loop_check::check(self.plan, l).map_err(|why| self.fail(PlanErrorKind::Loop { why }))?;
                for &v in &l.outputs {
                    self.compute(v)?;
                }
            }
            Step::Branch(b) => {
                self.read(b.cond)?;
                let c = &self.plan.values[b.cond.0 as usize];
                if c.dtype != crate::tensor::DType::Bool || numel(&c.shape) != 1 {
                    return Err(self.fail(PlanErrorKind::Loop { why: "the condition of a branch is not a one-element bool".to_string() }));
                }
                let (t, o) = (&b.then, &b.otherwise);
                if t.inputs != o.inputs || t.outputs != o.outputs || t.trip != 1 || o.trip != 1 {
                    return Err(self.fail(PlanErrorKind::Loop { why: "the two sides of a branch differ in inputs or outputs".to_string() }));
                }
                for &v in &t.inputs {
                    self.read(v)?;
                }
                for l in [t, o] {
                    super::loop_check::check(self.plan, l).map_err(|why| self.fail(PlanErrorKind::Loop { why }))?;
                }
                for &v in &t.outputs {
                    self.compute(v)?;
                }
            }
            Step::Seed(_) | Step::Figure(_) => {}
        }
        Ok(())
    }

    /// `Op::Input(k)` loads input `k` into `out`, the value the input table names.
    fn input_load(&self, k: u32, out: ValueId) -> Result<(), PlanError> {
        let inputs = &self.plan.inputs;
        match inputs.get(k as usize) {
            None => Err(self.fail(PlanErrorKind::InputOutOfRange { input: k, inputs: inputs.len() })),
            Some(info) if info.value != Some(out) => Err(self.fail(PlanErrorKind::InputMismatch { input: k as usize, value: out })),
            Some(_) => Ok(()),
        }
    }

    /// A shape op or matmul: operands of the result's dtype and the result shape
    /// its rule gives ([`super::shape_check`]).
    fn shape_op(&self, op: &crate::op::Op, out: ValueId, args: &[ValueId]) -> Result<(), PlanError> {
        let result = &self.plan.values[out.0 as usize];
        let shapes: Vec<&[usize]> = args.iter().map(|a| self.plan.values[a.0 as usize].shape.as_slice()).collect();
        match super::shape_check::check(op, &shapes, &result.shape) {
            None => return Ok(()),
            Some(Err(why)) => return Err(self.fail(PlanErrorKind::ShapeOp { op: op.name(), why })),
            Some(Ok(())) => {}
        }
        // An index op's first operand has the result's dtype (argmax: any) and its index is i64.
        if let crate::op::Op::Index(i) = op {
            let want = |k: usize| match i {
                crate::op::IndexOp::Arg { .. }
                | crate::op::IndexOp::Sort { .. }
                | crate::op::IndexOp::TopK { .. }
                | crate::op::IndexOp::Kth { .. }
                | crate::op::IndexOp::CumExtreme { .. }
                | crate::op::IndexOp::MaxPool(_)
                | crate::op::IndexOp::AdaptiveMaxPool => None,
                // The boundaries and values share a dtype; a sorter is i64.
                crate::op::IndexOp::Search { .. } if k == 2 => Some(crate::DType::I64),
                crate::op::IndexOp::Search { .. } => Some(self.plan.values[args[0].0 as usize].dtype),
                _ if k == 1 => Some(crate::DType::I64),
                _ => Some(result.dtype),
            };
            for (k, &a) in args.iter().enumerate() {
                let found = self.plan.values[a.0 as usize].dtype;
                if let Some(expected) = want(k).filter(|&e| e != found) {
                    return Err(self.fail(PlanErrorKind::DTypeMismatch { value: a, expected, found }));
                }
            }
            if matches!(
                i,
                crate::op::IndexOp::Arg { .. }
                    | crate::op::IndexOp::Sort { .. }
                    | crate::op::IndexOp::TopK { .. }
                    | crate::op::IndexOp::Kth { .. }
                    | crate::op::IndexOp::CumExtreme { .. }
                    | crate::op::IndexOp::MaxPool(_)
                    | crate::op::IndexOp::AdaptiveMaxPool
                    | crate::op::IndexOp::Search { .. }
            ) && result.dtype != crate::DType::I64
            {
                return Err(self.fail(PlanErrorKind::DTypeMismatch { value: out, expected: crate::DType::I64, found: result.dtype }));
            }
            return Ok(());
        }
        for &a in args {
            let info = &self.plan.values[a.0 as usize];
            if info.dtype != result.dtype {
                return Err(self.fail(PlanErrorKind::DTypeMismatch { value: a, expected: result.dtype, found: info.dtype }));
            }
        }
        Ok(())
    }

    /// Every operand of an elementwise op has the result's dtype and a shape that
    /// broadcasts to the result's (NumPy's rule: aligned from the right, each
    /// dimension equal or 1, no more dimensions than the result).
    fn elementwise_operands(&self, out: ValueId, args: &[ValueId]) -> Result<(), PlanError> {
        let result = &self.plan.values[out.0 as usize];
        for &a in args {
            let info = &self.plan.values[a.0 as usize];
            if info.dtype != result.dtype {
                return Err(self.fail(PlanErrorKind::DTypeMismatch { value: a, expected: result.dtype, found: info.dtype }));
            }
            let broadcasts =
                info.shape.len() <= result.shape.len() && info.shape.iter().rev().zip(result.shape.iter().rev()).all(|(&d, &r)| d == r || d == 1);
            if !broadcasts {
                return Err(self.fail(PlanErrorKind::ShapeMismatch { value: a, shape: info.shape.clone(), result: result.shape.clone() }));
            }
        }
        Ok(())
    }

    /// A fused kernel: its operands alive, its outputs new and distinct, every value
    /// of the kernel's dtype and size, and its instructions well formed.
    fn kernel(&mut self, k: &FusedKernel) -> Result<(), PlanError> {
        for (&v, streamed) in k.inputs.iter().map(|v| (v, true)).chain(k.scalars.iter().map(|v| (v, false))) {
            self.read(v)?;
            self.kernel_value(k, v, streamed)?;
        }
        for (i, &v) in k.outputs.iter().enumerate() {
            if k.outputs[..i].contains(&v) || k.inputs.contains(&v) || k.scalars.contains(&v) {
                return Err(self.fail(PlanErrorKind::OutputRepeated { value: v }));
            }
            self.compute(v)?;
            self.kernel_value(k, v, true)?;
        }
        check_instrs(k).map_err(|e| PlanError { step: self.step, ..e })
    }

    /// `v` has the kernel's dtype, and `k.len` elements if streamed, else one.
    fn kernel_value(&self, k: &FusedKernel, v: ValueId, streamed: bool) -> Result<(), PlanError> {
        let info = &self.plan.values[v.0 as usize];
        if info.dtype != k.dtype {
            return Err(self.fail(PlanErrorKind::DTypeMismatch { value: v, expected: k.dtype, found: info.dtype }));
        }
        let n = numel(&info.shape);
        match (streamed, n) {
            (true, n) if n != k.len => Err(self.fail(PlanErrorKind::KernelLen { value: v, numel: n, len: k.len })),
            (false, n) if n != 1 => Err(self.fail(PlanErrorKind::ScalarNotOneElement { value: v, numel: n })),
            _ => Ok(()),
        }
    }

    /// The input table names existing values of the declared dtype and shape, and
    /// every export is alive once the last step has run.
    fn tables(&self) -> Result<(), PlanError> {
        for (k, input) in self.plan.inputs.iter().enumerate() {
            if let Some(v) = input.value {
                self.in_range(v)?;
                let info = &self.plan.values[v.0 as usize];
                if info.dtype != input.dtype || info.shape != input.shape {
                    return Err(self.fail(PlanErrorKind::InputMismatch { input: k, value: v }));
                }
            }
        }
        for (name, v) in &self.plan.exports {
            self.in_range(*v)?;
            if self.life[v.0 as usize] != Life::Alive {
                return Err(self.fail(PlanErrorKind::ExportNotLive { name: name.clone(), value: *v }));
            }
        }
        Ok(())
    }
}

impl Plan {
    /// Checks every invariant the interpreter relies on: value ids in range; each
    /// value computed once, read only while alive (after its computation, before its
    /// `Free`), freed at most once; ops given their arity, elementwise ops operands
    /// of the result's dtype that broadcast to its shape; inputs loaded into the
    /// values the input table names; each fused kernel's values of its dtype and
    /// length (scalars of one element), outputs distinct from each other and from
    /// the operands, and instructions as `kernel_check::check_instrs` requires;
    /// exports alive at the end. Returns the first violation, in step order.
    pub fn verify(&self) -> Result<(), PlanError> {
        let mut walk = Walk { plan: self, life: vec![Life::Unborn; self.values.len()], step: None };
        for (i, step) in self.steps.iter().enumerate() {
            walk.step = Some(i);
            walk.step(step)?;
        }
        walk.step = None;
        walk.tables()
    }
}
