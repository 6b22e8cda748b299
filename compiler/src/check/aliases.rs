//! PyTorch names that graphc spells differently. They are used only to suggest
//! the graphc equivalent when a call, method or field is unknown: edit distance
//! alone points `max` at `mean` and finds nothing for `t`, while code ported
//! from PyTorch uses exactly these names.

/// The help line for the PyTorch function, method or property `name` when graphc
/// has an equivalent or a known gap, or `None` when it is not a PyTorch name
/// listed here (the caller then falls back to edit distance).
pub fn pytorch_help(name: &str) -> Option<&'static str> {
    let help = match name {
        "H" | "mH" => "PyTorch's transposes are `transpose(x)`, `x.t()`, `x.T` or `x.mT` here",
        "neg" | "negative" => "write a negation with unary `-`",
        "LBFGS" | "SparseAdam" => {
            "graphc's optimizers are `SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`, `Adadelta`, `Adamax`, `NAdam`, `RAdam`, `ASGD` and `Rprop` (torch.optim's, without the prefix)"
        }
        _ => return None,
    };
    Some(help)
}
