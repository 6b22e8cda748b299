//! The reductions over a set of dimensions (`x.sum(dim=(0, 1), keepdim=true)`,
//! `amax`, `var`, `logsumexp`, `norm`, ...), the scan `cumsum` and the softmax
//! family: ops with a dimension parameter that are not elementwise.
//!
//! `Op::Sum { dim }` and `Op::Mean { dim }` stay as they were for the forms the
//! first release had (everything, or one dimension without keepdim), so that
//! programs of that release keep their IR text; every other reduction is an
//! [`Op::Reduce`](super::Op::Reduce) of a [`ReduceKind`].

use super::F64Bits;

/// What a [`Op::Reduce`](super::Op::Reduce) computes over its dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceKind {
    /// The sum, in PyTorch's cascade order.
    Sum,
    /// The sum divided by the count.
    Mean,
    /// The largest element (NaN if any element is NaN).
    Amax,
    /// The smallest element (NaN if any element is NaN).
    Amin,
    /// The variance with Bessel's `correction` subtracted from the count.
    Var(F64Bits),
    /// The square root of the variance.
    Std(F64Bits),
    /// The variance of `var_mean` (Welford's algorithm for every reduction).
    VarMeanVar(F64Bits),
    /// The mean of `var_mean` (Welford's running mean, not the sum over the count).
    VarMeanMean,
    /// `log(sum(exp(x - max))) + max`.
    LogSumExp,
    /// The vector p-norm, `p` > 0.
    Norm(F64Bits),
    /// `prod(x, dim)`: the product, in the dtype, in element order.
    Prod,
    /// The sum in element order, in the dtype, from +0: ATen's scalar loops
    /// (`cdist`'s `agg = agg + term`), not `sum`'s cascade.
    SeqSum,
    /// `prod(x)`: the product of every element. A kind of its own because
    /// PyTorch's backward differs from the one-dimension form's (`ProdBackward0`).
    ProdAll,
    /// `batch_norm`'s mean of each channel of an `[N, C, *]` tensor, over every
    /// dimension but 1, in PyTorch's kernel's order (`kernels/batch_norm.rs`).
    BatchMean,
    /// `batch_norm`'s sum of each channel's squared deviations from its
    /// [`ReduceKind::BatchMean`], over every dimension but 1.
    BatchVarSum,
    /// `nll_loss`'s sum of a vector of per-sample losses in its kernel's
    /// order (`kernels/reduce_dims.rs`, `nll_cascade`), not `sum`'s.
    NllSum,
    /// [`ReduceKind::NllSum`] divided by the count, `nll_loss`'s mean.
    NllMean,
    /// [`ReduceKind::NllSum`] of the samples a second operand, a bool mask,
    /// does not mark: the kernel skips an ignored sample (`ignore_index`)
    /// altogether, so it also skips that sample's step of the cascade.
    NllSumSkipping,
}

