//! Kernels of [`IndexOp`]: `argmax`/`argmin` (PyTorch's `ReduceOps` CPU kernel,
//! whose comparison lets the first NaN win and keeps the first of equal
//! elements), `gather` and the `scatter_add` into zeros that is its gradient
//! (`ScatterGatherKernel.cpp`, which visits the index in row-major order).
//!
//! Indices given by a program can be out of bounds, which only the data shows:
//! [`check`] finds that before the kernel runs, so the machine reports it as a
//! run-time error, never a panic.

use crate::op::{IndexOp, ScatterReduce};
use crate::tensor::{numel, Data, Tensor};

/// Why an index op cannot run on these operands: an index out of bounds.
pub fn check(op: IndexOp, args: &[&Tensor], out: &[usize]) -> Result<(), String> {
    let (dim, size, index) = match op {
        IndexOp::Arg { .. }
        | IndexOp::Sort { .. }
        | IndexOp::TopK { .. }
        | IndexOp::Kth { .. }
        | IndexOp::CumExtreme { .. }
        | IndexOp::MaxPool(_)
        | IndexOp::AdaptiveMaxPool => return Ok(()),
        IndexOp::Search { sorter: false, .. } => return Ok(()),
        // A sorter's positions lie in its row of boundaries (PyTorch: "sorter index out of range").
        IndexOp::Search { sorter: true, .. } => {
            let bshape = args[0].shape();
            let last = bshape.len() - 1;
            return check_values(args[2].as_i64().expect("a sorter is i64"), last, bshape[last]).map_err(|e| format!("sorter {e}"));
        }
        IndexOp::Gather { dim } => (dim, args[0].shape()[dim], args[1]),
        IndexOp::ScatterAdd { dim } | IndexOp::ScatterInto { dim, .. } | IndexOp::ScatterReduce { dim, .. } | IndexOp::ScatterFma { dim } => {
            (dim, out[dim], args[1])
        }
    };
    let idx = index.as_i64().ok_or_else(|| format!("the index of `{}` is {}, not i64", op.name(), index.dtype()))?;
    check_values(idx, dim, size)
}

/// Whether every index lies in `0..size` (`gather` takes no negative indices, as PyTorch's).
pub fn check_values(idx: &[i64], dim: usize, size: usize) -> Result<(), String> {
    // A negative index is a huge unsigned one, so one comparison an index
    // checks both bounds; counting instead of stopping at the first bad index
    // leaves no branch in the loop, which then runs in vector registers (a
    // mini-batch loop checks its gather's whole index every step). The bad
    // index is looked for only for the message.
    let outside = |&i: &i64| i as u64 >= size as u64;
    if idx.iter().filter(|i| outside(i)).count() == 0 {
        return Ok(());
    }
    let bad = idx.iter().find(|i| outside(i)).expect("an index was counted out of bounds");
    Err(format!("index {bad} is out of bounds for dimension {dim} with size {size}"))
}

/// `$body` with `$v` bound to the elements of `$data`, whatever their type: the
/// positions an ordering op computes are i64 for every element type.
macro_rules! on_elements {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            Data::F32($v) => $body,
            Data::F64($v) => $body,
            Data::I64($v) => $body,
            Data::Bool($v) => $body,
        }
    };
}

