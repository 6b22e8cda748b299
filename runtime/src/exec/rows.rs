//! A chain of row-wise kernels split among the threads once, not once a kernel.
//!
//! The forward and backward of a layer are a chain of kernels over the rows of
//! a batch: in the digits step `x @ w1 + b1`, the tanh kernel, `h @ w2 + b2`,
//! `log_softmax`, its gradient, `g @ w2.T` and the tanh gradient, seven kernels
//! in which row `r` of each result reads only row `r` of the results before it.
//! Split one kernel at a time, each ends with a join in which one thread waits
//! for the other (and whichever core is slower at that moment sets the pace of
//! every kernel). Here the machine allocates the results of such a chain, and
//! each thread runs all of its kernels over its own rows (`kernels::parts`
//! gives it the rows every other kernel gives it) with one join at the end.
//! The rows a thread reads from an earlier kernel of the chain are rows it
//! wrote itself.
//!
//! Each kernel computes its rows exactly as it does when it runs alone (every
//! kernel here is computed row by row, whatever rows a part holds), so no
//! value changes. Nor does memory, nearly: the machine allocates the results
//! and frees the values in the plan's order before the kernels run, so a
//! result still takes the buffer of an earlier result the chain is done with
//! (thread by thread, the rows it overwrites are rows that thread has already
//! read). Only the frees of values from before the chain wait for its end,
//! since the other thread may still read them. `schedule::peak` replays chains
//! the same way (with [`row_chains`] and [`Chain::steps`]).

use std::io::Write;
use std::ops::Range;

use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;

use super::{Epilogues, Machine, RunError, Strided};
use crate::fused::{self, Element};
use crate::kernels::matmul::{matmul_2d_into, matmul_bias_into, Gemm};
use crate::kernels::parts::{self, Shared};
use crate::kernels::softmax::{softmax_backward_into, softmax_into};
use crate::op::Op;
use crate::plan::{FusedKernel, Plan, Step, ValueId};
use crate::tensor::{DType, Tensor};

/// The steps `start..end` of a plan that run as one chain, over `rows` rows
/// of `dtype`, with each step's role and each kernel's operands (found once,
/// when the plan is read, so that a run of the chain only follows them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    pub start: usize,
    pub end: usize,
    pub rows: usize,
    pub dtype: DType,
    pub roles: Vec<Role>,
    /// The kernels of the steps whose role is [`Role::Kernel`], in order.
    pub(super) kernels: Vec<Kernel>,
}

impl Chain {
    /// The chain's steps of `plan`, in order, with their roles.
    pub fn steps<'p>(&'p self, plan: &'p Plan) -> impl Iterator<Item = (&'p Step, Role)> + 'p {
        plan.steps[self.start..self.end].iter().zip(self.roles.iter().copied())
    }
}

/// The chains of a plan, by their first step.
#[derive(Debug, Default)]
pub struct RowChains {
    at: FxHashMap<usize, Chain>,
}

impl RowChains {
    /// The chain whose first step is step `i`, if one is.
    pub fn starting_at(&self, i: usize) -> Option<&Chain> {
        self.at.get(&i)
    }
}

/// What a step inside a chain does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A kernel: its results are allocated in order, its rows computed with the others'.
    Kernel,
    /// The `Free` of an earlier kernel's result: done in order, so that a later
    /// result may take its buffer.
    Release,
    /// Any other `Free`: done after the chain's last kernel.
    Free,
    /// A step that computes nothing the kernels write (an input taken from its
    /// binding, a transpose read through strides, a product computed at its bias
    /// addition): done in order, before the kernels run.
    Before,
}

/// The role of `step` in a chain (of a plan with these strided transposes and
/// epilogues); `None` for a step no chain may hold.
pub fn role(step: &Step, strided: &Strided, epilogues: &Epilogues) -> Option<Role> {
    match step {
        Step::Free(_) => Some(Role::Free),
        Step::Compute { out, .. } if strided.contains(*out) || epilogues.deferred(*out) => Some(Role::Before),
        Step::Compute { op: Op::Input(_), .. } => Some(Role::Before),
        Step::Compute { .. } | Step::Fused(_) => Some(Role::Kernel),
        _ => None,
    }
}

