//! Shape rules: NumPy broadcasting, reductions, matmul, transpose and permutations.
//! Each returns the result shape or a message saying what does not fit; the
//! caller attaches spans.

/// Formats a shape as `[2, 3]` (a 0-d shape as `[]`).
pub fn show(shape: &[usize]) -> String {
    format!("[{}]", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

/// NumPy broadcasting of two shapes: align from the right; sizes must agree or one must be 1.
pub fn broadcast(a: &[usize], b: &[usize]) -> Result<Vec<usize>, String> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i < n - a.len() { 1 } else { a[i - (n - a.len())] };
        let db = if i < n - b.len() { 1 } else { b[i - (n - b.len())] };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(format!("shapes {} and {} do not broadcast: dimension {} is {} in one and {} in the other", show(a), show(b), i, da, db));
        };
    }
    Ok(out)
}

/// True when `from` broadcasts to exactly `to`.
pub fn broadcasts_to(from: &[usize], to: &[usize]) -> bool {
    broadcast(from, to).map(|s| s == to).unwrap_or(false)
}

/// Normalizes a possibly negative dimension index against a rank.
pub fn normalize_dim(dim: i64, rank: usize) -> Result<usize, String> {
    let r = rank as i64;
    if rank == 0 {
        return Err("a 0-d tensor has no dimension to reduce; drop `dim=`".to_string());
    }
    if dim < -r || dim >= r {
        return Err(format!("dim={dim} is out of range for a tensor of rank {rank} (valid: {} to {})", -r, r - 1));
    }
    Ok(if dim < 0 { (dim + r) as usize } else { dim as usize })
}

/// The shape after reducing `dim` away (or everything, for `None`).
pub fn reduce(shape: &[usize], dim: Option<usize>) -> Vec<usize> {
    match dim {
        None => vec![],
        Some(d) => {
            let mut s = shape.to_vec();
            s.remove(d);
            s
        }
    }
}

/// `matmul` as PyTorch's `matmul`, for any rank: 1-D and 2-D operands as
/// before, and a batch of products whose batch dimensions broadcast.
pub fn matmul(a: &[usize], b: &[usize]) -> Result<Vec<usize>, String> {
    let mismatch =
        |k1: usize, k2: usize| format!("matmul needs the inner dimensions to agree, but {} @ {} pairs {} with {}", show(a), show(b), k1, k2);
    if a.is_empty() || b.is_empty() {
        return Err(format!("matmul takes tensors of at least one dimension, got {} @ {}", show(a), show(b)));
    }
    let ka = a[a.len() - 1];
    let kb = if b.len() == 1 { b[0] } else { b[b.len() - 2] };
    if ka != kb {
        return Err(mismatch(ka, kb));
    }
    graphc_runtime::kernels::matmul::matmul_shape(a, b).map(|s| s.out).map_err(|e| format!("matmul of {} @ {}: {e}", show(a), show(b)))
}

/// `transpose` of a 2-D tensor.
pub fn transpose(a: &[usize]) -> Result<Vec<usize>, String> {
    match a {
        [m, n] => Ok(vec![*n, *m]),
        _ => Err(format!("transpose takes a 2-D tensor, got shape {}", show(a))),
    }
}

/// A permutation of `rank` dimensions, each possibly negative: the normalized
/// dimensions, or a message naming the first one out of range or repeated.
pub fn permutation(dims: &[i64], rank: usize) -> Result<Vec<usize>, String> {
    if dims.len() != rank {
        return Err(format!("permute needs one dimension for each of the tensor's {rank}, got {}", dims.len()));
    }
    let mut out = Vec::with_capacity(rank);
    for &d in dims {
        let n = dim_index(d, rank)?;
        if out.contains(&n) {
            return Err(format!("dimension {d} appears twice in the permutation"));
        }
        out.push(n);
    }
    Ok(out)
}

/// The permutation that swaps dimensions `d0` and `d1` (each possibly negative).
pub fn swap_dims(d0: i64, d1: i64, rank: usize) -> Result<Vec<usize>, String> {
    let (a, b) = (dim_index(d0, rank)?, dim_index(d1, rank)?);
    let mut dims: Vec<usize> = (0..rank).collect();
    dims.swap(a, b);
    Ok(dims)
}

/// The shape after a permutation.
pub fn permuted(shape: &[usize], dims: &[usize]) -> Vec<usize> {
    dims.iter().map(|&d| shape[d]).collect()
}

/// A dimension index, possibly negative, for a tensor of rank `rank`; as
/// PyTorch, a 0-d tensor accepts 0 and -1.
pub fn dim_index(dim: i64, rank: usize) -> Result<usize, String> {
    let r = rank.max(1) as i64;
    if dim < -r || dim >= r {
        return Err(format!("dimension {dim} is out of range for a tensor of rank {rank} (valid: {} to {})", -r, r - 1));
    }
    Ok(if dim < 0 { (dim + r) as usize } else { dim as usize })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast(&[3, 1], &[4]).unwrap(), vec![3, 4]);
        assert_eq!(broadcast(&[], &[2, 3]).unwrap(), vec![2, 3]);
        assert!(broadcast(&[3], &[4]).is_err());
        assert!(broadcasts_to(&[1, 3], &[2, 3]));
        assert!(!broadcasts_to(&[2, 3], &[3]));
    }

    #[test]
    fn matmul_shapes_follow_torch() {
        assert_eq!(matmul(&[3], &[3]).unwrap(), Vec::<usize>::new());
        assert_eq!(matmul(&[2, 3], &[3]).unwrap(), vec![2]);
        assert_eq!(matmul(&[3], &[3, 4]).unwrap(), vec![4]);
        assert_eq!(matmul(&[2, 3], &[3, 4]).unwrap(), vec![2, 4]);
        assert!(matmul(&[2, 3], &[4, 3]).is_err());
    }

    #[test]
    fn batched_matmul_shapes_follow_torch() {
        assert_eq!(matmul(&[5, 2, 3], &[3, 4]).unwrap(), vec![5, 2, 4]);
        assert_eq!(matmul(&[2, 3], &[5, 3, 4]).unwrap(), vec![5, 2, 4]);
        assert_eq!(matmul(&[7, 1, 2, 3], &[5, 3, 4]).unwrap(), vec![7, 5, 2, 4]);
        assert_eq!(matmul(&[3], &[5, 3, 4]).unwrap(), vec![5, 4]);
        assert_eq!(matmul(&[5, 2, 3], &[3]).unwrap(), vec![5, 2]);
        assert!(matmul(&[2, 2, 3], &[5, 3, 4]).is_err());
        assert!(matmul(&[5, 2, 3], &[5, 4, 3]).is_err());
        assert!(matmul(&[], &[3]).is_err());
    }

    #[test]
    fn permutations_are_checked() {
        assert_eq!(permutation(&[2, 0, -2], 3).unwrap(), vec![2, 0, 1]);
        assert!(permutation(&[0, 0, 1], 3).is_err());
        assert!(permutation(&[0, 1], 3).is_err());
        assert!(permutation(&[0, 3, 1], 3).is_err());
        assert_eq!(swap_dims(0, -1, 3).unwrap(), vec![2, 1, 0]);
        assert_eq!(permuted(&[2, 3, 4], &[2, 0, 1]), vec![4, 2, 3]);
    }

    #[test]
    fn dims_normalize() {
        assert_eq!(normalize_dim(-1, 2).unwrap(), 1);
        assert!(normalize_dim(2, 2).is_err());
        assert!(normalize_dim(0, 0).is_err());
    }
}
