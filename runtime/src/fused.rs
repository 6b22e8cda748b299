//! The fused-kernel executor: runs a [`FusedKernel`] chunk by chunk.
//!
//! A chunk is [`CHUNK`] elements: small enough that every register of the
//! kernel stays in the core's cache while all of its instructions run over the
//! chunk, large enough that dispatching an instruction costs nothing next to
//! its loop. Chunks are independent (every op is elementwise), so rayon runs
//! them on all threads, and results never depend on the thread count or on the
//! chunk size: each element sees exactly the same operations in the same order.
//!
//! Each instruction calls the same element formulas as the one-op kernels
//! (`kernels::elementwise::*_into`), so fusing never changes a value. Only
//! instructions the compiler marked `fast` may use the vector math library.

use std::cell::RefCell;

use smallvec::SmallVec;

use crate::kernels::elementwise::{activation_at_into, binary_at_into, pow_scalar_at_into, select_into, unary_at_into, unary_into, Arg};
use crate::kernels::float::Float;
use crate::kernels::parts::Shared;
use crate::op::{Op, Unary};
use crate::plan::{check_instrs, Dst, FusedKernel, Instr, Src};
use crate::tensor::{DType, Data, Tensor};

/// Elements per chunk: 2048 f32 are 8 KiB a register, so a kernel with a dozen
/// live registers still fits in L2 beside its input and output chunks.
pub const CHUNK: usize = 2048;

/// Below this many element-instructions (elements times instructions) a kernel
/// runs on the calling thread: a few microseconds of work, less than handing
/// rows to another thread costs. Every `[1500, 32]` kernel of the digits step
/// splits: the other worker is usually still awake from the kernel before, as
/// every kernel of the step splits its rows alike.
pub const PARALLEL_WORK: usize = 1 << 15;

/// Kernels of at least this many elements write their outputs with non-temporal
/// stores: outputs that large do not fit in cache anyway, and a plain store would
/// first read each destination line from memory (write-allocate), a third more
/// traffic for a kernel like the tutorial's, which reads one vector and writes two.
/// Smaller outputs are stored normally, so that the next op finds them in cache.
pub const STREAM_MIN: usize = 1 << 20;

/// Whether `k` writes its outputs with non-temporal stores (through a scratch row each).
fn streams(k: &FusedKernel) -> bool {
    cfg!(target_arch = "x86_64") && k.len >= STREAM_MIN
}

/// Scratch rows one thread needs to run `k`: its registers, and a row per output
/// when outputs are streamed.
fn scratch_rows(k: &FusedKernel) -> usize {
    k.regs as usize + if streams(k) { k.outputs.len() } else { 0 }
}

/// The length of a scratch row: a chunk, or the whole kernel if it is shorter, so
/// that a long chain of small values (thousands of live registers) stays small.
fn row_len(k: &FusedKernel) -> usize {
    CHUNK.min(k.len)
}

/// Bytes of scratch one thread needs to run `k`.
pub fn scratch_bytes(k: &FusedKernel) -> usize {
    scratch_rows(k) * row_len(k) * k.dtype.size()
}

/// Runs `k`. `inputs` and `scalars` are the tensors of `k.inputs` and `k.scalars`;
/// `outputs` are tensors of `k.len` elements (any contents), overwritten.
///
/// # Panics
/// If `k`'s instructions break an invariant of [`check_instrs`] (the checks
/// [`Plan::verify`](crate::plan::Plan::verify) makes), or a tensor does not match
/// the kernel's dtype, length or operand count. These checks cost one pass over
/// the instructions and operands per call, never one per element, and they are
/// what makes the unsafe chunk loop below sound for any arguments.
pub fn run(k: &FusedKernel, inputs: &[&Tensor], scalars: &[&Tensor], outputs: &mut [Tensor]) {
    if let Err(e) = check_instrs(k) {
        match e.instr {
            Some(_) => panic!("malformed fused kernel: {e}"),
            // A kernel-wide error has no location: this kernel is not known to be part of a plan.
            None => panic!("malformed fused kernel: {}", e.kind),
        }
    }
    assert!(
        inputs.len() == k.inputs.len() && scalars.len() == k.scalars.len() && outputs.len() == k.outputs.len(),
        "fused kernel given {} inputs, {} scalars and {} outputs for {}, {} and {}",
        inputs.len(),
        scalars.len(),
        outputs.len(),
        k.inputs.len(),
        k.scalars.len(),
        k.outputs.len()
    );
    match k.dtype {
        DType::F32 => run_typed::<f32>(k, inputs, scalars, outputs),
        DType::F64 => run_typed::<f64>(k, inputs, scalars, outputs),
        // Fusion takes float nodes only (`analysis/partition.rs`), and `Plan::verify` rejects other kernels.
        DType::I64 | DType::Bool => panic!("a fused kernel of {}: fused kernels are float-only", k.dtype),
    }
}