impl ReduceKind {
    /// The name the IR dump prints before the parameters.
    pub fn name(self) -> &'static str {
        match self {
            ReduceKind::Sum => "sum",
            ReduceKind::Mean => "mean",
            ReduceKind::Amax => "amax",
            ReduceKind::Amin => "amin",
            ReduceKind::Var(_) => "var",
            ReduceKind::Std(_) => "std",
            ReduceKind::VarMeanVar(_) => "var_mean_var",
            ReduceKind::VarMeanMean => "var_mean_mean",
            ReduceKind::LogSumExp => "logsumexp",
            ReduceKind::Norm(_) => "norm",
            ReduceKind::Prod => "prod",
            ReduceKind::SeqSum => "seq_sum",
            ReduceKind::ProdAll => "prod_all",
            ReduceKind::BatchMean => "batch_mean",
            ReduceKind::BatchVarSum => "batch_var_sum",
            ReduceKind::NllSum => "nll_sum",
            ReduceKind::NllMean => "nll_mean",
            ReduceKind::NllSumSkipping => "nll_sum_skipping",
        }
    }

    /// Whether the kind reduces over exactly every dimension but the channels
    /// (1) of an `[N, C, *]` tensor, the only `dims` its kernel takes.
    pub fn channel_statistic(self) -> bool {
        matches!(self, ReduceKind::BatchMean | ReduceKind::BatchVarSum)
    }

    /// PyTorch's `grad_fn` for a result (a reduction with an explicit `dim`).
    pub fn grad_fn(self) -> &'static str {
        match self {
            ReduceKind::Sum | ReduceKind::SeqSum => "SumBackward1",
            ReduceKind::Mean => "MeanBackward1",
            ReduceKind::Amax => "AmaxBackward0",
            ReduceKind::Amin => "AminBackward0",
            ReduceKind::Var(_) => "VarBackward0",
            ReduceKind::Std(_) => "StdBackward0",
            ReduceKind::VarMeanVar(_) | ReduceKind::VarMeanMean => "VarMeanBackward0",
            ReduceKind::LogSumExp => "LogsumexpBackward0",
            ReduceKind::Norm(_) => "LinalgVectorNormBackward0",
            ReduceKind::Prod => "ProdBackward1",
            ReduceKind::ProdAll => "ProdBackward0",
            ReduceKind::BatchMean | ReduceKind::BatchVarSum => "NativeBatchNormBackward0",
            ReduceKind::NllSum | ReduceKind::NllMean | ReduceKind::NllSumSkipping => "NllLossBackward0",
        }
    }

    /// The kind's parameter, for the IR text (`correction` or `p`).
    pub fn param(self) -> Option<f64> {
        match self {
            ReduceKind::Var(c) | ReduceKind::Std(c) | ReduceKind::VarMeanVar(c) | ReduceKind::Norm(c) => Some(c.get()),
            ReduceKind::Sum | ReduceKind::Mean | ReduceKind::Amax | ReduceKind::Amin | ReduceKind::VarMeanMean | ReduceKind::LogSumExp => None,
            ReduceKind::Prod | ReduceKind::ProdAll | ReduceKind::SeqSum | ReduceKind::BatchMean | ReduceKind::BatchVarSum => None,
            ReduceKind::NllSum | ReduceKind::NllMean | ReduceKind::NllSumSkipping => None,
        }
    }

    /// The kind named `name` with parameter `param` (the inverse of `name` and `param`).
    pub fn from_name(name: &str, param: Option<f64>) -> Option<ReduceKind> {
        let p = || param.map(F64Bits::new);
        Some(match (name, param.is_some()) {
            ("sum", false) => ReduceKind::Sum,
            ("mean", false) => ReduceKind::Mean,
            ("amax", false) => ReduceKind::Amax,
            ("amin", false) => ReduceKind::Amin,
            ("var", true) => ReduceKind::Var(p()?),
            ("std", true) => ReduceKind::Std(p()?),
            ("var_mean_var", true) => ReduceKind::VarMeanVar(p()?),
            ("var_mean_mean", false) => ReduceKind::VarMeanMean,
            ("logsumexp", false) => ReduceKind::LogSumExp,
            ("norm", true) => ReduceKind::Norm(p()?),
            ("prod", false) => ReduceKind::Prod,
            ("seq_sum", false) => ReduceKind::SeqSum,
            ("prod_all", false) => ReduceKind::ProdAll,
            ("batch_mean", false) => ReduceKind::BatchMean,
            ("batch_var_sum", false) => ReduceKind::BatchVarSum,
            ("nll_sum", false) => ReduceKind::NllSum,
            ("nll_mean", false) => ReduceKind::NllMean,
            ("nll_sum_skipping", false) => ReduceKind::NllSumSkipping,
            _ => return None,
        })
    }
}

/// The shape of a reduction's result: `dims` removed, or kept as 1 with `keepdim`.
pub fn reduced_shape(shape: &[usize], dims: &[usize], keepdim: bool) -> Vec<usize> {
    let mut out = Vec::with_capacity(shape.len());
    for (d, &s) in shape.iter().enumerate() {
        if !dims.contains(&d) {
            out.push(s);
        } else if keepdim {
            out.push(1);
        }
    }
    out
}
