//! The builtins that change shapes and ranks (docs/act-language.md, section 5):
//! their names and call shapes. Lowering (`lower/shape_calls.rs` and the files
//! it dispatches to) computes them.

use super::builtins::Signature;

/// A shape builtin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeBuiltin {
    /// `bmm(input, mat2)`: a batch of matrix products, both operands 3-D.
    Bmm,
    /// `permute(input, *dims)`.
    Permute,
    /// `flip(input, dims)`, or `x.flip(*dims)`: the order of each listed dimension reversed.
    Flip,
    /// `roll(input, shifts, dims=none)`: elements moved along dimensions, wrapping around.
    Roll,
    /// `reshape(input, *shape)`.
    Reshape,
    /// `view(input, *shape)`: `reshape` that must not copy.
    View,
    /// `flatten(input, start_dim=0, end_dim=-1)`.
    Flatten,
    /// `squeeze(input, dim=none)`.
    Squeeze,
    /// `unsqueeze(input, dim)`.
    Unsqueeze,
    /// `expand(input, *sizes)`.
    Expand,
    /// `expand_as(input, other)`.
    ExpandAs,
    /// `view_as(input, other)`: `view(input, other.size())`.
    ViewAs,
    /// `reshape_as(input, other)`: `reshape(input, other.size())`.
    ReshapeAs,
    /// `repeat(input, *sizes)`.
    Repeat,
    /// `cat(tensors, dim=0)`.
    Cat,
    /// `stack(tensors, dim=0)`.
    Stack,
    /// `split(input, split_size_or_sections, dim=0)`.
    Split,
    /// `chunk(input, chunks, dim=0)`.
    Chunk,
    /// `unbind(input, dim=0)`: the slices along `dim`, that dimension removed.
    Unbind,
    /// `movedim(input, source, destination)` (also `moveaxis`): dimensions moved, the others kept in order.
    Movedim,
    /// `swapaxes(input, axis0, axis1)`: NumPy's name for `transpose`.
    Swapaxes,
    /// `fliplr(input)`: `flip(input, [1])` of a tensor of at least 2 dimensions.
    Fliplr,
    /// `flipud(input)`: `flip(input, [0])` of a tensor of at least 1 dimension.
    Flipud,
    /// `select(input, dim, index)`: the view `input[:, ..., index]` at `dim`.
    Select,
    /// `swapdims(input, dim0, dim1)`: another name for `transpose`.
    Swapdims,
    /// `tile(input, dims)`: `repeat` with ones put in front of short `dims`.
    Tile,
    /// `unflatten(input, dim, sizes)`: one dimension viewed as several.
    Unflatten,
    /// `hstack(tensors)`: `cat` along dimension 1 (0 for 1-d tensors).
    Hstack,
    /// `vstack(tensors)` (also `row_stack`): `cat` of the tensors made at least 2-d, along dimension 0.
    Vstack,
    /// `dstack(tensors)`: `cat` of the tensors made at least 3-d, along dimension 2.
    Dstack,
    /// `column_stack(tensors)`: 0-d and 1-d tensors made columns, then `hstack`.
    ColumnStack,
    /// `atleast_1d(*tensors)`: each 0-d tensor made 1-d.
    Atleast1d,
    /// `atleast_2d(*tensors)`: each tensor of fewer dimensions made 2-d.
    Atleast2d,
    /// `atleast_3d(*tensors)`: each tensor of fewer dimensions made 3-d.
    Atleast3d,
}

