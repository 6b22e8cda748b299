//! PyTorch's function namespaces as `.act` spells them: `torch.linalg.cross(a,
//! b)` is `linalg.cross(a, b)` and `torch.special.expit(x)` is
//! `special.expit(x)`, as `torch.sum` is `sum`. The parser reads such a call
//! as a call of the builtin the table names (so `special.expit` is `sigmoid`,
//! the function PyTorch's alias runs), and only for the names listed here:
//! a value a program calls `special` keeps its methods (`special.append(x)`).

/// `(namespace, function, builtin)`: the call `namespace.function(...)` is the
/// builtin `builtin`. Each is the same ATen function as its builtin in PyTorch
/// (`torch.special.expit` runs `torch.sigmoid`), except `linalg.cross`, whose
/// default `dim` is the last dimension where `cross` picks the first of size 3.
const NAMESPACED: &[(&str, &str, &str)] = &[
    ("linalg", "cross", "linalg.cross"),
    ("linalg", "matmul", "matmul"),
    ("linalg", "vector_norm", "linalg.vector_norm"),
    ("linalg", "norm", "linalg.norm"),
    ("linalg", "matrix_norm", "linalg.matrix_norm"),
    ("special", "expit", "sigmoid"),
    ("special", "erf", "erf"),
    ("special", "erfc", "erfc"),
    ("special", "expm1", "expm1"),
    ("special", "exp2", "exp2"),
    ("special", "log1p", "log1p"),
    ("special", "round", "round"),
    ("special", "logsumexp", "logsumexp"),
    ("special", "softmax", "softmax"),
    ("special", "log_softmax", "log_softmax"),
    ("special", "xlogy", "xlogy"),
    ("special", "logit", "logit"),
    ("special", "sinc", "sinc"),
    ("special", "erfinv", "erfinv"),
    ("special", "gammaln", "lgamma"),
    ("special", "digamma", "digamma"),
    ("special", "psi", "digamma"),
    ("special", "polygamma", "polygamma"),
    ("special", "entr", "special.entr"),
    ("special", "ndtri", "special.ndtri"),
    ("special", "ndtr", "special.ndtr"),
    ("special", "i0", "i0"),
    ("special", "i0e", "special.i0e"),
    ("special", "i1", "special.i1"),
    ("special", "i1e", "special.i1e"),
    ("special", "xlog1py", "special.xlog1py"),
    ("special", "erfcx", "special.erfcx"),
    ("special", "log_ndtr", "special.log_ndtr"),
    ("special", "multigammaln", "mvlgamma"),
];

/// The builtin that `namespace.function(...)` calls, if the table lists it.
pub fn resolve(namespace: &str, function: &str) -> Option<&'static str> {
    NAMESPACED.iter().find(|(n, f, _)| *n == namespace && *f == function).map(|(_, _, b)| *b)
}

/// Every spelling the table accepts (`linalg.cross`), for the docs' list.
pub fn spellings() -> impl Iterator<Item = (String, &'static str)> {
    NAMESPACED.iter().map(|(n, f, b)| (format!("{n}.{f}"), *b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_listed_names_only() {
        assert_eq!(resolve("special", "expit"), Some("sigmoid"));
        assert_eq!(resolve("linalg", "cross"), Some("linalg.cross"));
        // A method of a value named `special` stays a method call.
        assert_eq!(resolve("special", "append"), None);
        assert_eq!(resolve("fft", "cross"), None);
    }
}