/// Evaluates `op` (after [`check`] passed) into a tensor of shape `out`.
pub fn eval(op: IndexOp, args: &[&Tensor], out: &[usize]) -> Tensor {
    let shape = args[0].shape();
    match op {
        IndexOp::Arg { dim, min, .. } => Tensor::from_i64(out.to_vec(), on_elements!(args[0].data(), v => arg(v, shape, dim, min))),
        IndexOp::Sort { dim, descending, stable } => {
            // PyTorch sorts long 1-d integer tensors with a radix sort, which is stable (`sort.rs`).
            let integer = matches!(args[0].data(), Data::I64(_));
            let data = on_elements!(args[0].data(), v => super::sort::sort_indices(v, shape, dim, descending, stable, integer));
            Tensor::from_i64(out.to_vec(), data)
        }
        IndexOp::MaxPool(p) => Tensor::from_i64(out.to_vec(), on_elements!(args[0].data(), v => super::pool::max_indices(&p, v, shape, out))),
        IndexOp::AdaptiveMaxPool => {
            Tensor::from_i64(out.to_vec(), on_elements!(args[0].data(), v => super::pool::adaptive_max_indices(v, shape, out)))
        }
        IndexOp::CumExtreme { dim, min } => Tensor::from_i64(out.to_vec(), on_elements!(args[0].data(), v => cum_extreme(v, shape, dim, min))),
        IndexOp::TopK { dim, k, largest, sorted } => {
            Tensor::from_i64(out.to_vec(), on_elements!(args[0].data(), v => super::sort::topk_indices(v, shape, dim, k, largest, sorted)))
        }
        IndexOp::Kth { dim, k } => Tensor::from_i64(out.to_vec(), on_elements!(args[0].data(), v => super::sort::kth_indices(v, shape, dim, k))),
        IndexOp::Gather { dim } | IndexOp::ScatterAdd { dim } => {
            let idx = args[1].as_i64().expect("`check` found an i64 index");
            let gather = matches!(op, IndexOp::Gather { .. });
            let (src, ishape) = (args[0], args[1].shape());
            macro_rules! run {
                ($v:expr, $ctor:path, $zero:expr) => {
                    if gather {
                        $ctor(out.to_vec(), gather_typed($v, src.shape(), idx, ishape, dim))
                    } else {
                        $ctor(out.to_vec(), scatter_add_typed($v, out, idx, ishape, dim, $zero))
                    }
                };
            }
            match src.data() {
                Data::F32(v) => run!(v, Tensor::from_f32, 0.0),
                Data::F64(v) => run!(v, Tensor::from_f64, 0.0),
                Data::I64(v) => run!(v, Tensor::from_i64, 0),
                // `sort` of a bool tensor gathers its values; nothing adds bools.
                Data::Bool(v) if gather => Tensor::from_bool(out.to_vec(), gather_typed(v, src.shape(), idx, ishape, dim)),
                Data::Bool(_) => panic!("`{}` of a bool tensor: the compiler refuses it", op.name()),
            }
        }
        IndexOp::ScatterInto { dim, add } => {
            let idx = args[1].as_i64().expect("`check` found an i64 index");
            let ishape = args[1].shape();
            macro_rules! run {
                ($x:expr, $src:expr, $ctor:path) => {
                    $ctor(out.to_vec(), scatter_into_typed($x, $src, out, idx, ishape, dim, add))
                };
            }
            match (args[0].data(), args[2].data()) {
                (Data::F32(x), Data::F32(s)) => run!(x, s, Tensor::from_f32),
                (Data::F64(x), Data::F64(s)) => run!(x, s, Tensor::from_f64),
                (Data::I64(x), Data::I64(s)) => run!(x, s, Tensor::from_i64),
                (Data::Bool(x), Data::Bool(s)) if !add => {
                    let mut res = x.to_vec();
                    scatter_copy_slice(&mut res, s, out, idx, ishape, dim);
                    Tensor::from_bool(out.to_vec(), res)
                }
                _ => panic!("`{}` of a bool tensor or of two dtypes: the compiler refuses it", op.name()),
            }
        }
        IndexOp::ScatterFma { dim } => {
            let idx = args[1].as_i64().expect("`check` found an i64 index");
            let ishape = args[1].shape();
            match (args[0].data(), args[2].data(), args[3].data()) {
                (Data::F32(x), Data::F32(s), Data::F32(k)) => Tensor::from_f32(out.to_vec(), scatter_fma_typed(x, s, k, out, idx, ishape, dim)),
                (Data::F64(x), Data::F64(s), Data::F64(k)) => Tensor::from_f64(out.to_vec(), scatter_fma_typed(x, s, k, out, idx, ishape, dim)),
                _ => panic!("`scatter_fma_into` of a non-float tensor or of two dtypes: the compiler refuses it"),
            }
        }
        IndexOp::Search { right, sorter } => {
            let sorter = sorter.then(|| args[2].as_i64().expect("a sorter is i64"));
            let (bshape, ishape) = (args[0].shape(), args[1].shape());
            let found = match (args[0].data(), args[1].data()) {
                (Data::F32(b), Data::F32(v)) => search(b, bshape, v, ishape, sorter, right),
                (Data::F64(b), Data::F64(v)) => search(b, bshape, v, ishape, sorter, right),
                (Data::I64(b), Data::I64(v)) => search(b, bshape, v, ishape, sorter, right),
                _ => panic!("`searchsorted` of bool tensors or of two dtypes: the compiler refuses it"),
            };
            Tensor::from_i64(out.to_vec(), found)
        }
        IndexOp::ScatterReduce { dim, reduce, include_self } => {
            let idx = args[1].as_i64().expect("`check` found an i64 index");
            let ishape = args[1].shape();
            let how = (reduce, include_self);
            match (args[0].data(), args[2].data()) {
                (Data::F32(x), Data::F32(s)) => Tensor::from_f32(out.to_vec(), scatter_reduce_typed(x, s, out, idx, ishape, dim, how)),
                (Data::F64(x), Data::F64(s)) => Tensor::from_f64(out.to_vec(), scatter_reduce_typed(x, s, out, idx, ishape, dim, how)),
                (Data::I64(x), Data::I64(s)) => Tensor::from_i64(out.to_vec(), scatter_reduce_typed(x, s, out, idx, ishape, dim, how)),
                _ => panic!("`{}` of a bool tensor or of two dtypes: the compiler refuses it", op.name()),
            }
        }
    }
}

