//! The interpreter: runs a [`Plan`] step by step.
//!
//! It holds one slot per plan value, the random generator and the current
//! figure. Output goes to any `Write`, so tests capture it exactly.

use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::io::Write;
use std::path::Path;

mod print_items;

use crate::fused;
use crate::npy;
use crate::op::DataOp;
use crate::plan::{FigureCmd, Plan, PlanError, Step, ValueId, ValueInfo};
use crate::plot::Figure;
use crate::rng::Generator;
use crate::tensor::{numel, DType, Tensor};

mod compute;
mod donate;
mod epilogue;
mod loops;
mod pool;
pub mod profile;
mod progress;
mod rows;
mod transposed;

pub use donate::{donations, Donations};
pub use epilogue::{bias_epilogues, BiasProduct, Epilogues};
pub use pool::on_pool;
pub use rows::{row_chains, Chain, Role, RowChains};
pub use transposed::{strided_transposes, Strided};

/// A failure while running: after compilation only I/O fails (and, were the compiler
/// ever to emit a malformed plan, its verification: see `From<PlanError>`).
#[derive(Debug)]
pub struct RunError {
    pub message: String,
    /// What to do about it.
    pub help: String,
    /// The byte range of the statement that failed, when one did.
    pub source: Option<(usize, usize)>,
    /// The reader of the output went away (`graphc run prog.act | head`): not
    /// the program's fault, so the CLI stops quietly.
    pub broken_pipe: bool,
}

impl RunError {
    fn output(e: std::io::Error) -> RunError {
        RunError {
            message: format!("cannot write the program's output: {e}"),
            help: "check that standard output is writable (a full disk stops the run)".to_string(),
            source: None,
            broken_pipe: e.kind() == std::io::ErrorKind::BrokenPipe,
        }
    }
}

