//! `graphc export --to onnx` from the command line and the structure of a small
//! model. That engines compute what graphc computes is checked by running every
//! exportable program in ONNX Runtime (`tests/onnx_runtime.rs`) and in tract:
//! `cargo test --manifest-path tools/onnx_check/Cargo.toml` (a crate of its own,
//! so that the workspace's build does not carry tract).

use std::path::Path;

use graphc_compiler::driver::{compile_opts, Compiled, Exports, Options};
use graphc_compiler::fuse::Numerics;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn compile_file(path: &Path) -> Compiled {
    let source = std::fs::read_to_string(path).unwrap();
    let options = Options { keep_stages: false, exports: Exports::All, numerics: Numerics::Exact, source_dir: path.parent() };
    compile_opts(&source, &options).unwrap_or_else(|d| panic!("{} does not compile: {}", path.display(), d[0].message))
}

/// The model's nodes, one a line: `OpType(inputs) -> output`, then the graph's
/// inputs, outputs and initializers.
fn structure(model: &graphc_compiler::onnx::proto::ModelProto) -> String {
    let g = model.graph.as_ref().unwrap();
    let mut lines = vec![format!("opset {}", model.opset_import[0].version)];
    let decl = |v: &graphc_compiler::onnx::proto::ValueInfoProto| {
        let t = v.r#type.as_ref().unwrap().tensor_type.as_ref().unwrap();
        let dims: Vec<String> = t.shape.as_ref().unwrap().dim.iter().map(|d| d.dim_value.unwrap().to_string()).collect();
        format!("{}: type {} [{}]", v.name, t.elem_type, dims.join(", "))
    };
    lines.extend(g.input.iter().map(|v| format!("input {}", decl(v))));
    lines.extend(g.initializer.iter().map(|t| format!("initializer {}: type {} {:?}", t.name, t.data_type, t.dims)));
    for n in &g.node {
        let attrs: Vec<String> = n.attribute.iter().map(|a| a.name.clone()).collect();
        let attrs = if attrs.is_empty() { String::new() } else { format!(" [{}]", attrs.join(", ")) };
        lines.push(format!("{}({}){attrs} -> {}", n.op_type, n.input.join(", "), n.output.join(", ")));
    }
    lines.extend(g.output.iter().map(|v| format!("output {}", decl(v))));
    lines.join("\n")
}

#[test]
fn the_tutorial_op_exports_as_these_onnx_nodes() {
    let path = Path::new(REPO).join("examples/bench_tanh_small.act");
    let c = compile_file(&path);
    let model = graphc_compiler::onnx::model(&c.optimized, &["out".to_string(), "x.grad".to_string()]).unwrap();
    // The file is named by the test alone, not by the module (`all::onnx_export`) it runs in.
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(structure(&model)));
}

fn graphc(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_graphc")).args(args).current_dir(REPO).output().unwrap()
}

#[test]
fn the_command_writes_the_model_and_refuses_unknown_names_without_writing() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("onnx_export_cli");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("tanh.onnx");
    let out_path = out_file.to_str().unwrap();

    // An unknown name is a usage error that lists the names, and nothing is written.
    let bad = graphc(&["export", "examples/bench_tanh_small.act", "--to", "onnx", "-o", out_path, "--export", "nope"]);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`--export nope`") && stderr.contains("x.grad"), "{stderr}");
    assert!(!out_file.exists());

    let ok = graphc(&["export", "examples/bench_tanh_small.act", "--to", "onnx", "-o", out_path, "--export", "x.grad", "--export", "out"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(ok.stdout.is_empty());
    let bytes = std::fs::read(&out_file).unwrap();
    let model = graphc_compiler::onnx::decode(&bytes).expect("the file is an ONNX model");
    // The outputs come in the order asked, by the names `run --save` uses; the input is declared.
    let g = model.graph.unwrap();
    let names: Vec<&str> = g.output.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["x.grad", "out"]);
    assert_eq!(g.input.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["x"]);
    // No temporary file is left beside the model.
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "{left:?}");

    let help = graphc(&["export", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--to") && help.contains("--export") && help.contains("--output"), "{help}");
}

/// A loop body names each value it computes for the next iteration as the
/// body's output itself, with no `Identity` copying it there: ONNX Runtime 1.32
/// removes such an `Identity` by renaming the value after its MatMul+Add→Gemm
/// fusions were made with the old name, and the loop then fails with "Missing
/// Input" (as `examples/pytorch_classification.act`'s did). Only values the
/// body does not compute (its inputs), and a value that is a second output,
/// are copied by an `Identity`.
#[test]
fn loop_bodies_name_computed_values_as_their_outputs() {
    let path = Path::new(REPO).join("examples/pytorch_classification.act");
    let c = compile_file(&path);
    let model = graphc_compiler::onnx::model(&c.optimized, &["loss".to_string()]).unwrap();
    let mut bodies = 0;
    for node in &model.graph.as_ref().unwrap().node {
        for body in node.attribute.iter().filter_map(|a| a.g.as_ref()) {
            bodies += 1;
            let computed: std::collections::HashSet<&String> = body.node.iter().flat_map(|n| n.output.iter()).collect();
            for n in body.node.iter().filter(|n| n.op_type == "Identity") {
                let copies_an_output = body.output.iter().any(|o| n.output.contains(&o.name));
                let named_already = n.input.iter().all(|i| body.output.iter().any(|o| &o.name == i));
                assert!(
                    !(copies_an_output && n.input.iter().all(|i| computed.contains(i)) && !named_already),
                    "{} copies a computed value to an output: {:?} -> {:?}",
                    body.name,
                    n.input,
                    n.output
                );
            }
        }
    }
    assert!(bodies >= 2, "the example's two training loops are Loop bodies");
}