/// The element types the executor runs, with their per-thread scratch. (Their fast
/// math is `Float::exp_fast`, from `kernels::vmath`.)
pub trait Element: Float + Send + Sync {
    /// Calls `f` with this thread's scratch of at least `len` elements. The buffer
    /// is kept for the thread's lifetime, so steady-state runs allocate nothing.
    fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [Self]) -> R) -> R;
    fn slice_mut(t: &mut Tensor) -> &mut [Self];
    /// Copies `src` to `dst` with non-temporal stores where the CPU has them.
    ///
    /// # Safety
    /// `dst` must be valid for `src.len()` writes that nothing else touches meanwhile.
    unsafe fn stream_store(src: &[Self], dst: *mut Self);
}

macro_rules! impl_element {
    ($t:ty, $variant:ident, $stream:ident, $load:ident) => {
        impl Element for $t {
            fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [$t]) -> R) -> R {
                thread_local! {
                    static SCRATCH: RefCell<Vec<$t>> = const { RefCell::new(Vec::new()) };
                }
                SCRATCH.with(|s| {
                    let mut s = s.borrow_mut();
                    if s.len() < len {
                        s.resize(len, 0.0);
                    }
                    f(&mut s[..len])
                })
            }
            unsafe fn stream_store(src: &[$t], dst: *mut $t) {
                #[cfg(target_arch = "x86_64")]
                {
                    use std::arch::x86_64::*;
                    // SSE2 (every x86-64 CPU) streams 16 bytes at a time from a
                    // 16-byte aligned address; the unaligned head and the tail are
                    // stored normally.
                    let lanes = 16 / std::mem::size_of::<$t>();
                    let head = ((16 - (dst as usize % 16)) % 16) / std::mem::size_of::<$t>();
                    if dst as usize % std::mem::size_of::<$t>() == 0 && head < src.len() {
                        // SAFETY (this block and the loop): every index written is below
                        // `src.len()`, for which the caller guarantees `dst` is valid and
                        // unshared; `src` is a slice of that length and cannot overlap
                        // memory nothing else touches. SSE2 is part of x86-64, and the
                        // streamed addresses `dst + i` (i from `head` in steps of `lanes`)
                        // are 16-byte aligned as `_mm_stream_*` requires.
                        std::ptr::copy_nonoverlapping(src.as_ptr(), dst, head);
                        let body = (src.len() - head) / lanes * lanes;
                        let mut i = head;
                        while i < head + body {
                            $stream(dst.add(i), $load(src.as_ptr().add(i)));
                            i += lanes;
                        }
                        std::ptr::copy_nonoverlapping(src.as_ptr().add(i), dst.add(i), src.len() - i);
                        // Streaming stores are weakly ordered: fence them before the
                        // chunk is reported done, so every thread sees them.
                        _mm_sfence();
                        return;
                    }
                }
                // SAFETY: `dst` is valid for `src.len()` unshared writes (the caller's contract).
                std::ptr::copy_nonoverlapping(src.as_ptr(), dst, src.len());
            }
            fn slice_mut(t: &mut Tensor) -> &mut [$t] {
                match t.data_mut() {
                    Data::$variant(v) => v,
                    _ => panic!("fused kernel output has the wrong dtype"),
                }
            }
        }
    };
}

impl_element!(f32, F32, _mm_stream_ps, _mm_loadu_ps);
impl_element!(f64, F64, _mm_stream_pd, _mm_loadu_pd);