/// Chains of fewer elements than this in all (over all their kernels' results)
/// run kernel by kernel: a part of rows is not worth handing to another thread.
/// Four times a lone kernel's threshold: with the other threads spinning
/// (`exec/pool.rs`) a hand-off is cheap, but the rows a part wrote move to
/// the other core when the later kernels read them whole, and a mini-batch of
/// 100 rows (16,000 elements in all) ran 7% slower split in two than on one
/// thread (docs/PERFORMANCE.md, sixteenth sitting).
const MIN_ELEMENTS: usize = 4 * crate::kernels::parts::SPLIT_ELEMENTS;

/// One kernel of a chain: the values it reads row by row (its row `r` reads
/// their row `r`), the values it reads whole, and its results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Kernel {
    /// `a @ b + bias`, the product computed at its addition (`exec/epilogue.rs`).
    MatMulBias { a: ValueId, b: ValueId, bias: ValueId, bias_first: bool, out: ValueId },
    /// `a @ b`, `b` maybe a transpose read through strides (`b_t`: `b` holds its operand).
    MatMul { a: ValueId, b: ValueId, b_t: bool, out: ValueId },
    /// `log_softmax` or `softmax` along the last of two dimensions.
    Softmax { x: ValueId, log: bool, out: ValueId },
    /// Their gradient along the last of two dimensions.
    SoftmaxBackward { grad: ValueId, y: ValueId, log: bool, out: ValueId },
    /// The fused elementwise kernel of step `step` of the plan.
    Fused { step: usize },
}

impl Kernel {
    /// The values this kernel reads row by row, and those it reads whole.
    fn reads(&self, plan: &Plan) -> (Vec<ValueId>, Vec<ValueId>) {
        match self {
            Kernel::MatMulBias { a, b, bias, .. } => (vec![*a], vec![*b, *bias]),
            Kernel::MatMul { a, b, .. } => (vec![*a], vec![*b]),
            Kernel::Softmax { x, .. } => (vec![*x], vec![]),
            Kernel::SoftmaxBackward { grad, y, .. } => (vec![*grad, *y], vec![]),
            Kernel::Fused { step } => {
                let k = fused_at(plan, *step);
                (k.inputs.clone(), k.scalars.clone())
            }
        }
    }

    /// The values this kernel computes.
    pub(super) fn outputs<'p>(&'p self, plan: &'p Plan) -> &'p [ValueId] {
        match self {
            Kernel::MatMulBias { out, .. } | Kernel::MatMul { out, .. } | Kernel::Softmax { out, .. } | Kernel::SoftmaxBackward { out, .. } => {
                std::slice::from_ref(out)
            }
            Kernel::Fused { step } => &fused_at(plan, *step).outputs,
        }
    }
}

/// The fused kernel of step `step`, which [`kernel`] found to be one.
fn fused_at(plan: &Plan, step: usize) -> &FusedKernel {
    match &plan.steps[step] {
        Step::Fused(k) => k,
        _ => unreachable!("step {step} of a chain is a fused kernel, as `kernel` found"),
    }
}

