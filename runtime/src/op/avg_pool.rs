//! Average pooling (`avg_pool1d`/`avg_pool2d`, `adaptive_avg_pool1d`/`2d`) and
//! its gradient as one [`Op::AvgPool`](super::Op::AvgPool) family. Both are
//! linear, and each is the other's adjoint, so each differentiates into the
//! other. The windows' sizes and the result's come from the node's shape
//! (`ceil_mode` included) and the operand's.

/// One op of the family: how the windows are laid out, and which direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AvgPool {
    pub windows: PoolWindows,
    pub part: AvgPoolPart,
}

/// The windows over an `[N, C, H, W]` input, (height, width) each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolWindows {
    /// `avg_pool2d`'s: `kernel` taps every `stride` from `-padding`, each
    /// window's sum divided by `divisor` when given, else by its size counting
    /// the padding (`count_include_pad`) or not.
    Fixed { kernel: [usize; 2], stride: [usize; 2], padding: [usize; 2], count_include_pad: bool, divisor: Option<usize> },
    /// `adaptive_avg_pool2d`'s: output `o` of `n` along an axis of `size`
    /// covers `floor(o * size / n)` to `ceil((o + 1) * size / n)`, its sum
    /// divided by its height and then by its width.
    Adaptive,
}

/// Which direction of the family a node computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AvgPoolPart {
    /// `(x [N, C, H, W])` -> `[N, C, OH, OW]`: each window's average.
    Forward,
    /// `(grad [N, C, OH, OW])` -> `[N, C, H, W]`: each output's gradient over
    /// its window's divisor, added to every position of the window.
    Backward,
}

/// One window along one axis: its first and last position in the input, and
/// the size that divides it (the padding included where it counts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span1 {
    pub start: usize,
    pub end: usize,
    pub divisor: usize,
}

impl AvgPool {
    pub fn name(&self) -> &'static str {
        match (self.windows, self.part) {
            (PoolWindows::Fixed { .. }, AvgPoolPart::Forward) => "avg_pool2d",
            (PoolWindows::Fixed { .. }, AvgPoolPart::Backward) => "avg_pool2d_backward",
            (PoolWindows::Adaptive, AvgPoolPart::Forward) => "adaptive_avg_pool2d",
            (PoolWindows::Adaptive, AvgPoolPart::Backward) => "adaptive_avg_pool2d_backward",
        }
    }

    /// PyTorch's `grad_fn` of a result.
    pub fn grad_fn(&self) -> &'static str {
        match (self.windows, self.part) {
            (PoolWindows::Fixed { .. }, AvgPoolPart::Forward) => "AvgPool2DBackward0",
            (PoolWindows::Fixed { .. }, AvgPoolPart::Backward) => "AvgPool2DBackwardBackward0",
            (PoolWindows::Adaptive, AvgPoolPart::Forward) => "AdaptiveAvgPool2DBackward0",
            (PoolWindows::Adaptive, AvgPoolPart::Backward) => "AdaptiveAvgPool2DBackwardBackward0",
        }
    }

    /// Window `o` of `outputs` along `axis` of an input of `size`, as
    /// PyTorch's kernels compute it (`AvgPoolKernel.cpp`,
    /// `AdaptiveAvgPoolKernel.cpp`). An empty window (all padding) has
    /// `start == end`.
    pub fn window(&self, axis: usize, o: usize, outputs: usize, size: usize) -> Span1 {
        match self.windows {
            PoolWindows::Fixed { kernel, stride, padding, count_include_pad, divisor } => {
                let start = (o * stride[axis]) as isize - padding[axis] as isize;
                let end = (start + kernel[axis] as isize).min((size + padding[axis]) as isize);
                let padded = (end - start).max(0) as usize;
                let (s, e) = (start.max(0) as usize, (end.max(0) as usize).min(size));
                let e = e.max(s);
                let divisor = divisor.unwrap_or(if count_include_pad { padded } else { e - s });
                Span1 { start: s, end: e, divisor }
            }
            PoolWindows::Adaptive => {
                let start = o * size / outputs;
                let end = ((o + 1) * size).div_ceil(outputs);
                Span1 { start, end, divisor: end - start }
            }
        }
    }

    /// The windows along one axis of an input of `size` for a fixed pool
    /// (PyTorch's `pooling_output_shape`, as [`super::MaxPool::output_size`]).
    pub fn output_size(kernel: usize, stride: usize, padding: usize, size: usize, ceil_mode: bool) -> Option<usize> {
        let window = super::MaxPool { kernel: [kernel; 2], stride: [stride; 2], padding: [padding; 2], dilation: [1; 2] };
        window.output_size(0, size, ceil_mode)
    }

    /// Whether `result` is the shape this op gives `operands`.
    pub fn check_shapes(&self, operands: &[&[usize]], result: &[usize]) -> Result<(), String> {
        let (input, output) = match self.part {
            AvgPoolPart::Forward => (operands[0], result),
            AvgPoolPart::Backward => (result, operands[0]),
        };
        let fits = |axis: usize| match self.windows {
            PoolWindows::Fixed { kernel, stride, padding, divisor, .. } => {
                let positive = kernel[axis] > 0 && stride[axis] > 0 && divisor != Some(0) && padding[axis] <= kernel[axis] / 2;
                positive
                    && [false, true]
                        .iter()
                        .any(|&ceil| AvgPool::output_size(kernel[axis], stride[axis], padding[axis], input[2 + axis], ceil) == Some(output[2 + axis]))
            }
            PoolWindows::Adaptive => output[2 + axis] > 0 && (input[2 + axis] > 0 || output[2 + axis] == 0),
        };
        if input.len() == 4 && output.len() == 4 && input[..2] == output[..2] && fits(0) && fits(1) {
            Ok(())
        } else {
            Err(format!("the shapes {operands:?} -> {result:?} do not fit {}", self.name()))
        }
    }
}