fn run_typed<T: Element>(k: &FusedKernel, inputs: &[&Tensor], scalars: &[&Tensor], outputs: &mut [Tensor]) {
    // Inputs are read through pointers too: a chunk borrows only its own
    // elements, as when an input is a result whose other rows another thread
    // is still writing (`exec/rows.rs`).
    let ins: SmallVec<[Shared<T>; 8]> = inputs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let s = T::slice(t);
            assert_eq!(s.len(), k.len, "fused kernel input {i} has the wrong length");
            Shared::reading(s.as_ptr())
        })
        .collect();
    let sc: SmallVec<[T; 4]> = scalars.iter().map(|t| T::slice(t)[0]).collect();
    let (rows, cols) = rows_of(outputs.first().map_or(&[][..], |t| t.shape()), k.len);
    let outs: SmallVec<[Shared<T>; 4]> = outputs
        .iter_mut()
        .map(|t| {
            let s = T::slice_mut(t);
            assert_eq!(s.len(), k.len, "fused kernel output has the wrong length");
            Shared::new(s.as_mut_ptr())
        })
        .collect();
    // Each thread takes whole rows of the result, the same rows every kernel of
    // the step gives it (`kernels::parts`), and streams through its part of
    // every array chunk by chunk.
    crate::kernels::parts::for_parts(rows, k.len * k.instrs.len() >= PARALLEL_WORK, &|r: std::ops::Range<usize>| {
        // SAFETY: the inputs and outputs hold `k.len` elements (asserted above),
        // live until `for_parts` returns, and the parts' rows are disjoint.
        unsafe { run_elements(k, &ins, &sc, &outs, r.start * cols..r.end * cols) }
    });
}

/// Rows `rows` of kernel `k` (rows as the kernel's first output's shape gives
/// them), for a machine that split the rows of several kernels at once
/// (`exec/rows.rs`); each element is computed as [`run`] computes it.
///
/// # Safety
/// `inputs` and `outputs` point to `k.inputs.len()` and `k.outputs.len()`
/// buffers of `k.len` elements of `T`, valid while this runs; no other thread
/// writes the elements of these rows of any of them, nor reads those of the
/// outputs, meanwhile; and `rows` lies within the kernel's rows.
pub unsafe fn run_rows<T: Element>(
    k: &FusedKernel,
    shape: &[usize],
    inputs: &[Shared<T>],
    scalars: &[&Tensor],
    outputs: &[Shared<T>],
    rows: std::ops::Range<usize>,
) {
    if let Err(e) = check_instrs(k) {
        panic!("malformed fused kernel: {}", e.kind);
    }
    assert!(inputs.len() == k.inputs.len() && scalars.len() == k.scalars.len() && outputs.len() == k.outputs.len(), "fused kernel operand count");
    let (_, cols) = rows_of(shape, k.len);
    let sc: SmallVec<[T; 4]> = scalars.iter().map(|t| T::slice(t)[0]).collect();
    run_elements(k, inputs, &sc, outputs, rows.start * cols..rows.end * cols)
}

/// Elements `range` of kernel `k`, chunk by chunk, on this thread.
///
/// # Safety
/// `check_instrs(k)` passed; `ins` and `outs` point to buffers of `k.len`
/// elements, valid meanwhile, of which no other thread touches `range`'s
/// elements of the outputs, nor writes those of the inputs; `range` lies within `k.len`.
unsafe fn run_elements<T: Element>(k: &FusedKernel, ins: &[Shared<T>], sc: &[T], outs: &[Shared<T>], range: std::ops::Range<usize>) {
    assert!(range.end <= k.len, "fused kernel elements {range:?} past its length {}", k.len);
    let avx2 = has_avx2_fma();
    let stream = streams(k);
    // The chunk of `m` elements from `start`.
    let run_chunk = |start: usize, m: usize| {
        T::with_scratch(scratch_rows(k) * row_len(k), |scratch| {
            let out_rows = stream.then_some(k.regs as usize);
            let ctx = Chunk { ins, sc, outs, scratch: scratch.as_mut_ptr(), row: row_len(k), start, m, len: k.len, out_rows };
            // SAFETY: the caller checked the instructions (`check_instrs`: registers
            // below `k.regs`, outputs below `k.outputs.len()`, no destination among
            // its operands) and that every input and output holds `k.len` elements;
            // `scratch` holds `scratch_rows(k)` rows of `row_len(k)` >= `m` elements,
            // and this chunk's range [start, start + m) is inside `k.len` and no
            // other thread's. That is `Chunk`'s contract. The AVX2 variant runs only
            // where the CPU has AVX2 and FMA.
            unsafe {
                #[cfg(target_arch = "x86_64")]
                if avx2 {
                    chunk_avx2(&k.instrs, &ctx);
                    return ctx.flush();
                }
                chunk_portable(&k.instrs, &ctx);
                ctx.flush()
            }
        })
    };
    let mut start = range.start;
    while start < range.end {
        let m = CHUNK.min(range.end - start);
        run_chunk(start, m);
        start += m;
    }
}

