//! Sources that read outside the program: a `.npy` file, or PyTorch's random
//! integer draws. Like `randn`, each runs exactly once at its place in program
//! order (the compiler makes it an effect) and is never folded, merged or removed:
//! a file may change between compile and run, and a draw advances the generator.

/// A data source ([`crate::Op::Data`]). It has no operands; its dtype and shape
/// are the node's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DataOp {
    /// `load("x.npy")`: the file's data, checked against the dtype and shape the
    /// compiler read from its header. The path is resolved already (relative to
    /// the `.act` file).
    Load(String),
    /// `randperm(n)`: a permutation of `0..n` (i64), as PyTorch's `randperm_cpu`.
    Randperm,
    /// `randint(low, high, size)`: i64 values in `low..high`, as PyTorch's CPU kernel.
    Randint { low: i64, high: i64 },
    /// The order in which one pass over a `DataLoader` of `n` samples visits
    /// them (i64, `0..n` permuted when `shuffle`), drawn as PyTorch's loader
    /// draws it: see [`crate::rng::Generator::loader_order`].
    LoaderOrder { shuffle: bool },
    /// `x.exponential_(lambd)`: exponential draws of rate `lambda`, as
    /// PyTorch's default CPU kernel draws them: see [`crate::rng::Generator::exponential`].
    Exponential { lambda: super::F64Bits },
    /// `nn.init.trunc_normal_(x, mean, std, a, b)` where the bounds keep more
    /// than 30% of the normal distribution: normal draws of `mean` and `std`,
    /// those outside `[lo, hi]` (the bounds rounded to the dtype) replaced by
    /// the draws of another whole tensor until none is: see
    /// [`crate::rng::Generator::trunc_normal`].
    TruncNormal { mean: super::F64Bits, std: super::F64Bits, lo: super::F64Bits, hi: super::F64Bits },
}

impl DataOp {
    /// The short lowercase name the IR dump prints.
    pub fn name(&self) -> &'static str {
        match self {
            DataOp::Load(_) => "load",
            DataOp::Randperm => "randperm",
            DataOp::Randint { .. } => "randint",
            DataOp::LoaderOrder { .. } => "loader_order",
            DataOp::Exponential { .. } => "exponential",
            DataOp::TruncNormal { .. } => "trunc_normal",
        }
    }
}
