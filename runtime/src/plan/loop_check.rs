//! The checks of a [`LoopStep`] against its body plan, for [`Plan::verify`].
//!
//! The body is verified as a plan of its own; then every value that crosses the
//! loop's boundary must have the same dtype and shape on both sides: outer inputs
//! and the body inputs they feed, body outputs and the outer values they become,
//! and carried outputs and the inputs they feed.

use crate::plan::{LoopStep, Plan, ValueId, ValueInfo};

/// Checks `l`, a step of `outer`; the error says what does not fit.
pub(super) fn check(outer: &Plan, l: &LoopStep) -> Result<(), String> {
    let body = &l.body;
    body.verify().map_err(|e| format!("its body is malformed ({e})"))?;
    if l.step == 0 {
        return Err("the step is zero".to_string());
    }
    if body.inputs.len() != l.inputs.len() + 1 {
        return Err(format!("the body has {} inputs for {} outer values and the index", body.inputs.len(), l.inputs.len()));
    }
    let index = &body.inputs[0];
    if index.dtype != crate::tensor::DType::I64 || !index.shape.is_empty() {
        return Err("the body's input 0 (the loop index) is not a 0-d i64".to_string());
    }
    let outer_info = |v: ValueId| outer.values.get(v.0 as usize).ok_or_else(|| format!("value %{} does not exist", v.0));
    for (k, &v) in l.inputs.iter().enumerate() {
        let info = &body.inputs[k + 1];
        same(outer_info(v)?, &ValueInfo { dtype: info.dtype, shape: info.shape.clone() }, &format!("outer value %{} and body input {}", v.0, k + 1))?;
    }
    if l.body_outputs.len() != l.outputs.len() {
        return Err(format!("{} body outputs for {} outer values", l.body_outputs.len(), l.outputs.len()));
    }
    for (j, (&b, &o)) in l.body_outputs.iter().zip(&l.outputs).enumerate() {
        if !body.exports.iter().any(|(_, v)| *v == b) {
            return Err(format!("body output {j} (value %{}) is not exported by the body", b.0));
        }
        let binfo = body.values.get(b.0 as usize).ok_or_else(|| format!("body value %{} does not exist", b.0))?;
        same(binfo, outer_info(o)?, &format!("body output {j} and outer value %{}", o.0))?;
    }
    if let Some(j) = l.exit {
        let b = l.body_outputs.get(j as usize).ok_or_else(|| format!("exit output {j} does not exist"))?;
        same(&body.values[b.0 as usize], &ValueInfo { dtype: crate::DType::Bool, shape: vec![] }, &format!("exit output {j} and a 0-d bool"))?;
    }
    for &(j, k) in &l.carried {
        let b = l.body_outputs.get(j as usize).ok_or_else(|| format!("carried output {j} does not exist"))?;
        let info = body.inputs.get(k as usize).filter(|_| k > 0).ok_or_else(|| format!("carried input {k} is not a body input after the index"))?;
        same(
            &body.values[b.0 as usize],
            &ValueInfo { dtype: info.dtype, shape: info.shape.clone() },
            &format!("carried output {j} and body input {k}"),
        )?;
    }
    Ok(())
}

fn same(a: &ValueInfo, b: &ValueInfo, what: &str) -> Result<(), String> {
    if a.dtype != b.dtype || a.shape != b.shape {
        let show = |i: &ValueInfo| format!("{}[{}]", i.dtype, i.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "));
        return Err(format!("{what} differ in dtype or shape ({} and {})", show(a), show(b)));
    }
    Ok(())
}
