//! `graphc export --to torch`: the generated text (snapshots), and the exported
//! programs run under PyTorch, whose stdout must be graphc's byte for byte.
//!
//! The PyTorch runs need a Python with torch: `GRAPHC_TORCH_PYTHON`, else
//! `~/peers/bin/python`. Without one they are skipped with a printed reason;
//! with one, any difference fails.

use crate::common;
use crate::common::{describe, graphc};

use std::path::{Path, PathBuf};
use std::process::Command;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// PyTorch 2.15's output of the tutorial.
const SEED_DEMO_STDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/seed_demo.torch-2.15.stdout");

/// The examples whose exported script prints what `graphc run` prints (docs/EXPORT.md lists them).
const EXPORTABLE: &[&str] = &[
    "activations",
    "asgd_averaging",
    "attention",
    "attention_block",
    "adam_by_hand",
    "autograd_tutorial",
    "batched_matmul",
    "bayes_by_backprop",
    "big_ints",
    "branch_grads",
    "class_loss_sums",
    "broadcast_matmul",
    "classifier",
    "convolutions",
    "conv_autoencoder",
    "custom_dataset",
    "cyclic_lr",
    "data_loaders",
    "digits_data",
    "digits_split",
    "digits_dropout",
    "double_backward",
    "dtypes",
    "entmax",
    "evidential_digits",
    "f64",
    "gather",
    "grad_clipping",
    "grad_reverse",
    "host_arith",
    "host_values",
    "hf_finetune_loop",
    "hf_schedules",
    "idioms",
    "index_add_alpha",
    "index_put",
    "index_put_multi",
    "indexing",
    "inplace_ops",
    "integer_index",
    "integer_prod",
    "known_masks",
    "layer_norm",
    "linear_function",
    "linear_regression",
    "linear_regression_concise",
    "log1pexp",
    "loop_state",
    "losses",
    "lstm_sine",
    "lr_schedule",
    "maml_sine",
    "mark_non_differentiable",
    "mask_index",
    "max_argmax",
    "milestone_decay",
    "minibatch_adam",
    "mlp_scratch",
    "more_losses",
    "nn_modules",
    "more_builtins",
    "mul_constant",
    "my_relu",
    "nanogpt_loop",
    "nanogpt_model",
    "nerf_sampling",
    "nn_tutorial",
    "normal_samples",
    "one_cycle",
    "one_hot",
    "optimizers",
    "palindrome_rnn",
    "partial_batches",
    "polynomial_tensor",
    "print_tuples",
    "pytorch_classification",
    "pytorch_workflow",
    "reductions",
    "relu_grad_grad",
    "resnet_digits",
    "runtime_if",
    "saves_input",
    "scatter_reduce",
    "segmentation_fcn",
    "text_classification",
    "seq2seq_transformer",
    "sequential_schedules",
    "sgd_steps_unrolled",
    "shape_ops",
    "shapes",
    "shapes_and_tuples",
    "sinh_outputs",
    "softmax_regression",
    "sorting",
    "spiking_surrogate",
    "step_by_step",
    "stn_digits",
    "straight_through",
    "tanh_demo",
    "tensor_tutorial",
    "tiny_llama",
    "train_digits",
    "transformer_encoder",
    "two_params_none",
    "unet_digits",
    "unfold_conv",
    "vae",
    "views_write_through",
    "warmup_schedules",
    "wgan_gp_toy",
];