/// Step `i` as a kernel a chain can hold, with its rows and dtype: a float
/// kernel whose every result has 2 dimensions (or, for a fused kernel, rows by
/// its first output's leading dimension) and whose row operands have its rows.
fn kernel(plan: &Plan, i: usize, strided: &Strided, epilogues: &Epilogues) -> Option<(Kernel, usize, DType)> {
    let info = |v: ValueId| &plan.values[v.0 as usize];
    let matrix = |v: ValueId| match info(v).shape[..] {
        [rows, cols] if info(v).dtype.is_float() => Some((rows, cols)),
        _ => None,
    };
    let (kernel, out) = match &plan.steps[i] {
        Step::Fused(k) => {
            let first = *k.outputs.first()?;
            let shape = &info(first).shape;
            let rows = *shape.first().filter(|_| shape.len() > 1)?;
            if !k.dtype.is_float() || rows == 0 || k.len % rows != 0 {
                return None;
            }
            // Every input and output holds `k.len` elements: row `r` is the same
            // elements of each (`fused::run_rows`).
            return Some((Kernel::Fused { step: i }, rows, k.dtype));
        }
        Step::Compute { out, op, args } => {
            let kernel = if let Some(e) = epilogues.at(*out) {
                Kernel::MatMulBias { a: e.a, b: e.b, bias: e.bias, bias_first: e.bias_first, out: *out }
            } else {
                match op {
                    Op::MatMul if args.len() == 2 && !strided.contains(args[0]) => {
                        let (b, b_t) = match strided.operand(args[1]) {
                            Some(x) => (x, true),
                            None => (args[1], false),
                        };
                        matrix(args[0])?;
                        matrix(args[1])?;
                        Kernel::MatMul { a: args[0], b, b_t, out: *out }
                    }
                    Op::Softmax { dim: 1, log } => Kernel::Softmax { x: args[0], log: *log, out: *out },
                    Op::SoftmaxBackward { dim: 1, log } if info(args[0]).shape == info(args[1]).shape => {
                        Kernel::SoftmaxBackward { grad: args[0], y: args[1], log: *log, out: *out }
                    }
                    _ => return None,
                }
            };
            (kernel, *out)
        }
        _ => return None,
    };
    let (rows, _) = matrix(out)?;
    // Row operands have the result's rows, and every operand its dtype.
    let (by_row, whole) = kernel.reads(plan);
    let dtype = info(out).dtype;
    if by_row.iter().any(|&v| matrix(v).is_none_or(|(r, _)| r != rows)) || by_row.iter().chain(&whole).any(|&v| info(v).dtype != dtype) {
        return None;
    }
    Some((kernel, rows, dtype))
}

/// Finds the chains of `plan`: runs of steps of [`role`]s, starting and ending
/// with a kernel, of at least two kernels over the same rows and dtype, in
/// which a kernel reads the result of an earlier kernel of the run only row by
/// row. A longer run is cut where a kernel breaks that; it may start a chain
/// of its own.
pub fn row_chains(plan: &Plan, strided: &Strided, epilogues: &Epilogues) -> RowChains {
    let mut chains = RowChains::default();
    let mut i = 0;
    while i < plan.steps.len() {
        // A chain starts at a kernel that runs as one (not at a product its bias
        // addition computes, which `kernel` would also read as a product).
        let first = (role(&plan.steps[i], strided, epilogues) == Some(Role::Kernel)).then(|| kernel(plan, i, strided, epilogues)).flatten();
        let Some((first, rows, dtype)) = first else {
            i += 1;
            continue;
        };
        let mut produced: FxHashSet<ValueId> = first.outputs(plan).iter().copied().collect();
        let elements = |k: &Kernel| k.outputs(plan).iter().map(|v| crate::tensor::numel(&plan.values[v.0 as usize].shape)).sum::<usize>();
        let (mut last, mut total) = (i, elements(&first));
        let mut kernels = vec![first];
        for (j, step) in plan.steps.iter().enumerate().skip(i + 1) {
            match role(step, strided, epilogues) {
                Some(Role::Free | Role::Release | Role::Before) => continue,
                Some(Role::Kernel) => {}
                None => break,
            }
            let Some((k, r, d)) = kernel(plan, j, strided, epilogues) else { break };
            let (_, whole) = k.reads(plan);
            if r != rows || d != dtype || whole.iter().any(|v| produced.contains(v)) {
                break;
            }
            produced.extend(k.outputs(plan));
            total += elements(&k);
            kernels.push(k);
            last = j;
        }
        if kernels.len() >= 2 && total >= MIN_ELEMENTS && rows >= 2 {
            let roles = roles(plan, i..last + 1, &kernels, strided, epilogues);
            chains.at.insert(i, Chain { start: i, end: last + 1, rows, dtype, roles, kernels });
        }
        i = last + 1;
    }
    chains
}

/// The roles of the steps `range` of a chain, whose kernels are `kernels`, in
/// order: a `Free` of an earlier kernel's result is a [`Role::Release`].
fn roles(plan: &Plan, range: Range<usize>, kernels: &[Kernel], strided: &Strided, epilogues: &Epilogues) -> Vec<Role> {
    let mut results: FxHashSet<ValueId> = FxHashSet::default();
    let mut kernels = kernels.iter();
    plan.steps[range]
        .iter()
        .map(|step| {
            let role = role(step, strided, epilogues).expect("`row_chains` admits only steps with a role");
            match (role, step) {
                (Role::Kernel, _) => {
                    let k = kernels.next().expect("`row_chains` found a kernel at each kernel step");
                    results.extend(k.outputs(plan));
                    role
                }
                // Freed in order only when the free ends just that result (not
                // an operand a strided transpose kept alive).
                (Role::Free, Step::Free(v)) if results.contains(v) && strided.frees(*v) == [Some(*v), None] => Role::Release,
                _ => role,
            }
        })
        .collect()
}

