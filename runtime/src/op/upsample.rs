//! Linear interpolation (`interpolate(mode="linear" | "bilinear" |
//! "trilinear")`) and its gradient as one [`Op::Upsample`](super::Op::Upsample)
//! family. Both are linear and each is the other's adjoint, so each
//! differentiates into the other, as average pooling's pair does. The spatial
//! sizes come from the operand's shape and the node's; what the op holds is
//! what ATen is handed besides them: `align_corners` and the scale factors.

use super::F64Bits;

/// One op of the family: where the output pixels sit in the input, and which direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Upsample {
    /// How many trailing dimensions are spatial (1 to 3): the input is `(N, C, *spatial)`.
    pub spatial: usize,
    /// Whether the first and last pixels of input and output are aligned
    /// (`align_corners=True`); otherwise pixel centres are (half-pixel offsets).
    pub align_corners: bool,
    /// The scale factor of each spatial dimension as the user gave it (only the
    /// first `spatial` count); ATen then moves by `1 / factor` instead of
    /// `input / output`, which differs when the output size was rounded down.
    pub scales: [Option<F64Bits>; 3],
    pub part: UpsamplePart,
}

/// Which direction of the family a node computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UpsamplePart {
    /// `(x (N, C, *in))` -> `(N, C, *out)`: each output pixel interpolated from
    /// its two neighbours along every spatial dimension.
    Forward,
    /// `(grad (N, C, *out))` -> `(N, C, *in)`: each output pixel's gradient
    /// times its weights, added to the input pixels it was interpolated from.
    Backward,
}

impl Upsample {
    pub fn name(&self) -> &'static str {
        match self.part {
            UpsamplePart::Forward => "upsample_linear",
            UpsamplePart::Backward => "upsample_linear_backward",
        }
    }

    /// PyTorch's `grad_fn` of a result.
    pub fn grad_fn(&self) -> &'static str {
        match (self.spatial, self.part) {
            (1, UpsamplePart::Forward) => "UpsampleLinear1DBackward0",
            (2, UpsamplePart::Forward) => "UpsampleBilinear2DBackward0",
            (_, UpsamplePart::Forward) => "UpsampleTrilinear3DBackward0",
            (1, UpsamplePart::Backward) => "UpsampleLinear1DBackwardBackward0",
            (2, UpsamplePart::Backward) => "UpsampleBilinear2DBackwardBackward0",
            (_, UpsamplePart::Backward) => "UpsampleTrilinear3DBackwardBackward0",
        }
    }

    /// The name of PyTorch's function for `spatial` dimensions, for messages and export.
    pub fn mode(spatial: usize) -> &'static str {
        match spatial {
            1 => "linear",
            2 => "bilinear",
            _ => "trilinear",
        }
    }

    /// Whether `result` is the shape this op gives `operands`.
    pub fn check_shapes(&self, operands: &[&[usize]], result: &[usize]) -> Result<(), String> {
        let (input, output) = match self.part {
            UpsamplePart::Forward => (operands[0], result),
            UpsamplePart::Backward => (result, operands[0]),
        };
        let rank = self.spatial + 2;
        let positive = |s: &[usize]| s[2..].iter().all(|&d| d > 0);
        if (1..=3).contains(&self.spatial)
            && input.len() == rank
            && output.len() == rank
            && input[..2] == output[..2]
            && positive(input)
            && positive(output)
            && self.scales[self.spatial..].iter().all(Option::is_none)
        {
            Ok(())
        } else {
            Err(format!("the shapes {operands:?} -> {result:?} do not fit {}", self.name()))
        }
    }
}