/// The element arithmetic of `scatter_reduce`, as PyTorch's CPU kernel does it
/// in the tensor's own type (`opmath_type` is the type itself for f32, f64 and
/// i64): i64 sums and products wrap, and i64 means divide with floor.
pub trait ReduceElem: Copy {
    const ZERO: Self;
    const ONE: Self;
    /// The identity of `amax` (`-inf`, or the lowest i64).
    const LOWEST: Self;
    /// The identity of `amin` (`inf`, or the largest i64).
    const HIGHEST: Self;
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn lt(self, o: Self) -> bool;
    fn is_nan(self) -> bool;
    /// `self / count` as `div_(count)` computes it: rounded for floats, floor
    /// division for integers (`div_(count, "floor")`).
    fn div_count(self, count: Self) -> Self;
}

macro_rules! float_reduce_elem {
    ($t:ty) => {
        impl ReduceElem for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const LOWEST: Self = <$t>::NEG_INFINITY;
            const HIGHEST: Self = <$t>::INFINITY;
            fn add(self, o: Self) -> Self {
                self + o
            }
            fn mul(self, o: Self) -> Self {
                self * o
            }
            fn lt(self, o: Self) -> bool {
                self < o
            }
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            fn div_count(self, count: Self) -> Self {
                self / count
            }
        }
    };
}
float_reduce_elem!(f32);
float_reduce_elem!(f64);

impl ReduceElem for i64 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    const LOWEST: Self = i64::MIN;
    const HIGHEST: Self = i64::MAX;
    fn add(self, o: Self) -> Self {
        self.wrapping_add(o)
    }
    fn mul(self, o: Self) -> Self {
        self.wrapping_mul(o)
    }
    fn lt(self, o: Self) -> bool {
        self < o
    }
    fn is_nan(self) -> bool {
        false
    }
    fn div_count(self, count: Self) -> Self {
        // The count is at least 1 (PyTorch's `masked_fill_(count == 0, 1)`), and
        // for a positive divisor Euclid's quotient is the floor.
        self.div_euclid(count)
    }
}

/// `scatter_reduce` as PyTorch's CPU path computes it (`scatter_reduce_two`):
/// without `include_self`, every position the index names first takes the
/// reduction's identity; then each `src[p]` is combined into its position in
/// the index's row-major order (`ScatterGatherKernel.cpp`'s `ReduceAdd`,
/// `ReduceMultiply`, and `ReduceMaximum`/`ReduceMinimum`, which take a NaN
/// source and otherwise `std::max`/`std::min`, keeping a NaN already there);
/// `mean` then divides every element by its count (1 where nothing was
/// combined, as PyTorch's `masked_fill_(count == 0, 1)`).
pub fn scatter_reduce_typed<T: ReduceElem>(
    x: &[T],
    src: &[T],
    out: &[usize],
    idx: &[i64],
    ishape: &[usize],
    dim: usize,
    (reduce, include_self): (ScatterReduce, bool),
) -> Vec<T> {
    let os = strides(out);
    let n = numel(ishape);
    let at = |p: usize| offset(p, ishape, &os, dim, idx[p]);
    let mut res = x.to_vec();
    if !include_self {
        let identity = match reduce {
            ScatterReduce::Sum | ScatterReduce::Mean => T::ZERO,
            ScatterReduce::Prod => T::ONE,
            ScatterReduce::Amax => T::LOWEST,
            ScatterReduce::Amin => T::HIGHEST,
        };
        for p in 0..n {
            res[at(p)] = identity;
        }
    }
    for (p, &v) in src.iter().enumerate().take(n) {
        let r = &mut res[at(p)];
        *r = match reduce {
            ScatterReduce::Sum | ScatterReduce::Mean => r.add(v),
            ScatterReduce::Prod => r.mul(v),
            // std::max(a, b) is `a < b ? b : a`; std::min(a, b) is `b < a ? b : a`.
            ScatterReduce::Amax if v.is_nan() || r.lt(v) => v,
            ScatterReduce::Amin if v.is_nan() || v.lt(*r) => v,
            ScatterReduce::Amax | ScatterReduce::Amin => *r,
        };
    }
    if reduce == ScatterReduce::Mean {
        let mut count = vec![if include_self { T::ONE } else { T::ZERO }; res.len()];
        for p in 0..n {
            let c = &mut count[at(p)];
            *c = c.add(T::ONE);
        }
        for (r, c) in res.iter_mut().zip(count) {
            let c = if c.lt(T::ONE) { T::ONE } else { c };
            *r = r.div_count(c);
        }
    }
    res
}

