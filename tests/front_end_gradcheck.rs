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

/// The conv-bn tutorial's three Functions (a convolution's, a batch norm's and
/// the fused one, which computes the convolution again in its backward) agree
/// with the gradients graphc derives through `conv2d` and with finite
/// differences; a wrong sign in the fused backward is caught.
#[test]
fn conv_bn_functions_pass_gradcheck() {
    let shapes = ["--shape", "X=2,2,4,4", "--shape", "weight=3,2,3,3", "--shape", "conv_weight=3,2,3,3"];
    let mut args = vec!["examples/conv_bn.act"];
    args.extend(shapes);
    let out = gradcheck(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for op in ["Conv2D ", "BatchNorm ", "FusedConvBN2DFunction "] {
        assert!(stdout.lines().any(|l| l.starts_with(op) && l.ends_with(" pass")), "{op}: {stdout}");
    }
    // The same program with the fused backward's input gradient negated.
    let source = std::fs::read_to_string(format!("{REPO}/examples/conv_bn.act")).unwrap();
    let wrong = source.replacen(
        "        return grad_X, grad_input, none, none, none, none, none",
        "        return -grad_X, grad_input, none, none, none, none, none",
        1,
    );
    assert_ne!(wrong, source, "the fused backward's return line is in the example");
    // Its data is read where the example's is.
    let wrong = wrong.replace("load(\"data/", &format!("load(\"{REPO}/examples/data/"));
    let dir = std::env::temp_dir().join(format!("graphc-conv-bn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("conv_bn_wrong.act");
    std::fs::write(&path, wrong).unwrap();
    let mut args = vec![path.to_str().unwrap()];
    args.extend(shapes);
    let out = gradcheck(&args);
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("FusedConvBN2DFunction ") && l.contains("FAIL")), "{stdout}");
}