/// The examples that export but whose scripts print something else, each with the reason.
const DIFFERING: &[(&str, &str)] = &[
    ("polynomial_custom_function", "the last digits of the losses: PyTorch's sums and products round in another order (tests/programs/torch_close)"),
    ("two_layer_custom_relu", "the last digits of the losses: MKL's matrix products (tests/programs/torch_close)"),
    ("weight_decay", "the last digits of the losses: MKL's matrix-vector products (tests/programs/torch_close)"),
    ("nn_layers", "the last digits of the first loss (0.775580108165741 for the PyTorch original's and graphc's 0.7755802273750305): oneDNN's f32 convolution (tests/programs/torch_close)"),
    ("nn_module_training", "the last digit of a loss (1.035672 for the PyTorch original's and graphc's 1.035673): MKL's matrix products (tests/programs/torch_close)"),
    ("nn_tutorial_data", "the last digits of the last two losses: MKL's matrix products (tests/programs/torch_close)"),
    (
        "polynomial_optim",
        "the last digits of the losses: MKL's product and `sin`, which RMSprop's steps amplify near the minimum (tests/programs/torch_close)",
    ),
    ("adaptive_optimizers", "the last digit of a loss: MKL's square root (tests/programs/torch_close)"),
    ("classic_optimizers", "the last digits of Adadelta's losses: MKL's square root (tests/programs/torch_close)"),
    ("adagrad_mf", "the last digits of the losses: MKL's matrix products (tests/programs/torch_close)"),
    ("mnist_cnn", "the last digit of one loss (graphc's 1.442615 for the script's and the PyTorch original's 1.442614): oneDNN's f32 convolutions and MKL's matrix products (tests/programs/torch_close)"),
    ("conv_bn", "the last digit of one loss (2.396808 for the PyTorch original's and graphc's 2.396807): the script's composites round otherwise"),
    ("early_stopping", "the validation losses from epoch 2 on (1.923936 for the PyTorch original's and graphc's 1.923865): the script's composites round otherwise, which the training carries on"),
    ("tiny_diffusion", "the last digits of the sample statistics: MKL's `sin`, `cos` and matrix products (tests/programs/torch_close)"),
    ("second_derivative", "PyTorch's double backward treats a value saved inside Function.forward as a constant (the example shows it)"),
];

/// Examples whose PyTorch output depends on the CPU PyTorch runs on, or on the
/// wheel it came from: the recorded output (and graphc's) is PyTorch's on an
/// Intel CPU with AVX-512, and on an AMD EPYC with AVX2 MKL takes other paths,
/// as it does in the CUDA wheel for three examples. There the script must
/// print the same text with numbers that agree to 1e-5 relative (or 1e-6
/// absolute, for values that round to nothing), or in their last printed digit.
const CPU_DEPENDENT: &[(&str, &str)] = &[
    ("entmax", "the last digit of a loss after 100 steps of MKL's matrix products"),
    ("idioms", "the rounding residue of a product that cancels to zero (1.2e-7 against -6.0e-8)"),
    // Measured 2026-12-05 with the CUDA wheel of PyTorch 2.15.0 (2.15.0+cu132) on
    // the project's machine: the PyTorch originals themselves print these digits.
    ("lr_schedule", "the last digit of a loss (1.255817 with the +cu132 wheel and graphc, 1.255818 with the +cpu wheel)"),
    ("mlp_scratch", "the last digit of a loss (0.436363 against 0.436362) with another wheel's MKL matrix products"),
    // Measured 2026-12-08 with the CUDA wheel (2.15.0+cu132): the PyTorch original prints 0.9050 too.
    (
        "palindrome_rnn",
        "the last printed digit of one loss (0.9050 with the +cu132 wheel, 0.9049 with the wheel that made its reference, and graphc)",
    ),
    // Measured 2026-12-06 on an AMD EPYC (AVX2): the PyTorch original prints these
    // digits there too; on the Intel Xeon that made its reference it printed graphc's.
    ("nn_modules", "the 7th digit of a loss printed in full (2.328080177307129 against 2.32807993888855) from MKL's f32 matrix products on AMD"),
];