/// A buffer of row-major rows of `cols` elements, shared by the threads that
/// each read or write their own rows of it.
#[derive(Clone, Copy)]
struct Rows<T> {
    base: Shared<T>,
    cols: usize,
}

impl<T> Rows<T> {
    /// Rows `r` as a slice.
    ///
    /// # Safety
    /// The buffer holds at least `r.end * cols` elements, outlives the slice,
    /// and no other thread writes these rows meanwhile.
    unsafe fn get<'a>(&self, r: &Range<usize>) -> &'a [T] {
        self.base.slice(r.start * self.cols..r.end * self.cols)
    }

    /// Rows `r` as a mutable slice.
    ///
    /// # Safety
    /// As [`Rows::get`], the buffer is a result of the chain, and no other
    /// slice of these rows is alive.
    unsafe fn get_mut<'a>(&self, r: &Range<usize>) -> &'a mut [T] {
        self.base.slice_mut(r.start * self.cols..r.end * self.cols)
    }
}

/// One kernel of a chain with its operands resolved: the buffers it reads and
/// writes by rows, and those it reads whole.
enum Prepared<'a, T> {
    MatMulBias {
        a: Rows<T>,
        b: &'a [T],
        bias: &'a [T],
        bias_first: bool,
        out: Rows<T>,
    },
    MatMul {
        a: Rows<T>,
        b: &'a [T],
        b_t: bool,
        out: Rows<T>,
    },
    Softmax {
        x: Rows<T>,
        log: bool,
        out: Rows<T>,
    },
    SoftmaxBackward {
        grad: Rows<T>,
        y: Rows<T>,
        log: bool,
        out: Rows<T>,
    },
    Fused {
        k: &'a FusedKernel,
        shape: &'a [usize],
        ins: SmallVec<[Shared<T>; 8]>,
        scalars: SmallVec<[&'a Tensor; 4]>,
        outs: SmallVec<[Shared<T>; 4]>,
    },
}

impl<T: Gemm + Element> Prepared<'_, T> {
    /// Computes rows `r` of this kernel's results, on this thread.
    ///
    /// # Safety
    /// Every buffer holds the chain's rows; no other thread touches rows `r`
    /// of the results, nor writes rows `r` of the row operands, meanwhile; and
    /// the row operands' rows `r` are computed.
    unsafe fn run(&self, r: &Range<usize>) {
        let m = r.len();
        match self {
            Prepared::MatMulBias { a, b, bias, bias_first, out } => {
                matmul_bias_into(m, a.cols, out.cols, a.get(r), b, bias, *bias_first, out.get_mut(r));
            }
            Prepared::MatMul { a, b, b_t, out } => matmul_2d_into(m, a.cols, out.cols, a.get(r), false, b, *b_t, out.get_mut(r)),
            Prepared::Softmax { x, log, out } => softmax_into(x.get(r), &[m, out.cols], 1, *log, out.get_mut(r)),
            Prepared::SoftmaxBackward { grad, y, log, out } => softmax_backward_into(grad.get(r), y.get(r), &[m, out.cols], 1, *log, out.get_mut(r)),
            Prepared::Fused { k, shape, ins, scalars, outs } => fused::run_rows(k, shape, ins, scalars, outs, r.clone()),
        }
    }
}

impl Machine {
    /// Runs the steps of `chain`: in the plan's order the steps before its
    /// kernels, the kernels' allocations and the releases of their results; then
    /// the kernels' rows on every thread; then the other frees.
    pub(super) fn run_chain(&mut self, plan: &Plan, chain: &Chain, out: &mut dyn Write) -> Result<(), RunError> {
        match chain.dtype {
            DType::F32 => self.chain_typed::<f32>(plan, chain, out)?,
            DType::F64 => self.chain_typed::<f64>(plan, chain, out)?,
            DType::I64 | DType::Bool => unreachable!("`row_chains` admits float kernels only"),
        }
        for (step, role) in chain.steps(plan) {
            if role == Role::Free {
                self.step(plan, step, out)?;
            }
        }
        Ok(())
    }