/// `x` with each `src[p]` written (`add`: added) at the position of index
/// position `p` along `dim`, visiting `p` in row-major order.
fn scatter_into_typed<T: Copy + std::ops::AddAssign>(
    x: &[T],
    src: &[T],
    out: &[usize],
    idx: &[i64],
    ishape: &[usize],
    dim: usize,
    add: bool,
) -> Vec<T> {
    let mut res = x.to_vec();
    scatter_into_slice(&mut res, src, out, idx, ishape, dim, add);
    res
}

/// `x` with `fma(scale[p], src[p], acc)` accumulated at the position of index
/// position `p` along `dim`, visiting `p` in row-major order.
fn scatter_fma_typed<T: super::float::Float>(x: &[T], src: &[T], scale: &[T], out: &[usize], idx: &[i64], ishape: &[usize], dim: usize) -> Vec<T> {
    let mut res = x.to_vec();
    let os = strides(out);
    for (p, (&v, &k)) in src.iter().zip(scale).enumerate().take(numel(ishape)) {
        let r = &mut res[offset(p, ishape, &os, dim, idx[p])];
        *r = k.mul_add(v, *r);
    }
    res
}

/// [`scatter_into_typed`] into `res`, which holds `x` and becomes the result.
fn scatter_into_slice<T: Copy + std::ops::AddAssign>(res: &mut [T], src: &[T], out: &[usize], idx: &[i64], ishape: &[usize], dim: usize, add: bool) {
    if !add {
        return scatter_copy_slice(res, src, out, idx, ishape, dim);
    }
    let os = strides(out);
    for (p, &v) in src.iter().enumerate().take(numel(ishape)) {
        res[offset(p, ishape, &os, dim, idx[p])] += v;
    }
}

/// [`scatter_into_slice`] without adding, for every element type: the tape of
/// a loop's carried bool (a `break` flag) is written so.
fn scatter_copy_slice<T: Copy>(res: &mut [T], src: &[T], out: &[usize], idx: &[i64], ishape: &[usize], dim: usize) {
    let os = strides(out);
    for (p, &v) in src.iter().enumerate().take(numel(ishape)) {
        res[offset(p, ishape, &os, dim, idx[p])] = v;
    }
}

/// `ScatterInto { dim, add }` of `x` (after [`check`] passed), written into
/// `x`'s own buffer: the machine does this when the scatter is `x`'s last
/// reader (`exec/donate.rs`). The result is [`eval`]'s, element for element.
pub fn scatter_into_in_place(dim: usize, add: bool, index: &Tensor, src: &Tensor, x: &mut Tensor) {
    let idx = index.as_i64().expect("`check` found an i64 index");
    let ishape = index.shape();
    // The shape is copied because `x`'s data is borrowed mutably below.
    let out: smallvec::SmallVec<[usize; 8]> = x.shape().into();
    match (x.data_mut(), src.data()) {
        (Data::F32(x), Data::F32(s)) => scatter_into_slice(x, s, &out, idx, ishape, dim, add),
        (Data::F64(x), Data::F64(s)) => scatter_into_slice(x, s, &out, idx, ishape, dim, add),
        (Data::I64(x), Data::I64(s)) => scatter_into_slice(x, s, &out, idx, ishape, dim, add),
        (Data::Bool(x), Data::Bool(s)) if !add => scatter_copy_slice(x, s, &out, idx, ishape, dim),
        _ => panic!("`scatter_into` of a bool tensor or of two dtypes: the compiler refuses it"),
    }
}