/// Whether `a` and `b` are the same text with numbers that agree to 1e-5
/// relative or 1e-6 absolute, or by one unit of their last printed digit (a
/// loss printed as 0.9050 against 0.9049) (spaces aside: PyTorch pads a
/// column's positive numbers when another is negative).
fn numbers_close(a: &str, b: &str) -> bool {
    // One unit of the last digit a number is printed with (1e-4 for `0.9050`,
    // 1e-5 for `1.5e-4`); none for an integer, a count that must agree.
    fn last_digit(text: &str) -> f64 {
        let (mantissa, exponent) = text.split_once('e').map_or((text, 0), |(m, e)| (m, e.parse::<i32>().unwrap_or(0)));
        match mantissa.split_once('.') {
            Some((_, fraction)) => 10f64.powi(exponent - fraction.len() as i32),
            None => 0.0,
        }
    }
    // Splits a text into the runs between numbers and the numbers, each with its last digit's unit.
    fn split(t: &str) -> (Vec<String>, Vec<(f64, f64)>) {
        let (mut words, mut numbers, mut word) = (Vec::new(), Vec::new(), String::new());
        let mut chars = t.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let starts_number = c.is_ascii_digit() || (c == '-' && chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()));
            if !starts_number {
                word.push(c);
                continue;
            }
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                let exponent_sign = (d == '-' || d == '+') && t[..j].ends_with('e');
                if d.is_ascii_digit() || d == '.' || d == 'e' || exponent_sign {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            match t[i..end].parse::<f64>() {
                Ok(v) => {
                    words.push(std::mem::take(&mut word).replace(' ', ""));
                    numbers.push((v, last_digit(&t[i..end])));
                }
                Err(_) => word.push_str(&t[i..end]),
            }
        }
        words.push(word.replace(' ', ""));
        (words, numbers)
    }
    let ((wa, na), (wb, nb)) = (split(a), split(b));
    let agree = |(x, ux): (f64, f64), (y, uy): (f64, f64)| {
        let d = (x - y).abs();
        d <= 1e-6_f64.max(1e-5 * x.abs().max(y.abs())) || d <= 1.0001 * ux.min(uy)
    };
    wa == wb && na.len() == nb.len() && na.iter().zip(&nb).all(|(x, y)| agree(*x, *y))
}

/// The number comparison above tells apart what it should.
#[test]
fn numbers_close_compares_numbers_and_text() {
    assert!(numbers_close("loss 0.917834\n", "loss 0.917835\n"));
    assert!(numbers_close("tensor([[ 1.1921e-07, -1.1921e-07]])", "tensor([[-5.9605e-08, -1.1921e-07]])"));
    assert!(!numbers_close("loss 0.9178\n", "loss 0.9188\n"));
    assert!(numbers_close("loss 0.9050\n", "loss 0.9049\n"));
    assert!(!numbers_close("loss 0.9050\n", "loss 0.9048\n"));
    assert!(!numbers_close("step 3\n", "step 4\n"));
    assert!(!numbers_close("epoch 1 loss 0.5", "epoch 2 loss 0.5"));
    assert!(!numbers_close("loss 0.5", "lost 0.5"));
    assert!(!numbers_close("[1.0, 2.0]", "[1.0, 2.0, 3.0]"));
}

/// The examples whose generated text is snapshotted.
const SNAPSHOTTED: &[&str] = &["tanh_demo", "mul_constant", "my_relu", "mark_non_differentiable", "loop_state"];

fn scratch(name: &str) -> PathBuf {
    common::scratch("export_torch", name)
}

/// Exports `examples/NAME.act` into `dir/NAME.py` and returns the path.
fn export(name: &str, dir: &Path) -> PathBuf {
    let py = dir.join(format!("{name}.py"));
    let out = graphc(&["export", &format!("examples/{name}.act"), "--to", "torch", "-o", py.to_str().unwrap()], Path::new(REPO));
    assert_eq!(out.status.code(), Some(0), "export {name}: {}", describe(&out));
    assert!(out.stdout.is_empty(), "export writes nothing to stdout");
    py
}