/// The rows and row length a kernel of `len` elements splits by: the leading
/// dimension of its outputs' shape (elements one by one for a 0-d or 1-d one).
fn rows_of(shape: &[usize], len: usize) -> (usize, usize) {
    match shape.first() {
        Some(&rows) if shape.len() > 1 && rows > 0 && len.is_multiple_of(rows) => (rows, len / rows),
        _ => (len, 1),
    }
}

/// Whether this CPU runs the AVX2 + FMA build of the chunk loop (checked once).
fn has_avx2_fma() -> bool {
    crate::kernels::cpu::avx2_fma()
}

/// What one chunk reads and writes. Registers are `row`-element rows of
/// `scratch`; the compiler's register allocation never gives an instruction's
/// destination the register of one of its operands, and outputs are distinct
/// buffers from inputs, so the slices built from these pointers never alias.
///
/// The contract of its unsafe methods (established by `run_typed` after `run`'s
/// checks, or by `run_rows`' caller): `scratch` is valid for `(regs + outputs if
/// out_rows) * row` elements and used by this chunk only; `m <= row`; each
/// `outs[o]` is valid for `start + m` elements, of which this chunk alone
/// touches `[start, start + m)`; each `ins[i]` is valid for `start + m`
/// elements, of which no thread writes `[start, start + m)` meanwhile;
/// every `Src::Reg`/`Dst::Reg` index is below the kernel's `regs` (which rows
/// `[0, regs)` hold, `out_rows` starting after them) and every `Src::Out`/`Dst::Out`
/// index below `outs.len()`.
struct Chunk<'a, T> {
    ins: &'a [Shared<T>],
    sc: &'a [T],
    outs: &'a [Shared<T>],
    scratch: *mut T,
    /// Elements between consecutive scratch rows.
    row: usize,
    start: usize,
    m: usize,
    /// The kernel's length: `sigmoid`'s, `exp2`'s, `mish`'s and `gelu_tanh`'s bits depend on an element's
    /// position in it (`elementwise::unary_at_into`).
    len: usize,
    /// When outputs are streamed: the first scratch row of the outputs, which the
    /// instructions write and read instead of the outputs themselves.
    out_rows: Option<usize>,
}

impl<T: Element> Chunk<'_, T> {
    /// This chunk's elements of operand `s`.
    ///
    /// # Safety
    /// `Chunk`'s contract holds for `s`, and nothing writes the row `s` names while
    /// the returned slice lives.
    #[inline(always)]
    unsafe fn arg(&self, s: Src) -> Arg<'_, T> {
        match s {
            Src::Reg(r) => Arg::Slice(std::slice::from_raw_parts(self.scratch.add(r as usize * self.row), self.m)),
            Src::Out(o) => Arg::Slice(std::slice::from_raw_parts(self.out_ptr(o), self.m)),
            Src::In(i) => Arg::Slice(std::slice::from_raw_parts(self.ins[i as usize].ptr().add(self.start), self.m)),
            Src::Scalar(i) => Arg::Scalar(self.sc[i as usize]),
            Src::Const(c) => Arg::Scalar(T::from_f64(c.get())),
        }
    }

    /// Where an instruction writing `d` stores this chunk's `m` elements. A raw
    /// pointer rather than a slice: the row lives in memory this `&self` does not own.
    ///
    /// # Safety
    /// `Chunk`'s contract holds for `d`; the result is valid for `m` writes.
    #[inline(always)]
    unsafe fn dst(&self, d: Dst) -> *mut T {
        match d {
            Dst::Reg(r) => self.scratch.add(r as usize * self.row),
            Dst::Out(o) => self.out_ptr(o),
        }
    }

    /// Where output `o`'s elements of this chunk are computed.
    ///
    /// # Safety
    /// `o < outs.len()` and `Chunk`'s contract holds; the result is valid for `m` elements.
    #[inline(always)]
    unsafe fn out_ptr(&self, o: u32) -> *mut T {
        match self.out_rows {
            Some(first) => self.scratch.add((first + o as usize) * self.row),
            None => self.outs[o as usize].ptr().add(self.start),
        }
    }

    /// Streams the output rows to the outputs, once every instruction has run.
    ///
    /// # Safety
    /// `Chunk`'s contract holds, and no slice of the output rows or outputs is alive.
    unsafe fn flush(&self) {
        if let Some(first) = self.out_rows {
            for (o, out) in self.outs.iter().enumerate() {
                let row = std::slice::from_raw_parts(self.scratch.add((first + o) * self.row), self.m);
                T::stream_store(row, out.ptr().add(self.start));
            }
        }
    }
}