/// [`eval`] into `out` (of the result's dtype and shape) for `gather` and
/// `scatter_add`; `false` for `argmax`/`argmin`, which the caller evaluates.
pub fn eval_into(op: IndexOp, args: &[&Tensor], out: &mut Tensor) -> bool {
    let (IndexOp::Gather { dim } | IndexOp::ScatterAdd { dim }) = op else { return false };
    let idx = args[1].as_i64().expect("`check` found an i64 index");
    let (src, ishape) = (args[0], args[1].shape());
    let gather = matches!(op, IndexOp::Gather { .. });
    // The shape is copied because `out`'s data is borrowed mutably below.
    let oshape: smallvec::SmallVec<[usize; 8]> = out.shape().into();
    macro_rules! run {
        ($v:expr, $o:expr, $zero:expr) => {
            if gather {
                gather_into($v, src.shape(), idx, ishape, dim, $o)
            } else {
                scatter_add_into($v, &oshape, idx, ishape, dim, $zero, $o)
            }
        };
    }
    match (src.data(), out.data_mut()) {
        (Data::F32(v), Data::F32(o)) => run!(v, o, 0.0),
        (Data::F64(v), Data::F64(o)) => run!(v, o, 0.0),
        (Data::I64(v), Data::I64(o)) => run!(v, o, 0),
        _ => return false,
    }
    true
}

/// The position along `dim` of the first largest (`min`: smallest) element of
/// each lane, or of the lane's first NaN.
fn arg<T: Copy + PartialOrd>(x: &[T], shape: &[usize], dim: Option<usize>, min: bool) -> Vec<i64> {
    let (outer, n, inner) = match dim {
        None => (1, x.len(), 1),
        Some(d) => (shape[..d].iter().product(), shape[d], shape[d + 1..].iter().product()),
    };
    // A value unequal to itself is NaN.
    let better = |v: T, best: T| {
        let nan = |a: T| a.partial_cmp(&a).is_none();
        !nan(best) && (nan(v) || if min { v < best } else { v > best })
    };
    let mut out = Vec::with_capacity(outer * inner);
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| x[(o * n + k) * inner + i];
            let mut best = 0;
            for k in 1..n {
                if better(at(k), at(best)) {
                    best = k;
                }
            }
            out.push(best as i64);
        }
    }
    out
}

/// `cummax`'s (`cummin`'s) positions along `dim`: ATen's
/// `cummax_cummin_helper`, which takes element `k` when it is NaN, or when the
/// best so far is not NaN and `x[k] >= best` (`<=`), so the last of equal
/// elements and the last NaN win.
/// ATen's `searchsorted_cpu_contiguous`: for each value, the binary search of
/// `cus_lower_bound` (`!(b >= v)` moves right) or, with `right`,
/// `cus_upper_bound` (`!(b > v)`), over its row of `boundaries` (the whole of
/// 1-D ones; else the row with the value's leading coordinates), reading
/// element `sorter[k]` of the row at position `k` when there is a sorter.
fn search<T: Copy + PartialOrd>(b: &[T], bshape: &[usize], v: &[T], vshape: &[usize], sorter: Option<&[i64]>, right: bool) -> Vec<i64> {
    let len = bshape.last().copied().unwrap_or(0);
    let row_of_value = vshape.last().copied().unwrap_or(1).max(1);
    let one_row = bshape.len() == 1;
    v.iter()
        .enumerate()
        .map(|(i, &val)| {
            let offset = if one_row { 0 } else { (i / row_of_value) * len };
            let at = |k: usize| match sorter {
                Some(s) => b[offset + s[offset + k] as usize],
                None => b[offset + k],
            };
            let (mut start, mut end) = (0usize, len);
            while start < end {
                let mid = start + ((end - start) >> 1);
                let m = at(mid);
                // ATen's `!(m > val)` (`!(m >= val)`): true also where either is NaN.
                let order = m.partial_cmp(&val);
                let go_right = if right {
                    order != Some(std::cmp::Ordering::Greater)
                } else {
                    !matches!(order, Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal))
                };
                if go_right {
                    start = mid + 1;
                } else {
                    end = mid;
                }
            }
            start as i64
        })
        .collect()
}

fn cum_extreme<T: Copy + PartialOrd>(x: &[T], shape: &[usize], dim: usize, min: bool) -> Vec<i64> {
    let (outer, n, inner): (usize, usize, usize) = (shape[..dim].iter().product(), shape[dim], shape[dim + 1..].iter().product());
    // A value unequal to itself is NaN.
    let nan = |a: T| a.partial_cmp(&a).is_none();
    let mut out = vec![0i64; x.len()];
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| (o * n + k) * inner + i;
            let mut best = x[at(0)];
            let mut idx = 0;
            for k in 0..n {
                let v = x[at(k)];
                if nan(v) || (!nan(best) && if min { v <= best } else { v >= best }) {
                    best = v;
                    idx = k;
                }
                out[at(k)] = idx as i64;
            }
        }
    }
    out
}