/// A Python that imports torch, or the reason there is none.
fn torch_python() -> Result<PathBuf, String> {
    let candidate = match std::env::var_os("GRAPHC_TORCH_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join("peers/bin/python"),
            None => return Err("neither GRAPHC_TORCH_PYTHON nor HOME is set".to_string()),
        },
    };
    match Command::new(&candidate).args(["-c", "import torch, matplotlib"]).output() {
        Ok(o) if o.status.success() => Ok(candidate),
        Ok(o) => Err(format!("{} cannot import torch and matplotlib: {}", candidate.display(), String::from_utf8_lossy(&o.stderr).trim())),
        Err(e) => Err(format!("cannot start {}: {e}", candidate.display())),
    }
}

#[test]
fn exported_text_matches_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(REPO).join("snapshots/export_torch"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    for name in SNAPSHOTTED {
        let dir = scratch(&format!("snap_{name}"));
        let text = std::fs::read_to_string(export(name, &dir)).unwrap();
        insta::assert_snapshot!(*name, text);
    }
}

/// What `graphc run examples/NAME.act` prints: the tutorial's reference, or the
/// PyTorch original's output under tests/programs/torch, which
/// `tests/cli.rs::examples_print_exactly_what_pytorch_prints` holds graphc to byte for byte.
fn graphc_stdout(name: &str) -> Vec<u8> {
    let path =
        if name == "tanh_demo" { PathBuf::from(SEED_DEMO_STDOUT) } else { Path::new(REPO).join(format!("tests/programs/torch/{name}.stdout")) };
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The tutorial and the other exportable examples, run by PyTorch, print what
/// `graphc run` prints; the tutorial also draws its figure.
#[test]
fn exported_examples_print_what_graphc_prints() {
    let python = match torch_python() {
        Ok(p) => p,
        Err(reason) => {
            println!("skipped: no Python with torch ({reason}); set GRAPHC_TORCH_PYTHON");
            return;
        }
    };
    let mut failures = Vec::new();
    for name in EXPORTABLE {
        let dir = scratch(&format!("run_{name}"));
        let py = export(name, &dir);
        // The scripts read data as the programs do, from `data/` beside them.
        #[cfg(unix)]
        std::os::unix::fs::symlink(Path::new(REPO).join("examples/data"), dir.join("data")).unwrap();
        let theirs = Command::new(&python).arg(&py).current_dir(&dir).output().expect("cannot start python");
        if theirs.status.code() != Some(0) {
            failures.push(format!("{name}: the exported script failed under PyTorch:\n{}", describe(&theirs)));
        } else if theirs.stdout != graphc_stdout(name) {
            let ours = graphc_stdout(name);
            let (t, g) = (String::from_utf8_lossy(&theirs.stdout), String::from_utf8_lossy(&ours));
            if let Some((_, why)) = CPU_DEPENDENT.iter().find(|(n, _)| n == name) {
                if numbers_close(&t, &g) {
                    println!("{name}: PyTorch printed numbers within 1e-5 of graphc's on this CPU ({why})");
                    continue;
                }
            }
            failures.push(format!(
                "{name}: PyTorch printed\n{}\ngraphc prints\n{}",
                String::from_utf8_lossy(&theirs.stdout),
                String::from_utf8_lossy(&graphc_stdout(name))
            ));
        }
        if *name == "tanh_demo" {
            // The exported `plt.rc` calls give matplotlib's figure the tutorial's
            // 7 x 3.5 in at 150 dpi, the size graphc's figure has.
            let png = std::fs::read(dir.join("tanh_demo.png")).expect("the exported tutorial draws its figure with matplotlib");
            assert_eq!(png_size(&png), (1050, 525), "the exported tutorial's figure size");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The width and height a PNG's header gives.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[12..16], b"IHDR", "not a PNG");
    (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()))
}

/// `scatter(x, y)` is exported as matplotlib's `plt.scatter` (tensors as numpy
/// arrays), `scatter(input, dim, index, src)` as `torch.scatter`, and `rc` as `plt.rc`.
#[test]
fn scatter_plots_and_rc_are_spelled_for_matplotlib() {
    let dir = scratch("scatter_rc");
    let src = dir.join("p.act");
    std::fs::write(
        &src,
        "rc(\"figure\", figsize=(7, 3.5), dpi=150)\nrc(\"axes\", unicode_minus=false)\nx = linspace(0, 1, 5)\nscatter(x, x * x, alpha=0.5)\nz = scatter(zeros(4), 0, tensor([1, 3]), tensor([5.0, 7.0]))\nsavefig(\"f.png\")\n",
    )
    .unwrap();
    let py = dir.join("p.py");
    let out = graphc(&["export", src.to_str().unwrap(), "--to", "torch", "-o", py.to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = std::fs::read_to_string(&py).unwrap();
    for line in [
        "plt.rc(\"figure\", figsize=(7, 3.5), dpi=150)",
        "plt.rc(\"axes\", unicode_minus=False)",
        "plt.scatter(x.detach().numpy(), (x * x).detach().numpy(), alpha=0.5)",
        "torch.scatter(torch.zeros(4), 0,",
    ] {
        assert!(text.contains(line), "`{line}` missing from the export:\n{text}");
    }
}

/// The tutorial's script, run by PyTorch, prints what graphc prints for it, also
/// when the reference and graphc are compared here directly.
#[test]
fn the_exported_tutorial_prints_what_graphc_run_prints() {
    let python = match torch_python() {
        Ok(p) => p,
        Err(reason) => {
            println!("skipped: no Python with torch ({reason}); set GRAPHC_TORCH_PYTHON");
            return;
        }
    };
    let dir = scratch("tutorial_against_run");
    let py = export("tanh_demo", &dir);
    let ours = graphc(&["run", Path::new(REPO).join("examples/tanh_demo.act").to_str().unwrap()], &dir);
    assert_eq!(ours.status.code(), Some(0), "{}", describe(&ours));
    let theirs = Command::new(&python).arg(&py).current_dir(&dir).output().expect("cannot start python");
    assert_eq!(String::from_utf8_lossy(&theirs.stdout), String::from_utf8_lossy(&ours.stdout), "{}", describe(&theirs));
}

/// Every example either exports, and is then listed (run above, or with the reason its
/// output differs), or fails with an exporter error naming the construct and writes nothing.
#[test]
fn unexportable_examples_fail_with_an_exporter_error() {
    let mut names: Vec<String> = std::fs::read_dir(Path::new(REPO).join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("act"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let dir = scratch("every_example");
    for name in names {
        let py = dir.join(format!("{name}.py"));
        let out = graphc(&["export", &format!("examples/{name}.act"), "--to", "torch", "-o", py.to_str().unwrap()], Path::new(REPO));
        match out.status.code() {
            Some(0) => {
                assert!(py.is_file(), "{name}: exported, but no file");
                let listed = EXPORTABLE.contains(&name.as_str()) || DIFFERING.iter().any(|(n, _)| *n == name);
                assert!(listed, "{name} exports: list it in EXPORTABLE (and docs/EXPORT.md) or, with the reason, in DIFFERING");
            }
            Some(1) => {
                let stderr = String::from_utf8_lossy(&out.stderr);
                let first = stderr.lines().find(|l| l.starts_with("error[")).unwrap_or("");
                assert!(first.starts_with("error[E074") || first.starts_with("error[E075"), "{name}: not an exporter error: {}", describe(&out));
                assert!(stderr.contains("= help: "), "{name}: no help line: {stderr}");
                assert!(!py.exists(), "{name}: a failed export must write nothing");
                assert!(!EXPORTABLE.contains(&name.as_str()) && !DIFFERING.iter().any(|(n, _)| *n == name), "{name} is listed as exporting");
            }
            _ => panic!("{name}: {}", describe(&out)),
        }
    }
}

/// A math builtin of a value read from a dict (whose kind the exporter does
/// not follow) calls `_math_or_torch`, which takes `math`'s function of a
/// number and `torch`'s of a tensor as the script runs; a fn parameter passed
/// a number at one call and a dict's item at another is treated alike. Run by
/// PyTorch when a Python with torch is at hand, the script prints what graphc does.
#[test]
fn math_of_a_dict_item_is_decided_as_the_script_runs() {
    let dir = scratch("math_or_torch");
    let src = dir.join("m.act");
    std::fs::write(
        &src,
        "fn bound(n) {\n    return 1 / sqrt(n)\n}\nd = {\"n\": 4, \"t\": tensor([4.0, 9.0])}\nprint(bound(16), bound(d[\"n\"]), sqrt(d[\"n\"]), sqrt(d[\"t\"]))\n",
    )
    .unwrap();
    let py = dir.join("m.py");
    let out = graphc(&["export", src.to_str().unwrap(), "--to", "torch", "-o", py.to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = std::fs::read_to_string(&py).unwrap();
    for line in ["def _math_or_torch(name, *args):", "return 1 / _math_or_torch(\"sqrt\", n)", "_math_or_torch(\"sqrt\", d[\"t\"])"] {
        assert!(text.contains(line), "`{line}` missing from the export:\n{text}");
    }
    let ours = graphc(&["run", src.to_str().unwrap()], &dir);
    assert_eq!(String::from_utf8_lossy(&ours.stdout), "0.25 0.5 2.0 tensor([2., 3.])\n", "{}", describe(&ours));
    if let Ok(python) = torch_python() {
        let theirs = Command::new(&python).arg(&py).current_dir(&dir).output().expect("cannot start python");
        assert_eq!(String::from_utf8_lossy(&theirs.stdout), String::from_utf8_lossy(&ours.stdout), "{}", describe(&theirs));
    }
}

/// Unpacking into parenthesized groups (`out, (h, c) = lstm(x)`, `for i, (x,
/// y) in ...`, `for (batch,) in loader`) is written back as the program
/// wrote it, not through the parser's hidden names, and prints the same.
#[test]
fn grouped_unpacking_is_written_as_the_program_wrote_it() {
    let dir = scratch("unpack_groups");
    let src = dir.join("g.act");
    std::fs::write(
        &src,
        "x = [(1, (2, 3)), (4, (5, 6))]\nfor a, (b, c) in x {\n    print(a, b, c)\n}\nfor (p,) in [(1,), (2,)] {\n    print(p)\n}\nt = (1, (2, (3, 4)))\nu, (v, (w, z)) = t\nprint(u, v, w, z)\nk, (m,) = 1, (2,)\nprint(k, m)\n",
    )
    .unwrap();
    let py = dir.join("g.py");
    let out = graphc(&["export", src.to_str().unwrap(), "--to", "torch", "-o", py.to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = std::fs::read_to_string(&py).unwrap();
    for line in ["for a, (b, c) in x:", "for (p,) in [(1,), (2,)]:", "u, (v, (w, z)) = t", "k, (m,) = (1, (2,))"] {
        assert!(text.contains(line), "`{line}` missing from the export:\n{text}");
    }
    assert!(!text.contains("__group") && !text.contains("__for_item"), "hidden names in the export:\n{text}");
    let ours = graphc(&["run", src.to_str().unwrap()], &dir);
    assert_eq!(String::from_utf8_lossy(&ours.stdout), "1 2 3\n4 5 6\n1\n2\n1 2 3 4\n1 2\n", "{}", describe(&ours));
    if let Ok(python) = torch_python() {
        let theirs = Command::new(&python).arg(&py).current_dir(&dir).output().expect("cannot start python");
        assert_eq!(String::from_utf8_lossy(&theirs.stdout), String::from_utf8_lossy(&ours.stdout), "{}", describe(&theirs));
    }
}
