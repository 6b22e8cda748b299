//! Two-dimensional convolution (`conv2d`), its transpose (`conv_transpose2d`)
//! and the convolution's weight gradient as one [`Op::Conv`](super::Op::Conv)
//! family, the three products PyTorch's `convolution` and
//! `convolution_backward` compute. Each is a product of the weight with the
//! input's patches (`kernels::conv`), so none is a composite of other ops: a
//! composite of gathers and products would keep the patches (the input
//! repeated `kh * kw` times) alive for the backward. `conv1d` and
//! `conv_transpose1d` are these ops on inputs with a height of 1.
//!
//! The result's spatial size is the node's shape, not a parameter: for the
//! transpose it carries `output_padding`, and for the weight gradient the
//! kernel's size.

/// One op of the family: the geometry shared by all three, and which product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conv {
    /// The step between patches, (height, width), at least 1.
    pub stride: [usize; 2],
    /// Zeros added on both sides of the convolution's input, (height, width).
    pub padding: [usize; 2],
    /// The spacing of the kernel's taps, (height, width), at least 1.
    pub dilation: [usize; 2],
    /// Channels split into this many independent groups, at least 1.
    pub groups: usize,
    pub part: ConvPart,
}

/// Which product of the family a node computes; each has the operands listed.
/// `N` is the batch, `C` the convolution's input channels, `O` its output
/// channels, `g` the groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConvPart {
    /// `(x [N, C, H, W], w [O, C/g, kh, kw], b? [O])` -> `[N, O, Ho, Wo]`,
    /// `Ho = (H + 2 pad - dil (kh - 1) - 1) / stride + 1`: `conv2d`.
    Forward { bias: bool },
    /// `(x [N, O, Ho, Wo], w [O, C/g, kh, kw], b? [C])` -> `[N, C, H, W]`:
    /// `conv_transpose2d`, which is the gradient of [`ConvPart::Forward`] for
    /// its input (the weight is read as the convolution's, so its first
    /// dimension is this op's input channels). `H` may exceed the smallest
    /// size whose convolution is `Ho` by less than the stride (`output_padding`).
    Transposed { bias: bool },
    /// `(grad [N, O, Ho, Wo], x [N, C, H, W])` -> `[O, C/g, kh, kw]`: the
    /// gradient of [`ConvPart::Forward`] for its weight.
    WeightGrad,
}

impl Conv {
    pub fn arity(&self) -> usize {
        match self.part {
            ConvPart::Forward { bias } | ConvPart::Transposed { bias } => 2 + bias as usize,
            ConvPart::WeightGrad => 2,
        }
    }

    pub fn name(&self) -> &'static str {
        match self.part {
            ConvPart::Forward { .. } => "conv2d",
            ConvPart::Transposed { .. } => "conv_transpose2d",
            ConvPart::WeightGrad => "conv2d_weight_grad",
        }
    }

    /// PyTorch's `grad_fn`: every convolution is `ConvolutionBackward0`, and a
    /// result of its backward `ConvolutionBackwardBackward0`.
    pub fn grad_fn(&self) -> &'static str {
        match self.part {
            ConvPart::Forward { .. } | ConvPart::Transposed { .. } => "ConvolutionBackward0",
            ConvPart::WeightGrad => "ConvolutionBackwardBackward0",
        }
    }

    /// The convolution's output size along one spatial axis (0: height, 1:
    /// width) for an input of `size` and a kernel of `kernel` taps, or `None`
    /// when the padded input is smaller than the dilated kernel (PyTorch's
    /// "Kernel size can't be greater than actual input size").
    pub fn output_size(&self, axis: usize, size: usize, kernel: usize) -> Option<usize> {
        let span = self.dilation[axis].checked_mul(kernel.checked_sub(1)?)?.checked_add(1)?;
        let padded = size.checked_add(self.padding[axis].checked_mul(2)?)?;
        Some(padded.checked_sub(span)? / self.stride[axis] + 1)
    }

    /// The transposed convolution's output size along one axis for an input
    /// of `size`, `(size - 1) stride - 2 pad + dil (kernel - 1) + output_padding + 1`,
    /// or `None` when it is not positive.
    pub fn transposed_size(&self, axis: usize, size: usize, kernel: usize, output_padding: usize) -> Option<usize> {
        let grown = size.checked_sub(1)?.checked_mul(self.stride[axis])?;
        let span = self.dilation[axis].checked_mul(kernel.checked_sub(1)?)?;
        let total = grown.checked_add(span)?.checked_add(output_padding)?.checked_add(1)?;
        total.checked_sub(self.padding[axis].checked_mul(2)?).filter(|s| *s > 0)
    }
}

impl Conv {
    /// Whether `result` is the shape this op gives `operands`, with what is
    /// wrong otherwise: the kernels index by these shapes, so a plan read from
    /// text that breaks them is refused before it runs.
    pub fn check_shapes(&self, operands: &[&[usize]], result: &[usize]) -> Result<(), String> {
        let four = |s: &[usize], what: &str| -> Result<[usize; 4], String> {
            <[usize; 4]>::try_from(s).map_err(|_| format!("a convolution's {what} must be 4-D, not {s:?}"))
        };
        if self.stride.contains(&0) || self.dilation.contains(&0) || self.groups == 0 {
            return Err("a convolution's strides, dilations and groups must be at least 1".to_string());
        }
        let g = self.groups;
        // The convolution's input `[n, c, h, w]`, output `[n, o, oh, ow]` and weight.
        let (input, output, weight) = match self.part {
            ConvPart::Forward { .. } => (four(operands[0], "input")?, four(result, "result")?, four(operands[1], "weight")?),
            ConvPart::Transposed { .. } => (four(result, "result")?, four(operands[0], "input")?, four(operands[1], "weight")?),
            ConvPart::WeightGrad => (four(operands[1], "input")?, four(operands[0], "gradient")?, four(result, "result")?),
        };
        let [n, c, h, w] = input;
        let [n2, o, oh, ow] = output;
        let [wo, wc, kh, kw] = weight;
        let sizes_fit = |axis: usize, size: usize, kernel: usize, out: usize| match self.part {
            ConvPart::Transposed { .. } => {
                // The input size, grown by less than a stride (`output_padding`).
                let least = self.transposed_size(axis, out, kernel, 0);
                least.is_some_and(|l| size >= l && size - l < self.stride[axis].max(self.dilation[axis]))
            }
            ConvPart::Forward { .. } | ConvPart::WeightGrad => self.output_size(axis, size, kernel) == Some(out),
        };
        let good =
            n == n2 && wo == o && o % g == 0 && c % g == 0 && wc * g == c && kh > 0 && kw > 0 && sizes_fit(0, h, kh, oh) && sizes_fit(1, w, kw, ow);
        let bias_fits = match self.part {
            ConvPart::Forward { bias: true } => operands[2] == [o],
            ConvPart::Transposed { bias: true } => operands[2] == [c],
            ConvPart::Forward { bias: false } | ConvPart::Transposed { bias: false } | ConvPart::WeightGrad => true,
        };
        if good && bias_fits {
            Ok(())
        } else {
            Err(format!("the shapes {operands:?} -> {result:?} do not fit {}", self.name()))
        }
    }
}