/// Gathers and scatters along the last dimension of at least this many index
/// elements split their rows among the threads as every row-wise kernel does,
/// so that each core reads and writes the rows it holds. Below it they run on
/// the caller: the digits step's cross-entropy gather (1500 elements, about
/// 3 us) split at 1024 elements, and in 90-99% of its splits (6,200-6,900 of
/// the 6,946 of a benchmark run, in nine runs counted) the caller finished its
/// part and then ran the other one itself, before the other worker came to
/// take it, so the split mostly added a join (docs/PERFORMANCE.md, fourteenth
/// sitting). At 8192, as `parts::SPLIT_ELEMENTS` for the row-wise kernels, a
/// part is worth handing over.
const SPLIT_INDEX: usize = super::parts::SPLIT_ELEMENTS;

/// Row-major strides of `shape`.
fn strides(shape: &[usize]) -> smallvec::SmallVec<[usize; 8]> {
    let mut s = smallvec::smallvec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}

/// The offset in a tensor of strides `xs` of index position `p` (of shape
/// `ishape`), its `dim` coordinate replaced by `at` (which [`check`] bounded).
fn offset(p: usize, ishape: &[usize], xs: &[usize], dim: usize, at: i64) -> usize {
    let (mut rest, mut off) = (p, 0);
    for d in (0..ishape.len()).rev() {
        let c = rest % ishape[d];
        rest /= ishape[d];
        off += if d == dim { at as usize * xs[d] } else { c * xs[d] };
    }
    off
}

/// Calls `f(p, offset(p, ishape, xs, dim, idx[p]))` for every index position
/// `p` in order, walking the coordinates like an odometer instead of dividing
/// `p` by each dimension (a cross-entropy's gather and its gradient's scatter
/// ran as long as the softmax before them).
fn for_each_offset(ishape: &[usize], xs: &[usize], dim: usize, idx: &[i64], mut f: impl FnMut(usize, usize)) {
    let n = numel(ishape);
    if ishape.is_empty() {
        if n == 1 {
            f(0, 0);
        }
        return;
    }
    if let ([rows, cols], [s0, s1]) = (ishape, xs) {
        // Matrices (a cross-entropy's labels as a column): two plain loops.
        for r in 0..*rows {
            for c in 0..*cols {
                let p = r * cols + c;
                let at = idx[p] as usize;
                f(p, if dim == 0 { at * s0 + c * s1 } else { r * s0 + at * s1 });
            }
        }
        return;
    }
    let mut coord: smallvec::SmallVec<[usize; 8]> = smallvec::smallvec![0; ishape.len()];
    // The offset of the coordinates other than `dim`.
    let mut base = 0;
    for (p, &at) in idx.iter().enumerate().take(n) {
        f(p, base + at as usize * xs[dim]);
        for d in (0..ishape.len()).rev() {
            coord[d] += 1;
            if coord[d] < ishape[d] {
                if d != dim {
                    base += xs[d];
                }
                break;
            }
            if d != dim {
                base -= (ishape[d] - 1) * xs[d];
            }
            coord[d] = 0;
        }
    }
}

fn gather_typed<T: Copy + Default + Send + Sync>(x: &[T], xshape: &[usize], idx: &[i64], ishape: &[usize], dim: usize) -> Vec<T> {
    let mut out = vec![T::default(); numel(ishape)];
    gather_into(x, xshape, idx, ishape, dim, &mut out);
    out
}

fn gather_into<T: Copy + Send + Sync>(x: &[T], xshape: &[usize], idx: &[i64], ishape: &[usize], dim: usize, out: &mut [T]) {
    if let Some((rows, cols, xcols)) = last_dim_rows(ishape, xshape, dim) {
        // Along the rows' last dimension (a cross-entropy's gather, a max
        // pool's): each row of the result reads only its own row of `x`, so
        // the threads take the rows every kernel gives them (`parts.rs`),
        // which they wrote.
        super::parts::for_row_parts(out, cols, rows * cols >= SPLIT_INDEX, &|r, out| {
            for (i, o) in r.zip(out.chunks_mut(cols)) {
                for (c, o) in o.iter_mut().enumerate() {
                    *o = x[i * xcols + idx[i * cols + c] as usize];
                }
            }
        });
        return;
    }
    let xs = strides(xshape);
    for_each_offset(ishape, &xs, dim, idx, |p, at| out[p] = x[at]);
}

