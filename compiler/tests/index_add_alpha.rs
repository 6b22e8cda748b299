//! `index_add(..., alpha=)`: the derivatives against central finite
//! differences in f64, the source's gradient being scaled by `alpha`.

use crate::fd::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(config())]

    #[test]
    fn index_add_alpha(x in any_vals(6), s in any_vals(4)) {
        check("", &[leaf("x", &[3, 2], x), leaf("s", &[2, 2], s)], &[3, 2], "exp(index_add(x, 0, tensor([2, 2]), s * s, alpha=-1.5))")?;
    }
}
