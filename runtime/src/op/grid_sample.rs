//! `grid_sample` of a 4-D input and its two gradients as one
//! [`Op::GridSample`](super::Op::GridSample) family. The forward reads
//! `input (N, C, H, W)` at the positions `grid (N, Ho, Wo, 2)` gives (x then
//! y, each in `[-1, 1]` across the image); the gradient for the input scatters
//! the output's gradient back to the pixels each position read, and the one for
//! the grid is how the output moves with each position. ATen computes both
//! gradients in one kernel; they share no rounding, so two ops give the same
//! bits and let autodiff build only the one a program needs.

/// One op of the family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GridSample {
    pub mode: GridMode,
    pub padding: GridPadding,
    /// Whether -1 and 1 are the centres of the corner pixels (`align_corners=True`)
    /// or their outer edges.
    pub align_corners: bool,
    pub part: GridSamplePart,
}

/// `grid_sample`'s `mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GridMode {
    /// The four pixels around the position, weighted by their distances.
    Bilinear,
    /// The pixel nearest the position (halves rounded to even).
    Nearest,
}

/// `grid_sample`'s `padding_mode`: what a position outside the image reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GridPadding {
    /// Zero for every pixel outside.
    Zeros,
    /// The position clamped to the image.
    Border,
    /// The position reflected at the image's edges, then clamped.
    Reflection,
}

/// Which member of the family a node computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GridSamplePart {
    /// `(input (N, C, H, W), grid (N, Ho, Wo, 2))` -> `(N, C, Ho, Wo)`.
    Forward,
    /// `(grad (N, C, Ho, Wo), grid)` -> `(N, C, H, W)`: the input's gradient.
    InputGrad,
    /// `(grad (N, C, Ho, Wo), input, grid)` -> `(N, Ho, Wo, 2)`: the grid's gradient.
    GridGrad,
}

impl GridMode {
    /// The name PyTorch's `mode` argument takes.
    pub fn name(self) -> &'static str {
        match self {
            GridMode::Bilinear => "bilinear",
            GridMode::Nearest => "nearest",
        }
    }
}

impl GridPadding {
    /// The name PyTorch's `padding_mode` argument takes.
    pub fn name(self) -> &'static str {
        match self {
            GridPadding::Zeros => "zeros",
            GridPadding::Border => "border",
            GridPadding::Reflection => "reflection",
        }
    }
}

impl GridSample {
    pub fn arity(&self) -> usize {
        match self.part {
            GridSamplePart::Forward | GridSamplePart::InputGrad => 2,
            GridSamplePart::GridGrad => 3,
        }
    }

    pub fn name(&self) -> &'static str {
        match self.part {
            GridSamplePart::Forward => "grid_sample",
            GridSamplePart::InputGrad => "grid_sample_input_grad",
            GridSamplePart::GridGrad => "grid_sample_grid_grad",
        }
    }

    /// Only the forward has a derivative: PyTorch has none for
    /// `grid_sampler_2d_backward`, and graphc builds none either.
    pub fn differentiable(&self) -> bool {
        self.part == GridSamplePart::Forward
    }

    /// PyTorch's `grad_fn` of a result.
    pub fn grad_fn(&self) -> &'static str {
        match self.part {
            GridSamplePart::Forward => "GridSampler2DBackward0",
            GridSamplePart::InputGrad | GridSamplePart::GridGrad => "NotImplemented",
        }
    }

    /// Whether `result` is the shape this op gives `operands`.
    pub fn check_shapes(&self, operands: &[&[usize]], result: &[usize]) -> Result<(), String> {
        let (input, grid, output) = match self.part {
            GridSamplePart::Forward => (operands[0], operands[1], result),
            GridSamplePart::InputGrad => (result, operands[1], operands[0]),
            GridSamplePart::GridGrad => (operands[1], operands[2], operands[0]),
        };
        let grid_fits = grid.len() == 4 && grid[3] == 2;
        let fits = input.len() == 4
            && output.len() == 4
            && grid_fits
            && input[0] == grid[0]
            && output[0] == grid[0]
            && output[1] == input[1]
            && output[2..] == grid[1..3]
            && (self.part != GridSamplePart::GridGrad || result == grid);
        if fits {
            Ok(())
        } else {
            Err(format!("the shapes {operands:?} -> {result:?} do not fit {}", self.name()))
        }
    }
}