/// `(rows, index columns, tensor columns)` when `dim` is the last dimension
/// of the index and of the tensor (`x` of a gather, the result of a
/// scatter), so that row `i` of the index, all dimensions before the last
/// flattened, names elements of row `i` of the tensor only: when the
/// dimensions between the first and the last are the same (the tensor may
/// have more along the first, whose extra rows the index never names).
fn last_dim_rows(ishape: &[usize], shape: &[usize], dim: usize) -> Option<(usize, usize, usize)> {
    if ishape.len() != shape.len() || dim + 1 != ishape.len() || dim == 0 || ishape[1..dim] != shape[1..dim] {
        return None;
    }
    Some((ishape[..dim].iter().product(), ishape[dim], shape[dim]))
}

/// What `scatter_add` adds: a value its row-split parts can share between threads.
trait Addend: Copy + Send + Sync + std::ops::AddAssign {}
impl<T: Copy + Send + Sync + std::ops::AddAssign> Addend for T {}

fn scatter_add_typed<T: Addend>(g: &[T], out: &[usize], idx: &[i64], ishape: &[usize], dim: usize, zero: T) -> Vec<T> {
    let mut res = vec![zero; numel(out)];
    scatter_add_into(g, out, idx, ishape, dim, zero, &mut res);
    res
}