/// The shape builtins with their names, in the order the docs list them.
pub const SHAPE: &[(&str, ShapeBuiltin)] = &[
    ("bmm", ShapeBuiltin::Bmm),
    ("permute", ShapeBuiltin::Permute),
    ("flip", ShapeBuiltin::Flip),
    ("roll", ShapeBuiltin::Roll),
    ("reshape", ShapeBuiltin::Reshape),
    ("view", ShapeBuiltin::View),
    ("flatten", ShapeBuiltin::Flatten),
    ("squeeze", ShapeBuiltin::Squeeze),
    ("unsqueeze", ShapeBuiltin::Unsqueeze),
    ("expand", ShapeBuiltin::Expand),
    ("expand_as", ShapeBuiltin::ExpandAs),
    ("view_as", ShapeBuiltin::ViewAs),
    ("reshape_as", ShapeBuiltin::ReshapeAs),
    ("repeat", ShapeBuiltin::Repeat),
    ("cat", ShapeBuiltin::Cat),
    ("stack", ShapeBuiltin::Stack),
    ("split", ShapeBuiltin::Split),
    ("chunk", ShapeBuiltin::Chunk),
    ("unbind", ShapeBuiltin::Unbind),
    ("movedim", ShapeBuiltin::Movedim),
    ("moveaxis", ShapeBuiltin::Movedim),
    ("swapaxes", ShapeBuiltin::Swapaxes),
    ("fliplr", ShapeBuiltin::Fliplr),
    ("flipud", ShapeBuiltin::Flipud),
    ("select", ShapeBuiltin::Select),
    ("swapdims", ShapeBuiltin::Swapdims),
    ("tile", ShapeBuiltin::Tile),
    ("unflatten", ShapeBuiltin::Unflatten),
    ("hstack", ShapeBuiltin::Hstack),
    ("vstack", ShapeBuiltin::Vstack),
    ("row_stack", ShapeBuiltin::Vstack),
    ("dstack", ShapeBuiltin::Dstack),
    ("column_stack", ShapeBuiltin::ColumnStack),
    ("atleast_1d", ShapeBuiltin::Atleast1d),
    ("atleast_2d", ShapeBuiltin::Atleast2d),
    ("atleast_3d", ShapeBuiltin::Atleast3d),
];

/// How a shape builtin is called. Sizes and dimensions are positional, one
/// integer each or one list of them, as in PyTorch.
pub fn signature(b: ShapeBuiltin) -> Signature {
    use ShapeBuiltin as S;
    let sig = |params: &'static [&'static str], min: usize, max: Option<usize>| Signature { params, min, max, keywords: &[] };
    match b {
        S::Bmm => sig(&["input", "mat2"], 2, Some(2)),
        S::ExpandAs | S::ViewAs | S::ReshapeAs => sig(&["input", "other"], 2, Some(2)),
        S::Permute | S::Reshape | S::View | S::Expand | S::Repeat => sig(&["input"], 1, None),
        S::Flatten => sig(&["input", "start_dim", "end_dim"], 1, Some(3)),
        // `dims` may be given by keyword (`torch.flip(x, dims=[0])`), or spread (`x.flip(0, 1)`).
        S::Flip => sig(&["input", "dims"], 2, None),
        S::Roll => sig(&["input", "shifts", "dims"], 2, Some(3)),
        S::Squeeze => sig(&["input", "dim"], 1, Some(2)),
        S::Unsqueeze => sig(&["input", "dim"], 2, Some(2)),
        S::Cat | S::Stack => sig(&["tensors", "dim"], 1, Some(2)),
        S::Split => sig(&["input", "split_size_or_sections", "dim"], 2, Some(3)),
        S::Chunk => sig(&["input", "chunks", "dim"], 2, Some(3)),
        S::Unbind => sig(&["input", "dim"], 1, Some(2)),
        S::Movedim => sig(&["input", "source", "destination"], 3, Some(3)),
        S::Swapaxes => sig(&["input", "axis0", "axis1"], 3, Some(3)),
        S::Fliplr | S::Flipud => sig(&["input"], 1, Some(1)),
        S::Select => sig(&["input", "dim", "index"], 3, Some(3)),
        S::Swapdims => sig(&["input", "dim0", "dim1"], 3, Some(3)),
        // `dims` spread is the method's form (`x.tile(2, 1)`).
        S::Tile => sig(&["input", "dims"], 2, None),
        S::Unflatten => sig(&["input", "dim", "sizes"], 3, Some(3)),
        S::Hstack | S::Vstack | S::Dstack | S::ColumnStack => sig(&["tensors"], 1, Some(1)),
        // The tensors spread (`atleast_2d(a, b)`) or in one list.
        S::Atleast1d | S::Atleast2d | S::Atleast3d => sig(&["tensors"], 1, None),
    }
}