impl From<PlanError> for RunError {
    /// A plan that fails verification is graphc's bug, reported as such.
    fn from(e: PlanError) -> RunError {
        RunError {
            message: format!("internal error: the compiled plan is malformed ({e})"),
            help: "this is a bug in graphc; please report it with the program that caused it".to_string(),
            source: None,
            broken_pipe: false,
        }
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The interpreter's state between steps.
pub struct Machine {
    slots: Vec<Option<Tensor>>,
    generator: Generator,
    figure: Figure,
    /// When set, every printed tensor is also kept here (for tests that compare at full precision).
    captured: Option<Vec<Tensor>>,
    /// Bytes held by live slots and the pool now, and the most ever held at once
    /// (plus the fused kernels' per-thread scratch).
    live_bytes: usize,
    peak_bytes: usize,
    /// The tensors bound to the plan's inputs, by input index. A run moves each into
    /// its value slot when the plan loads it and gives it back when the value dies
    /// or the run ends, so inputs stay bound from one run to the next.
    inputs: Vec<Option<Tensor>>,
    /// For each value that loads an input: the input's index.
    input_of: FxHashMap<ValueId, usize>,
    /// Buffers of dead values, by dtype and element count, for the next value of
    /// the same size: after the first run, a run allocates no tensor memory
    /// (except for the ops `exec/compute.rs` lists as allocating).
    pool: FxHashMap<(DType, usize), Vec<Tensor>>,
    /// Tensor buffers allocated so far (not taken from the pool), and their bytes.
    allocations: usize,
    allocated_bytes: usize,
    /// Transposes never computed: each value's matrix products read its operand
    /// (the value it maps to) through strides instead (`exec/transposed.rs`).
    strided: Strided,
    /// Products computed at their bias addition's step (`exec/epilogue.rs`).
    epilogues: Epilogues,
    /// Chains of row-wise kernels split among the threads once (`exec/rows.rs`).
    chains: RowChains,
    /// Scatters written into their operand's buffer (`exec/donate.rs`).
    donations: Donations,
    /// For each input: whether a scatter may consume its buffer (a loop's
    /// carried input, `LoopStep::consumable_inputs`); never for a plan's own.
    consumable: Vec<bool>,
    /// In a loop body's machine: the machines of the loops and branch sides
    /// inside it, by their body plan's address, kept from one iteration to
    /// the next with their buffer pools (`exec/loops.rs`).
    bodies: Option<FxHashMap<usize, Machine>>,
    /// What the pool of a kept body machine holds at most (`exec/loops.rs`).
    pool_cap: Option<FxHashMap<(DType, usize), usize>>,
}

impl Machine {
    /// A machine for `plan`, which is verified first ([`Plan::verify`]): a malformed
    /// plan (a compiler bug) is refused here rather than misbehaving mid-run. Later
    /// calls must pass the same plan; another one may make a step panic, though
    /// never cause undefined behaviour, since the fused executor checks each kernel.
    pub fn new(plan: &Plan) -> Result<Machine, PlanError> {
        plan.verify()?;
        Ok(Machine::unverified(plan))
    }

    /// The most bytes of tensor data held at once during the runs so far: live
    /// values, pooled buffers, and the fused kernels' scratch on every thread.
    pub fn peak_bytes(&self) -> usize {
        self.peak_bytes
    }

    /// How many tensor buffers the machine has allocated (rather than reused) so far.
    pub fn allocations(&self) -> usize {
        self.allocations
    }

    /// The bytes of the tensor buffers counted by [`Machine::allocations`].
    pub fn allocated_bytes(&self) -> usize {
        self.allocated_bytes
    }

    /// Binds input `k` for the next runs. The caller (the CLI) has checked the tensor's
    /// dtype and shape against `plan.inputs[k]`; a mismatch is a caller bug.
    pub fn bind_input(&mut self, plan: &Plan, k: usize, t: Tensor) {
        let info = &plan.inputs[k];
        assert!(t.dtype() == info.dtype && t.shape() == info.shape.as_slice(), "input `{}` bound with the wrong dtype or shape", info.name);
        self.inputs[k] = Some(t);
    }

    /// The tensor held by `v` after a run, if it is still alive (exported values always are).
    pub fn value(&self, v: ValueId) -> Option<&Tensor> {
        self.slots.get(v.0 as usize).and_then(Option::as_ref)
    }

    /// Readies the machine to run the plan again (bench): every value slot
    /// cleared ([`Machine::reset_values`]) and the figure emptied, as a new
    /// process would start it; otherwise each run would draw its plots over the
    /// last run's (in the next colour of the cycle) and save them all, and the
    /// figure would grow with every run. The random generator keeps its state;
    /// `manual_seed` steps reset it as usual.
    pub fn reset_run(&mut self) {
        self.reset_values();
        self.figure = crate::plot::Figure::new();
    }

    /// Clears every value slot: buffers go to the pool and inputs stay bound.
    /// A loop body's machine does this after each iteration (its figure is the
    /// program's, lent to it while the loop runs, and stays as it is).
    pub fn reset_values(&mut self) {
        for v in 0..self.slots.len() {
            self.release(ValueId(v as u32));
        }
    }

    fn get(&self, v: ValueId) -> &Tensor {
        // `Machine::new` verified that the plan computes every value before its first
        // use and frees it after its last, so an empty slot here means the machine was
        // given another plan than its own: a caller bug, not a user error.
        self.slots[v.0 as usize].as_ref().unwrap_or_else(|| panic!("plan reads value {} before it is computed", v.0))
    }

    fn set(&mut self, v: ValueId, t: Tensor) {
        self.live_bytes += t.numel() * t.dtype().size();
        self.peak_bytes = self.peak_bytes.max(self.live_bytes);
        self.slots[v.0 as usize] = Some(t);
    }

    /// A buffer for value `v` from the pool, or a new one (contents unspecified).
    fn alloc(&mut self, plan: &Plan, v: ValueId) -> Tensor {
        let info = &plan.values[v.0 as usize];
        let n = numel(&info.shape);
        match self.pool.get_mut(&(info.dtype, n)).and_then(Vec::pop) {
            Some(mut t) => {
                // Pooled bytes are already counted in `live_bytes`; `set` counts them again.
                self.live_bytes -= n * info.dtype.size();
                t.set_shape(&info.shape);
                t
            }
            None => {
                self.allocations += 1;
                self.allocated_bytes += n * info.dtype.size();
                Tensor::full(info.dtype, info.shape.clone(), 0.0)
            }
        }
    }

    /// Ends value `v`'s life: an input goes back to its binding, any other
    /// buffer to the pool (still counted as held).
    fn release(&mut self, v: ValueId) {
        let Some(t) = self.slots[v.0 as usize].take() else { return };
        match self.input_of.get(&v) {
            Some(&k) => {
                // Counted while the plan holds it; the binding itself is the caller's memory.
                self.live_bytes -= t.numel() * t.dtype().size();
                self.inputs[k] = Some(t);
            }
            None => self.pool.entry((t.dtype(), t.numel())).or_default().push(t),
        }
    }

    /// Runs every step of `plan`, writing printed output to `out`.
    pub fn run(&mut self, plan: &Plan, out: &mut dyn Write) -> Result<(), RunError> {
        self.run_steps(plan, out)?;
        out.flush().map_err(RunError::output)
    }

    fn step(&mut self, plan: &Plan, step: &Step, out: &mut dyn Write) -> Result<(), RunError> {
        match step {
            Step::Compute { out: dst, .. } if self.strided.contains(*dst) || self.epilogues.deferred(*dst) => {}
            Step::Compute { out: dst, op, args } => {
                let t = self.compute(plan, *dst, op, args)?;
                self.set(*dst, t);
            }
            Step::Seed(s) => self.generator.manual_seed(*s),
            Step::Print(items) => {
                let parts: Vec<String> = items.iter().map(|item| self.print_text(item)).collect();
                writeln!(out, "{}", parts.join(" ")).map_err(RunError::output)?;
            }
            Step::Write(items) => {
                let parts: Vec<String> = items.iter().map(|item| self.print_text(item)).collect();
                write!(out, "{}", parts.concat()).map_err(RunError::output)?;
            }
            Step::Assert { cond, message, exception, source } => {
                if self.get(*cond).f64_at(0).is_some_and(|c| c == 0.0) {
                    // Python's traceback ends in `AssertionError: <message>`
                    // (or the raised exception's name), the message as `str`
                    // makes it: what `print` shows.
                    let parts: Vec<String> = message.iter().map(|item| self.print_text(item)).collect();
                    let text = parts.join(" ");
                    let help = if exception == "AssertionError" {
                        "the program's `assert` found its test false; the output above is what ran before it".to_string()
                    } else {
                        format!("the program raised `{exception}` here; the output above is what ran before it")
                    };
                    return Err(RunError {
                        message: if text.is_empty() { exception.clone() } else { format!("{exception}: {text}") },
                        help,
                        source: Some(*source),
                        broken_pipe: false,
                    });
                }
            }
            Step::Figure(cmd) => self.figure_cmd(cmd)?,
            Step::Fused(k) => {
                let mut outs: SmallVec<[Tensor; 4]> = k.outputs.iter().map(|&v| self.alloc(plan, v)).collect();
                {
                    let ins: SmallVec<[&Tensor; 8]> = k.inputs.iter().map(|&v| self.get(v)).collect();
                    let scalars: SmallVec<[&Tensor; 4]> = k.scalars.iter().map(|&v| self.get(v)).collect();
                    fused::run(k, &ins, &scalars, &mut outs);
                }
                for (&v, t) in k.outputs.iter().zip(outs) {
                    self.set(v, t);
                }
                // While the kernel ran, its outputs and every thread's scratch were held too.
                let scratch = fused::scratch_bytes(k) * rayon::current_num_threads();
                self.peak_bytes = self.peak_bytes.max(self.live_bytes + scratch);
            }
            Step::Free(v) => {
                for v in self.strided.frees(*v).into_iter().flatten() {
                    self.release(v);
                }
            }
            Step::Save { value, path, source } => npy::save(Path::new(path), self.get(*value)).map_err(|e| RunError {
                message: format!("cannot save `{path}`: {e}"),
                help: "choose a path in an existing, writable directory; the file was left as it was".to_string(),
                source: Some(*source),
                broken_pipe: false,
            })?,
            Step::Loop(l) => self.run_loop(l, out)?,
            Step::Branch(b) => {
                let taken = self.get(b.cond).f64_at(0).is_some_and(|c| c != 0.0);
                self.run_loop(if taken { &b.then } else { &b.otherwise }, out)?
            }
        }
        Ok(())
    }

    /// Runs a data source: a file read (which may fail, as the file may have
    /// changed since compilation) or a random integer draw.
    fn data(&mut self, op: &DataOp, info: &ValueInfo) -> Result<Tensor, RunError> {
        Ok(match op {
            DataOp::Load(path) => npy::load_as(Path::new(path), info.dtype, &info.shape).map_err(|e| RunError {
                message: e.message().to_string(),
                help: "the file must keep the dtype and shape it had when the program was compiled; run the program again to compile it against the file as it is now".to_string(),
                source: None,
                broken_pipe: false,
            })?,
            DataOp::Randperm => self.generator.randperm(info.shape[0]),
            DataOp::Randint { low, high } => self.generator.randint(*low, *high, &info.shape),
            DataOp::LoaderOrder { shuffle } => self.generator.loader_order(info.shape[0], *shuffle),
            DataOp::Exponential { lambda } => self.generator.exponential(info.dtype, &info.shape, lambda.get()),
            DataOp::TruncNormal { mean, std, lo, hi } => {
                self.generator.trunc_normal(info.dtype, &info.shape, (mean.get(), std.get()), (lo.get(), hi.get()))
            }
        })
    }

    fn figure_cmd(&mut self, cmd: &FigureCmd) -> Result<(), RunError> {
        match cmd {
            FigureCmd::Plot { x, y, label, alpha } => {
                let xs = self.get(*x).to_f64_vec();
                let ys = self.get(*y).to_f64_vec();
                self.figure.plot(&xs, &ys, label.as_deref(), *alpha);
            }
            FigureCmd::Scatter { x, y, label, alpha } => {
                let (xs, ys) = (self.get(*x).to_f64_vec(), self.get(*y).to_f64_vec());
                self.figure.scatter(&xs, &ys, label.as_deref(), *alpha);
            }
            FigureCmd::LogY => self.figure.log_y(),
            FigureCmd::XLim(a, b) => self.figure.xlim(*a, *b),
            FigureCmd::YLim(a, b) => self.figure.ylim(*a, *b),
            FigureCmd::Grid => self.figure.grid(),
            FigureCmd::New => self.figure.start_new(),
            FigureCmd::Legend => self.figure.legend(),
            FigureCmd::XLabel(s) => self.figure.xlabel(s),
            FigureCmd::YLabel(s) => self.figure.ylabel(s),
            FigureCmd::Title(s) => self.figure.title(s),
            FigureCmd::FigSize(w, h) => self.figure.set_figsize(*w, *h),
            FigureCmd::Dpi(d) => self.figure.set_dpi(*d),
            FigureCmd::UnicodeMinus(on) => self.figure.set_unicode_minus(*on),
            FigureCmd::SaveFig { path, source } => self.figure.savefig(Path::new(path)).map_err(|e| RunError {
                message: format!("cannot save the figure to `{path}`: {e}"),
                help: "choose a path in an existing, writable directory; nothing was written".to_string(),
                source: Some(*source),
                broken_pipe: false,
            })?,
        }
        Ok(())
    }
}

/// Runs a plan from a fresh machine, returning what it printed and every printed
/// tensor at full precision, in print order. Figures are still written.
pub fn run_capture(plan: &Plan) -> Result<(String, Vec<Tensor>), RunError> {
    let mut m = Machine::new(plan)?;
    m.captured = Some(Vec::new());
    let mut out = Vec::new();
    m.run(plan, &mut out)?;
    Ok((String::from_utf8_lossy(&out).into_owned(), m.captured.take().unwrap_or_default()))
}

/// Runs a plan from a fresh machine.
pub fn run(plan: &Plan, out: &mut dyn Write) -> Result<(), RunError> {
    Machine::new(plan)?.run(plan, out)
}