/// `scatter_add` into zeros, in the index's row-major order (overwrites `res`).
fn scatter_add_into<T: Addend>(g: &[T], out: &[usize], idx: &[i64], ishape: &[usize], dim: usize, zero: T, res: &mut [T]) {
    if let Some((rows, cols, ocols)) = last_dim_rows(ishape, out, dim) {
        // Along the rows' last dimension (a cross-entropy's gradient, a max
        // pool's): each row of the index adds only into its own row of the
        // result, in order, so the threads take the rows every kernel gives
        // them (`parts.rs`).
        super::parts::for_row_parts(res, ocols, rows * cols >= SPLIT_INDEX, &|r, part| {
            part.fill(zero);
            for (i, o) in r.zip(part.chunks_mut(ocols)).take_while(|(i, _)| *i < rows) {
                for c in 0..cols {
                    o[idx[i * cols + c] as usize] += g[i * cols + c];
                }
            }
        });
        return;
    }
    let os = strides(out);
    res.fill(zero);
    for_each_offset(ishape, &os, dim, idx, |p, at| res[at] += g[p]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PyTorch 2.15's values for a few cases (printed by `torch.scatter_reduce`):
    /// i64 means divide with floor, a NaN source wins in `amax`, a NaN already
    /// there stays in `amin`, and without `include_self` untouched positions
    /// keep the input's element.
    #[test]
    fn gathers_and_scatters_along_rows_match_their_definition() {
        // Enough index elements to split among threads, two columns of each row
        // naming the same entry (the scatter adds both, in order), and a result
        // with more rows than the index (the rows it never names stay zero).
        let (rows, cols, xcols) = (700, 3, 5);
        let idx: Vec<i64> = (0..rows * cols).map(|p| ((p / cols + (p % cols) / 2) % xcols) as i64).collect();
        let x: Vec<f64> = (0..(rows + 2) * xcols).map(|i| i as f64 * 0.5).collect();
        let g: Vec<f64> = (0..rows * cols).map(|i| 1.0 / (1.0 + i as f64)).collect();
        let mut want_scatter = vec![0.0; (rows + 2) * xcols];
        for p in 0..rows * cols {
            want_scatter[p / cols * xcols + idx[p] as usize] += g[p];
        }
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut out = vec![f64::NAN; rows * cols];
                gather_into(&x, &[rows + 2, xcols], &idx, &[rows, cols], 1, &mut out);
                for p in 0..rows * cols {
                    assert_eq!(out[p], x[p / cols * xcols + idx[p] as usize], "gather at {p} on {threads} threads");
                }
                let mut res = vec![f64::NAN; (rows + 2) * xcols];
                scatter_add_into(&g, &[rows + 2, xcols], &idx, &[rows, cols], 1, 0.0, &mut res);
                assert_eq!(res, want_scatter, "scatter_add on {threads} threads");
            });
        }
    }

    /// In three dimensions along the last (a max pool's gather and its
    /// gradient), the rows of the leading dimensions flattened give what the
    /// general walk gives; with other leading dimensions the general walk runs.
    #[test]
    fn gathers_and_scatters_along_the_last_of_three_dimensions_match_their_definition() {
        let (a, b, cols, xcols) = (40, 30, 4, 16);
        let idx: Vec<i64> = (0..a * b * cols).map(|p| ((p * 7 + p / cols) % xcols) as i64).collect();
        let x: Vec<f32> = (0..a * b * xcols).map(|i| i as f32).collect();
        let g: Vec<f32> = (0..a * b * cols).map(|i| 1.0 / (1.0 + i as f32)).collect();
        let mut out = vec![f32::NAN; a * b * cols];
        gather_into(&x, &[a, b, xcols], &idx, &[a, b, cols], 2, &mut out);
        let mut want = vec![0.0f32; a * b * xcols];
        for p in 0..a * b * cols {
            assert_eq!(out[p], x[p / cols * xcols + idx[p] as usize], "gather at {p}");
            want[p / cols * xcols + idx[p] as usize] += g[p];
        }
        let mut res = vec![f32::NAN; a * b * xcols];
        scatter_add_into(&g, &[a, b, xcols], &idx, &[a, b, cols], 2, 0.0, &mut res);
        assert_eq!(res, want);
        // An index shorter along the middle dimension than the tensor: its
        // row (i, j) is the tensor's row i * b + j, not its own flattened
        // i * (b - 1) + j, so the general walk runs.
        assert_eq!(last_dim_rows(&[a, b - 1, cols], &[a, b, xcols], 2), None);
        let short: Vec<i64> = (0..a * (b - 1) * cols).map(|p| idx[p]).collect();
        let mut got = vec![f32::NAN; a * (b - 1) * cols];
        gather_into(&x, &[a, b, xcols], &short, &[a, b - 1, cols], 2, &mut got);
        for p in 0..a * (b - 1) * cols {
            let (i, j) = (p / cols / (b - 1), p / cols % (b - 1));
            assert_eq!(got[p], x[(i * b + j) * xcols + short[p] as usize], "gather with a shorter middle dimension at {p}");
        }
    }

    #[test]
    fn scatter_reduce_matches_pytorch() {
        let run = |x: &[i64], idx: &[i64], s: &[i64], r, keep| scatter_reduce_typed(x, s, &[x.len()], idx, &[idx.len()], 0, (r, keep));
        // torch.scatter_reduce(tensor([1, -2, 3, 4]), 0, tensor([0, 1, 0]), tensor([-5, 6, 8]), "mean") is [1, 2, 3, 4].
        assert_eq!(run(&[1, -2, 3, 4], &[0, 1, 0], &[-5, 6, 8], ScatterReduce::Mean, true), vec![1, 2, 3, 4]);
        assert_eq!(run(&[1, -2, 3, 4], &[0, 1, 0], &[-5, 6, 8], ScatterReduce::Mean, false), vec![1, 6, 3, 4]);
        // -7 / 2 floors to -4.
        assert_eq!(run(&[0, 0], &[0, 0], &[-3, -4], ScatterReduce::Mean, false), vec![-4, 0]);
        assert_eq!(run(&[1, -2, 3, 4], &[3, 3], &[2, 5], ScatterReduce::Prod, true), vec![1, -2, 3, 40]);
        let nan = f64::NAN;
        let max = scatter_reduce_typed(&[1.0, 2.0], &[nan, 7.0, 1.0], &[2], &[0, 1, 1], &[3], 0, (ScatterReduce::Amax, true));
        assert!(max[0].is_nan() && max[1] == 7.0, "{max:?}");
        let min = scatter_reduce_typed(&[nan, 2.0], &[1.0, 7.0, nan], &[2], &[0, 1, 1], &[3], 0, (ScatterReduce::Amin, false));
        assert!(min[0] == 1.0 && min[1].is_nan(), "{min:?}");
        // The docs' example: input [1, 2, 3, 4], index [0, 1, 0, 1, 2, 1], src 1..6.
        let (x, src, idx) = ([1.0f32, 2.0, 3.0, 4.0], [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [0i64, 1, 0, 1, 2, 1]);
        assert_eq!(scatter_reduce_typed(&x, &src, &[4], &idx, &[6], 0, (ScatterReduce::Sum, false)), vec![4.0, 12.0, 5.0, 4.0]);
    }

    /// Sums round in the index's row-major order: 0 + 1 + 1e8 - 1e8 is 0 in f32
    /// (the 1 is lost), where the reverse order would give 1.
    #[test]
    fn sums_round_in_index_order() {
        let r = scatter_reduce_typed(&[0.0f32], &[1.0, 1e8, -1e8], &[1], &[0, 0, 0], &[3], 0, (ScatterReduce::Sum, true));
        assert_eq!(r, vec![0.0]);
    }
}
