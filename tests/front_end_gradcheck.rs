//! `graphc gradcheck` on the examples of PyTorch's own custom Functions that
//! take host values and optional parameters: their backward blocks agree with
//! their forward blocks.

use std::process::Command;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn gradcheck(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_graphc")).arg("gradcheck").args(args).current_dir(REPO).output().unwrap()
}

#[test]
fn linear_function_and_mul_constant_pass_gradcheck() {
    let shapes = ["--shape", "input=5,3", "--shape", "weight=4,3", "--shape", "bias=4"];
    let mut args = vec!["examples/linear_function.act"];
    args.extend(shapes);
    for args in [args, vec!["examples/mul_constant.act"]] {
        let out = gradcheck(&args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains(" pass"), "{args:?}: {stdout}");
    }
}

/// A gradient-reversal layer is deliberately not the derivative of its forward:
/// gradcheck says so.
#[test]
fn grad_reverse_is_reported_as_a_wrong_gradient() {
    let out = gradcheck(&["examples/grad_reverse.act"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("G0001"));
}

/// The LayerNorm op's hand-written backward agrees with its forward; its `eps`
/// (a host number with a default, whose gradient is `none`) keeps its default
/// instead of being replaced by a tensor.
#[test]
fn layer_norm_passes_gradcheck() {
    let out = gradcheck(&["examples/layer_norm.act", "--shape", "input=4,6", "--shape", "weight=6", "--shape", "bias=6"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.lines().any(|l| l.starts_with("LayerNorm") && l.ends_with(" pass")), "{stdout}");
}