/// [`chunk_body`] compiled for AVX2 and FMA.
///
/// # Safety
/// As [`chunk_body`], and the CPU supports AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn chunk_avx2<T: Element>(instrs: &[Instr], c: &Chunk<T>) {
    chunk_body(instrs, c)
}

/// [`chunk_body`] compiled for the baseline CPU.
///
/// # Safety
/// As [`chunk_body`].
unsafe fn chunk_portable<T: Element>(instrs: &[Instr], c: &Chunk<T>) {
    chunk_body(instrs, c)
}

/// Every instruction over one chunk. Inlined into both builds above, so that the
/// element loops are compiled once for AVX2 and once for the baseline CPU.
/// FMA contraction is never automatic in Rust, so both builds round alike.
///
/// # Safety
/// `instrs` passed [`check_instrs`] for the kernel `c` was built for, and `Chunk`'s
/// contract holds for `c`.
#[inline(always)]
unsafe fn chunk_body<T: Element>(instrs: &[Instr], c: &Chunk<T>) {
    for ins in instrs {
        // SAFETY: the destination row holds `c.m` elements and aliases no operand
        // of this instruction (see `Chunk`).
        let dst = std::slice::from_raw_parts_mut(c.dst(ins.dst), c.m);
        let a = |i: usize| c.arg(ins.args[i]);
        match &ins.op {
            Op::Unary(Unary::Exp) if ins.fast => match a(0) {
                Arg::Slice(s) => T::exp_fast(s, dst),
                scalar => unary_into(Unary::Exp, scalar, dst),
            },
            Op::Unary(u) if crate::kernels::elementwise::by_position(*u) => unary_at_into(*u, a(0), dst, c.start, c.len),
            Op::Unary(u) => unary_into(*u, a(0), dst),
            Op::PowScalar(e) => pow_scalar_at_into(a(0), e.get(), dst, c.start, c.len),
            Op::Activation(f) => activation_at_into(*f, a(0), dst, c.start, c.len),
            Op::Binary(b) => binary_at_into(*b, a(0), a(1), dst, c.start, c.len),
            Op::Where(cmp) => select_into(*cmp, [a(0), a(1), a(2), a(3)], dst),
            op @ (Op::Full(_)
            | Op::Literal(_)
            | Op::Arange { .. }
            | Op::Linspace { .. }
            | Op::Randn
            | Op::Rand
            | Op::Param(_)
            | Op::Input(_)
            | Op::Data(_)
            | Op::RegionOutput { .. }
            | Op::Expand
            | Op::SumTo
            | Op::Reshape
            | Op::Transpose
            | Op::Permute(_)
            | Op::Slice { .. }
            | Op::SliceBackward { .. }
            | Op::Cat { .. }
            | Op::Sum { .. }
            | Op::Mean { .. }
            | Op::Reduce { .. }
            | Op::Cumsum { .. }
            | Op::Logcumsumexp { .. }
            | Op::Cumprod { .. }
            | Op::Softmax { .. }
            | Op::ProdOthers { .. }
            | Op::ProdOthersVjp { .. }
            | Op::SoftmaxBackward { .. }
            | Op::Loss { .. }
            | Op::LayerNorm(_)
            | Op::GroupNorm(_)
            | Op::MatMul
            | Op::Conv(_)
            | Op::AvgPool(_)
            | Op::Upsample(_)
            | Op::GridSample(_)
            | Op::Cast
            | Op::Compare(_)
            | Op::Select
            | Op::Logical(_)
            | Op::FloatTest(_)
            | Op::NanToNum { .. }
            | Op::Index(_)
            | Op::Fma) => unreachable!("`{}` is not elementwise; the compiler never fuses it", op.name()),
        }
    }
}