    /// [`Machine::run_chain`] up to its last frees, for kernels of `T`.
    fn chain_typed<T: Gemm + Element>(&mut self, plan: &Plan, chain: &Chain, out: &mut dyn Write) -> Result<(), RunError> {
        let rows = chain.rows;
        // Where each result's rows are: a released result's buffer may be the
        // next result's too, and the pointers stay valid as the tensors move.
        // A chain has a handful of results, so a list on the stack serves.
        let mut written: SmallVec<[(ValueId, Rows<T>); 16]> = SmallVec::new();
        let mut kernels = chain.kernels.iter();
        for (step, role) in chain.steps(plan) {
            match role {
                Role::Before | Role::Release => self.step(plan, step, out)?,
                Role::Free => {}
                Role::Kernel => {
                    let k = kernels.next().expect("`row_chains` found a kernel at each kernel step");
                    for &v in k.outputs(plan) {
                        let mut t = self.alloc(plan, v);
                        let s = T::slice_mut(&mut t);
                        written.push((v, Rows { base: Shared::new(s.as_mut_ptr()), cols: s.len() / rows }));
                        self.set(v, t);
                    }
                }
            }
        }
        // The latest buffer of `v`: a value is computed once, so there is one.
        let result = |v: ValueId| written.iter().find(|(w, _)| *w == v).map(|&(_, r)| r);
        let by_row = |v: ValueId| match result(v) {
            Some(r) => r,
            None => {
                // A value from before the chain, which no thread writes: read only.
                let s = T::slice(self.get(v));
                Rows { base: Shared::reading(s.as_ptr()), cols: s.len() / rows }
            }
        };
        let out_rows = |v: ValueId| result(v).expect("a kernel's result was allocated above");
        let whole = |v: ValueId| T::slice(self.get(v));
        let prepared: SmallVec<[Prepared<T>; 8]> = chain
            .kernels
            .iter()
            .map(|k| match k {
                Kernel::MatMulBias { a, b, bias, bias_first, out } => {
                    Prepared::MatMulBias { a: by_row(*a), b: whole(*b), bias: whole(*bias), bias_first: *bias_first, out: out_rows(*out) }
                }
                Kernel::MatMul { a, b, b_t, out } => Prepared::MatMul { a: by_row(*a), b: whole(*b), b_t: *b_t, out: out_rows(*out) },
                Kernel::Softmax { x, log, out } => Prepared::Softmax { x: by_row(*x), log: *log, out: out_rows(*out) },
                Kernel::SoftmaxBackward { grad, y, log, out } => {
                    Prepared::SoftmaxBackward { grad: by_row(*grad), y: by_row(*y), log: *log, out: out_rows(*out) }
                }
                Kernel::Fused { step } => {
                    let f = fused_at(plan, *step);
                    Prepared::Fused {
                        k: f,
                        shape: &plan.values[f.outputs[0].0 as usize].shape,
                        ins: f.inputs.iter().map(|&v| by_row(v).base).collect(),
                        scalars: f.scalars.iter().map(|&v| self.get(v)).collect(),
                        outs: f.outputs.iter().map(|&v| out_rows(v).base).collect(),
                    }
                }
            })
            .collect();
        parts::for_parts(rows, true, &|r| {
            parts::as_part(|| {
                for p in &prepared {
                    // SAFETY: every buffer holds `rows` rows (`kernel` checked the
                    // shapes) and lives until this returns (the slots and the pool keep
                    // them); `for_parts` gives each thread disjoint rows; a result is read
                    // later in the chain only at the rows this thread wrote (`row_chains`:
                    // never whole), and its buffer is another result's only after its last
                    // reader, in the plan's order, which each thread follows; the values
                    // from before the chain are freed only after it.
                    unsafe { p.run(&r) }
                }
            })
        });
        drop(prepared);
        // While the kernels ran, every thread's scratch was held too.
        let scratch = chain
            .kernels
            .iter()
            .map(|k| if let Kernel::Fused { step } = k { fused::scratch_bytes(fused_at(plan, *step)) } else { 0 })
            .max()
            .unwrap_or(0);
        self.peak_bytes = self.peak_bytes.max(self.live_bytes + scratch * rayon::current_num_threads());
        Ok(())
    }
}
