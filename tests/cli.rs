//! End-to-end tests of the `graphc` binary: exit codes, what goes to stdout and
//! stderr, byte-exact agreement with PyTorch, and the figures it writes.
//!
//! Every run happens in its own scratch directory under the target directory,
//! so `savefig` paths in the programs never litter the repository.

use crate::common;
use crate::common::graphc;

use std::path::{Path, PathBuf};
use std::process::Output;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// PyTorch's output of the tutorial, made by ../shared/reference/seed_demo.py
/// with torch 2.15; the shared folder sits beside the repository checkout.
const SEED_DEMO_STDOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/seed_demo.torch-2.15.stdout");

fn repo(rel: &str) -> PathBuf {
    Path::new(REPO).join(rel)
}

/// A fresh, empty directory for one test, so tests running in parallel never
/// see each other's files.
fn scratch(name: &str) -> PathBuf {
    common::scratch("cli", name)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Panics with everything the process said, so a failing assertion is easy to diagnose.
fn describe(out: &Output) -> String {
    format!("exit status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}", out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The width and height in a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "PNG of {} bytes is too short", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "the first chunk must be IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

#[test]
fn tutorial_prints_exactly_what_pytorch_prints_and_writes_the_figure() {
    let expected = std::fs::read(SEED_DEMO_STDOUT).unwrap_or_else(|e| {
        panic!("cannot read the PyTorch reference {SEED_DEMO_STDOUT}: {e}\n(the shared folder must sit beside the repository checkout)")
    });
    let dir = scratch("tutorial");
    let out = graphc(&["run", repo("examples/tanh_demo.act").to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    if out.stdout != expected {
        panic!("stdout differs from PyTorch's\n--- graphc ---\n{}\n--- torch 2.15 ---\n{}", text(&out.stdout), text(&expected));
    }
    // The tutorial's rcParams: 7 x 3.5 inches at 150 dpi.
    let png = std::fs::read(dir.join("tanh_demo.png")).expect("the tutorial must write tanh_demo.png in the current directory");
    assert_eq!(png_size(&png), (1050, 525));
}

/// Each examples/NAME.act that has a tests/programs/torch/NAME.stdout must print
/// it byte for byte. Those files were made by running tests/programs/torch/NAME.py
/// with torch 2.15.0 (the real PyTorch, nothing else).
#[test]
fn examples_print_exactly_what_pytorch_prints() {
    let torch_dir = repo("tests/programs/torch");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&torch_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("stdout") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let example = repo(&format!("examples/{name}.act"));
        assert!(example.exists(), "{} has no example {}", path.display(), example.display());
        let dir = scratch(&format!("torch-{name}"));
        let out = graphc(&["run", example.to_str().unwrap()], &dir);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", describe(&out));
        let expected = std::fs::read(&path).unwrap();
        if out.stdout != expected {
            panic!("{name}: stdout differs from PyTorch's\n--- graphc ---\n{}\n--- torch 2.15 ---\n{}", text(&out.stdout), text(&expected));
        }
        checked.push(name);
    }
    checked.sort();
    // The references must not silently disappear.
    for name in ["broadcast_matmul", "f64", "saves_input", "two_params_none", "log1pexp", "straight_through", "train_digits"] {
        assert!(checked.iter().any(|c| c == name), "no PyTorch reference for examples/{name}.act");
    }
}

/// Every bad program: its file, the code of its first error, and the line:col
/// where that error points.
const BAD_PROGRAMS: &[(&str, &str, &str)] = &[
    ("e0001_invalid_character.act", "E0001", "3:7"),
    ("e0002_unterminated_string.act", "E0002", "3:7"),
    ("e0003_unexpected_token.act", "E0003", "3:7"),
    ("e0004_unexpected_eof.act", "E0004", "4:1"),
    ("e0005_comparison.act", "E0005", "3:5"),
    ("e0101_unknown_name.act", "E0101", "3:9"),
    ("e0102_unknown_function.act", "E0102", "3:5"),
    ("e0103_arity.act", "E0103", "6:5"),
    ("e0104_unknown_keyword.act", "E0104", "2:14"),
    ("e0105_duplicate_definition.act", "E0105", "11:4"),
    ("e0106_recursion.act", "E0106", "3:12"),
    ("e0107_wrong_kind.act", "E0107", "3:9"),
    ("e0110_math_domain.act", "E0110", "3:7"),
    ("e0111_default_order.act", "E0111", "2:23"),
    ("e0112_needs_grad_outside_op.act", "E0112", "3:8"),
    ("e0113_tensor_condition.act", "E0113", "3:4"),
    ("e0114_is_numbers.act", "E0114", "3:7"),
    ("e0115_splat_tensor.act", "E0115", "3:12"),
    ("e0116_unpack_count.act", "E0116", "5:11"),
    ("e0117_mark_outside_forward.act", "E0117", "3:1"),
    ("e0108_forward_without_return.act", "E0108", "3:13"),
    ("e0108_save_outside_forward.act", "E0108", "3:5"),
    ("e0108_statement_after_return.act", "E0108", "4:5"),
    ("e0108_top_level_return.act", "E0108", "4:1"),
    ("e0105_duplicate_input.act", "E0105", "3:7"),
    ("e0107_input_dtype.act", "E0107", "2:10"),
    ("e0107_seed_beyond_uint64.act", "E0107", "3:13"),
    ("e0201_dtype_mix.act", "E0201", "4:5"),
    ("e0202_broadcast.act", "E0202", "4:5"),
    ("e0240_repeated_dim.act", "E0240", "3:15"),
    ("e0241_missing_dim.act", "E0241", "3:5"),
    ("e0242_unbiased_and_correction.act", "E0242", "3:32"),
    ("e0243_norm_order.act", "E0243", "3:14"),
    ("e0244_loss_target_shape.act", "E0244", "4:17"),
    ("e0245_unknown_reduction.act", "E0245", "4:29"),
    ("e0246_loss_parameter.act", "E0246", "4:28"),
    ("e0280_keepdim_without_dim.act", "E0280", "3:20"),
    ("e0281_gather_index.act", "E0281", "4:18"),
    ("e0281_index_multi_bounds.act", "E0281", "3:25"),
    ("e0282_class_target.act", "E0282", "4:22"),
    ("e0283_one_hot_classes.act", "E0283", "4:13"),
    ("e0284_gelu_approximate.act", "E0284", "3:25"),
    ("e0285_scatter_source.act", "E0285", "6:22"),
    ("e0286_loss_option.act", "E0286", "4:41"),
    ("e0287_scatter_reduce.act", "E0287", "4:64"),
    ("e0288_topk_k.act", "E0288", "4:16"),
    ("e0289_repeat_interleave_counts.act", "E0289", "6:26"),
    ("e0202_matmul.act", "E0202", "4:5"),
    ("e0203_int_requires_grad.act", "E0203", "2:5"),
    ("e0204_int_mean.act", "E0204", "3:12"),
    ("e0205_where_condition.act", "E0205", "3:13"),
    ("e0220_permute_dims.act", "E0220", "3:15"),
    ("e0221_bmm_rank.act", "E0221", "4:9"),
    ("e0221_reshape_count.act", "E0221", "3:15"),
    ("e0222_view_of_transpose.act", "E0222", "3:5"),
    ("e0223_negative_step.act", "E0223", "3:7"),
    ("e0224_index_out_of_bounds.act", "E0224", "3:10"),
    ("e0225_mask_read.act", "E0225", "4:7"),
    ("e0260_surrogate_outside_backward.act", "E0260", "4:9"),
    ("e0261_surrogate_reason.act", "E0261", "7:19"),
    ("e0270_clamp_no_bound.act", "E0270", "3:5"),
    ("e0301_unsaved_read.act", "E0301", "8:20"),
    ("e0302_save_unknown.act", "E0302", "4:14"),
    ("e0303_extra_gradients.act", "E0303", "7:9"),
    ("e0303_gradient_count.act", "E0303", "8:9"),
    ("e0304_gradient_shape.act", "E0304", "7:16"),
    ("e0305_gradient_for_number.act", "E0305", "8:23"),
    ("e0306_output_gradients.act", "E0306", "6:5"),
    ("e0401_grad_of_non_leaf.act", "E0401", "5:7"),
    ("e0402_no_requires_grad.act", "E0402", "4:1"),
    ("e0402_non_scalar.act", "E0402", "4:1"),
    ("e0403_backward_twice.act", "E0403", "5:1"),
    ("e0404_zero_none_grad.act", "E0404", "3:1"),
    ("e0405_grad_of_unused.act", "E0405", "5:15"),
    ("e0620_inplace_leaf.act", "E0620", "4:1"),
    ("e0620_view_of_leaf.act", "E0620", "4:1"),
    ("e0621_inplace_saved.act", "E0621", "4:1"),
    ("e0622_inplace_dtype.act", "E0622", "3:1"),
    ("e0623_inplace_shape.act", "E0623", "4:1"),
    ("e0624_list_store.act", "E0624", "3:6"),
    ("e0624_store_index_tensor.act", "E0624", "4:3"),
    ("e0625_requires_grad_off_non_leaf.act", "E0625", "4:5"),
    ("e0501_broadcast.act", "E0501", "3:5"),
    ("e0502_peak.act", "E0502", "3:1"),
    ("e0503_nested_calls.act", "E0503", "4:12"),
    ("e0504_savefig_no_name.act", "E0504", "5:9"),
    ("e0406_xlim_tensor.act", "E0406", "5:9"),
    ("e0407_ylim_equal.act", "E0407", "4:1"),
    ("e0408_rc_figsize.act", "E0408", "2:22"),
    ("e0409_rc_after_plot.act", "E0409", "4:1"),
    ("e0410_scatter_reduce_backward.act", "E0410", "4:1"),
    ("e0411_layer_norm_create_graph.act", "E0411", "5:5"),
    ("e0660_load_missing.act", "E0660", "3:10"),
    ("e0661_load_malformed.act", "E0661", "2:10"),
    ("e0662_load_structured.act", "E0662", "3:10"),
    ("e0663_save_not_npy.act", "E0663", "3:9"),
    ("e0664_randperm_negative.act", "E0664", "3:14"),
    ("e0665_integer_literal_too_large.act", "E0665", "3:16"),
    ("e0665_integer_arithmetic_beyond_int64.act", "E0665", "5:16"),
    ("e0665_integer_beyond_128_bits.act", "E0665", "2:7"),
    ("e0680_optimizer_option.act", "E0680", "3:24"),
    ("e0681_optimizer_params.act", "E0681", "4:15"),
    ("e0682_optimizer_dtype.act", "E0682", "3:13"),
    ("e0683_optimizer_lr.act", "E0683", "3:19"),
    ("e0684_optimizer_betas.act", "E0684", "3:23"),
    ("e0685_optimizer_method.act", "E0685", "4:5"),
    ("e0686_clip_norm_type.act", "E0686", "4:37"),
    ("e0687_dataset_rows.act", "E0687", "4:23"),
    ("e0700_index_put_shape.act", "E0700", "4:10"),
    ("e0700_index_put_multi_broadcast.act", "E0700", "3:19"),
    ("e0700_index_put_multi_dtype.act", "E0700", "3:37"),
    ("e0700_mask_shape.act", "E0700", "3:6"),
    ("e0701_index_put_bounds.act", "E0701", "3:3"),
    ("e0701_index_put_multi_bounds.act", "E0701", "3:20"),
    ("e0702_expanded_view_update.act", "E0702", "4:1"),
    ("e0703_loop_view_update.act", "E0703", "5:5"),
    ("e0704_detached_update.act", "E0704", "5:1"),
    ("e0705_no_grad_view_update.act", "E0705", "7:1"),
    ("e0706_split_view_update.act", "E0706", "5:1"),
    ("e0707_runtime_index_view_update.act", "E0707", "5:5"),
    ("e0708_mask_value_count.act", "E0708", "4:12"),
    ("e0600_range_bound.act", "E0600", "3:16"),
    ("e0601_break_outside_loop.act", "E0601", "6:1"),
    ("e0602_changing_type.act", "E0602", "5:5"),
    ("e0603_loop_in_op.act", "E0603", "5:13"),
    ("e0604_backward_through_loop.act", "E0604", "9:5"),
    ("e0604_backward_through_drawing_loop.act", "E0604", "13:1"),
    ("e0605_branch_types_differ.act", "E0605", "4:4"),
    ("e0606_bound_on_one_side.act", "E0606", "7:7"),
    ("e0607_slice_length_not_static.act", "E0607", "4:13"),
    ("e0608_list_runtime_index.act", "E0608", "5:13"),
    ("e0609_narrow_length.act", "E0609", "4:27"),
    ("e0610_counter_index.act", "E0610", "5:7"),
    ("e0610_slice_clamped_too_often.act", "E0610", "6:13"),
    ("e0640_item_of_vector.act", "E0640", "3:7"),
    ("e0641_format_spec.act", "E0641", "5:20"),
    ("e0642_fstring_brace.act", "E0642", "3:21"),
    ("e0643_modulo_by_zero.act", "E0643", "3:14"),
    ("e0644_int_power.act", "E0644", "5:12"),
    ("e0645_len_of_scalar.act", "E0645", "3:11"),
    ("e0646_assertion_fails.act", "E0646", "3:8"),
    ("e0647_raise.act", "E0647", "4:9"),
    ("e0740_no_torch_spelling.act", "E0740", "4:1"),
    ("e0741_input_not_exportable.act", "E0741", "3:1"),
];

/// Programs that compile and run, but that `graphc export --to onnx` refuses:
/// file (under tests/export_errors/onnx/), code, line:col of the first error.
const ONNX_BAD_PROGRAMS: &[(&str, &str, &str)] = &[
    ("e0720_draw_after_drawing_loop.act", "E0720", "8:5"),
    ("e0721_unseeded_randn.act", "E0721", "2:5"),
    ("e0722_unmapped_op.act", "E0722", "5:9"),
    ("e0723_output_named_as_input.act", "E0723", "2:7"),
    ("e0724_draw_in_loop.act", "E0724", "6:17"),
];

#[test]
fn onnx_export_refuses_what_it_cannot_write_at_the_blocker_and_writes_nothing() {
    let dir = scratch("onnx_bad");
    let out_file = dir.join("model.onnx");
    for (file, code, line_col) in ONNX_BAD_PROGRAMS {
        let rel = format!("tests/export_errors/onnx/{file}");
        let out = graphc(&["export", &rel, "--to", "onnx", "-o", out_file.to_str().unwrap()], Path::new(REPO));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "export {rel}: {}", describe(&out));
        assert!(out.stdout.is_empty(), "export {rel}: stdout must stay empty\n{}", describe(&out));
        let first = stderr.lines().find(|l| l.starts_with("error[")).unwrap_or("");
        assert!(first.starts_with(&format!("error[{code}]")), "{rel}: the first error must be {code}, got `{first}`");
        let first_arrow = stderr.lines().find(|l| l.trim_start().starts_with("-->")).unwrap_or("");
        assert_eq!(first_arrow.trim_start(), format!("--> {rel}:{line_col}"), "{rel}: wrong location\n{stderr}");
        assert!(stderr.lines().any(|l| l.trim_start().starts_with("= help: ")), "{rel}: no help line\n{stderr}");
        assert!(!out_file.exists(), "{rel}: a refused export must write nothing");
        // The same program runs: only export refuses it.
        assert_eq!(graphc(&["check", &rel], Path::new(REPO)).status.code(), Some(0), "{rel} must compile");
    }
}

#[test]
fn bad_programs_exit_1_with_empty_stdout_and_point_at_the_error() {
    for (file, code, line_col) in BAD_PROGRAMS {
        // A relative path, run from the repository root, is what the arrow must show.
        let rel = format!("tests/programs/errors/{file}");
        // The exporters' errors (E0720-E0759) are about a program that compiles: only `export` reports them.
        let export_out = scratch(&format!("bad_export_{file}")).join("out");
        let export_out = export_out.to_string_lossy();
        let subs: &[&[&str]] =
            if is_export_error(code) { &[&["export", "--to", "torch", "-o", &export_out]] } else { &[&["run"], &["check"], &["ir"]] };
        for sub in subs {
            let args: Vec<&str> = [sub[0], rel.as_str()].into_iter().chain(sub[1..].iter().copied()).collect();
            let out = graphc(&args, Path::new(REPO));
            let sub = sub[0];
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{sub} {rel}: {}", describe(&out));
            assert!(out.stdout.is_empty(), "{sub} {rel}: a compile error must leave stdout empty\n{}", describe(&out));
            let first = stderr.lines().find(|l| l.starts_with("error[")).unwrap_or("");
            assert!(first.starts_with(&format!("error[{code}]")), "{rel}: the first error must be {code}, got `{first}`");
            let arrow = format!("--> {rel}:{line_col}");
            let first_arrow = stderr.lines().find(|l| l.trim_start().starts_with("-->")).unwrap_or("");
            assert_eq!(first_arrow.trim_start(), arrow, "{rel}: wrong location\n{stderr}");
            assert!(stderr.lines().any(|l| l.trim_start().starts_with("= help: ")), "{rel}: no help line\n{stderr}");
        }
    }
}

/// Whether `code` is one of the exporters' errors, which only `graphc export` reports.
fn is_export_error(code: &str) -> bool {
    ("E0720"..="E0759").contains(&code)
}

/// The table above must cover every file in tests/programs/errors and every
/// error code, so a new program or a new code cannot go untested.
#[test]
fn bad_program_table_covers_every_file_and_code() {
    let mut files: Vec<String> = std::fs::read_dir(repo("tests/programs/errors"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".act"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = BAD_PROGRAMS.iter().map(|(f, _, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "tests/programs/errors and BAD_PROGRAMS differ");

    // Every code that diag.rs declares, except the reserved warning.
    let diag = std::fs::read_to_string(repo("compiler/src/diag.rs")).unwrap();
    let enum_body = diag.split("pub enum Code {").nth(1).unwrap().split('}').next().unwrap();
    let codes: Vec<&str> = enum_body.lines().map(|l| l.trim().trim_end_matches(',')).filter(|l| l.starts_with('E') && l.len() == 5).collect();
    assert!(codes.len() >= 20, "could not read the codes from diag.rs: {codes:?}");
    for code in codes {
        assert!(BAD_PROGRAMS.iter().chain(ONNX_BAD_PROGRAMS).any(|(_, c, _)| *c == code), "no bad program for {code}");
    }
}

#[test]
fn help_works_for_graphc_and_every_subcommand() {
    let dir = scratch("help");
    for args in [vec!["--help"], vec!["run", "--help"], vec!["check", "--help"], vec!["ir", "--help"], vec!["help"]] {
        let out = graphc(&args, &dir);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        assert!(text(&out.stdout).contains("Usage: graphc"), "{args:?}: {}", describe(&out));
    }
    // The subcommands' help describes their own arguments.
    let ir = text(&graphc(&["ir", "--help"], &dir).stdout);
    assert!(ir.contains("--stage"), "{ir}");
    assert!(ir.contains("graph") && ir.contains("grad") && ir.contains("opt"), "{ir}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = scratch("usage");
    let missing = graphc(&["run", "no_such_file.act"], &dir);
    assert_eq!(missing.status.code(), Some(2), "{}", describe(&missing));
    assert!(missing.stdout.is_empty());
    assert!(text(&missing.stderr).contains("no_such_file.act"), "{}", describe(&missing));

    let unknown = graphc(&["frobnicate", "x.act"], &dir);
    assert_eq!(unknown.status.code(), Some(2), "{}", describe(&unknown));

    let no_command = graphc(&[], &dir);
    assert_eq!(no_command.status.code(), Some(2), "{}", describe(&no_command));

    let bad_stage = graphc(&["ir", repo("examples/tanh_demo.act").to_str().unwrap(), "--stage", "llvm"], &dir);
    assert_eq!(bad_stage.status.code(), Some(2), "{}", describe(&bad_stage));
}

#[test]
fn check_prints_nothing_on_stdout_for_good_programs() {
    let dir = scratch("check");
    let mut n = 0;
    for entry in std::fs::read_dir(repo("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("act") {
            continue;
        }
        let out = graphc(&["check", path.to_str().unwrap()], &dir);
        assert_eq!(out.status.code(), Some(0), "{}: {}", path.display(), describe(&out));
        assert!(out.stdout.is_empty(), "{}: check must not print on stdout\n{}", path.display(), describe(&out));
        n += 1;
    }
    assert!(n >= 5, "only {n} examples found");
    // check compiles but does not run: no figure appears.
    assert!(std::fs::read_dir(&dir).unwrap().next().is_none(), "check wrote files");
}

/// The node count from the `(N nodes, M edges)` line of an IR dump.
fn node_count(ir: &str) -> usize {
    let line = ir.lines().find(|l| l.starts_with('(') && l.contains(" nodes, ")).unwrap_or_else(|| panic!("no node count in\n{ir}"));
    line[1..].split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn grad_stage_shows_the_backward_reading_the_saved_result() {
    let dir = scratch("ir-grad");
    let file = repo("examples/tanh_demo.act");
    let source = std::fs::read_to_string(&file).unwrap();
    let out = graphc(&["ir", file.to_str().unwrap(), "--stage", "grad"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let ir = text(&out.stdout);
    assert!(ir.starts_with("== stage grad: after autodiff ==\n"), "{ir}");

    // The first backward call (line 32) keeps the op's output alive: that is
    // `result`, which the forward block saved and returned.
    let section: Vec<&str> = ir.lines().skip_while(|l| !l.starts_with("backward 0 at 32:1:")).skip(1).take_while(|l| l.starts_with("  ")).collect();
    let saved = section
        .iter()
        .find(|l| l.contains("(`result` saved by SelfDefinedTanh)"))
        .unwrap_or_else(|| panic!("backward 0 does not list the op's saved result:\n{ir}"));
    let saved_id = saved.trim_start().strip_prefix("saved ").unwrap().split(' ').next().unwrap();
    let reader = saved.rsplit("read by ").next().unwrap().split(", ").next().unwrap();

    // The reader is `result ** 2` of the backward block, at the position of `result`.
    let reader_line = ir.lines().find(|l| l.trim_start().starts_with(&format!("{reader} = "))).unwrap_or_else(|| panic!("no node {reader}:\n{ir}"));
    assert!(reader_line.contains(&format!("pow_scalar(2.0) {saved_id} :")), "{reader_line}");
    let at = reader_line.rsplit('@').next().unwrap();
    let (l, c) = at.split_once(':').unwrap();
    let (l, c): (usize, usize) = (l.parse().unwrap(), c.parse().unwrap());
    let src_line = source.lines().nth(l - 1).unwrap();
    assert!(src_line[c - 1..].starts_with("result ** 2"), "{reader_line} points at `{src_line}`");

    // It is read, not recomputed: the backward section has no exp of its own.
    let b0: Vec<&str> = ir.lines().skip_while(|l| !l.starts_with("backward 0 (32:1")).skip(1).take_while(|l| l.starts_with("  ")).collect();
    assert!(!b0.is_empty(), "no backward 0 graph section:\n{ir}");
    assert!(b0.iter().all(|l| !l.contains("= exp ")), "backward 0 recomputes exp:\n{}", b0.join("\n"));
}

#[test]
fn optimization_leaves_fewer_nodes() {
    let dir = scratch("ir-opt");
    let file = repo("examples/tanh_demo.act");
    let grad = graphc(&["ir", file.to_str().unwrap(), "--stage", "grad"], &dir);
    let opt = graphc(&["ir", file.to_str().unwrap(), "--stage", "opt"], &dir);
    assert_eq!(grad.status.code(), Some(0), "{}", describe(&grad));
    assert_eq!(opt.status.code(), Some(0), "{}", describe(&opt));
    let (g, o) = (node_count(&text(&grad.stdout)), node_count(&text(&opt.stdout)));
    assert!(o < g, "opt has {o} nodes, grad {g}");
    assert!(text(&opt.stdout).contains("\npass cse: "), "the opt stage reports each pass");
}

#[test]
fn savefig_into_a_missing_directory_fails_at_compile_time_and_writes_nothing() {
    // Issue 13: refused before the run (E0504), where it once failed after the whole run.
    let dir = scratch("savefig-missing");
    let program = "x = linspace(0, 1, 5)\nplot(x, x * x)\nsavefig(\"no_such_dir/figure.png\")\n";
    std::fs::write(dir.join("plot.act"), program).unwrap();
    let out = graphc(&["run", "plot.act"], &dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no_such_dir/figure.png"), "the message must name the path:\n{stderr}");
    assert!(stderr.starts_with("error[E0504]: "), "{stderr}");
    assert!(stderr.contains("--> plot.act:3:9"), "the error points at the savefig path:\n{stderr}");
    assert!(stderr.contains("= help: "), "{stderr}");
    let mut left: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, vec!["plot.act".to_string()], "the failed savefig left files behind");
}

#[test]
fn run_output_before_a_failure_is_kept() {
    // Output printed before the run-time error still reaches stdout, as Python's would.
    // The figure's path is a directory: only writing it can fail.
    let dir = scratch("savefig-partial");
    std::fs::create_dir(dir.join("f.svg")).unwrap();
    std::fs::write(dir.join("p.act"), "print(\"before\")\nx = linspace(0, 1, 3)\nplot(x, x)\nsavefig(\"f.svg\")\n").unwrap();
    let out = graphc(&["run", "p.act"], &dir);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert_eq!(text(&out.stdout), "before\n");
}

/// A program with two inputs, one a requires-grad leaf, for the `--input`/`--save` tests.
const INPUT_PROGRAM: &str = "input x: f32[3] requires_grad in [-1, 1]\ninput w: f64[2, 2]\ny = (x * 2).sum()\ny.backward()\nprint(y)\n";

fn write_npy_f32(path: &Path, shape: &[u64], data: &[f32]) {
    use npyz::WriterBuilder;
    let mut file = std::fs::File::create(path).unwrap();
    let mut w = npyz::WriteOptions::new().default_dtype().shape(shape).writer(&mut file).begin_nd().unwrap();
    w.extend(data.iter().copied()).unwrap();
    w.finish().unwrap();
}

fn write_npy_f64(path: &Path, shape: &[u64], data: &[f64]) {
    use npyz::WriterBuilder;
    let mut file = std::fs::File::create(path).unwrap();
    let mut w = npyz::WriteOptions::new().default_dtype().shape(shape).writer(&mut file).begin_nd().unwrap();
    w.extend(data.iter().copied()).unwrap();
    w.finish().unwrap();
}

/// The scratch directory with the program and good input files written into it.
fn input_setup(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("p.act"), INPUT_PROGRAM).unwrap();
    write_npy_f32(&dir.join("x.npy"), &[3], &[0.5, -1.0, 2.0]);
    write_npy_f64(&dir.join("w.npy"), &[2, 2], &[1.0, 2.0, 3.0, 4.0]);
    dir
}

#[test]
fn inputs_are_fed_from_npy_files_and_saved_tensors_round_trip() {
    let dir = input_setup("inputs_ok");
    let out = graphc(
        &["run", "p.act", "--input", "x=x.npy", "--input", "w=w.npy", "--save", "y=y.npy", "--save", "x.grad=g.npy", "--save", "w=w2.npy"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(text(&out.stdout), "tensor(3., grad_fn=<SumBackward0>)\n");
    let y = npyz::NpyFile::new(std::fs::File::open(dir.join("y.npy")).unwrap()).unwrap();
    assert_eq!(y.shape(), &[] as &[u64]);
    assert_eq!(y.into_vec::<f32>().unwrap(), vec![3.0]);
    let g = npyz::NpyFile::new(std::fs::File::open(dir.join("g.npy")).unwrap()).unwrap();
    assert_eq!(g.shape(), &[3]);
    assert_eq!(g.into_vec::<f32>().unwrap(), vec![2.0, 2.0, 2.0]);
    let w = npyz::NpyFile::new(std::fs::File::open(dir.join("w2.npy")).unwrap()).unwrap();
    assert_eq!(w.shape(), &[2, 2]);
    assert_eq!(w.into_vec::<f64>().unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
    // Nothing but the requested files: the temporary files were renamed.
    let mut files: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    assert_eq!(files, ["g.npy", "p.act", "w.npy", "w2.npy", "x.npy", "y.npy"]);
}

#[test]
fn bad_inputs_are_usage_errors_that_name_the_input() {
    let dir = input_setup("inputs_bad");
    write_npy_f64(&dir.join("x64.npy"), &[3], &[0.0; 3]);
    write_npy_f32(&dir.join("x4.npy"), &[4], &[0.0; 4]);
    let cases: &[(&[&str], &str)] = &[
        (&["--input", "x=x.npy"], "missing input `w`: the program declares `input w: f64[2, 2]`"),
        (&["--input", "x=x64.npy", "--input", "w=w.npy"], "holds a f64[3] array, but input `x` is declared f32[3]"),
        (&["--input", "x=x4.npy", "--input", "w=w.npy"], "holds a f32[4] array, but input `x` is declared f32[3]"),
        (&["--input", "x=nothere.npy", "--input", "w=w.npy"], "cannot read `nothere.npy` for input `x`"),
        (&["--input", "z=x.npy"], "the program has no input `z`; the program declares: x: f32[3], w: f64[2, 2]"),
        (&["--input", "x=x.npy", "--input", "w=w.npy", "--save", "q=q.npy"], "no top-level tensor `q`"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["run", "p.act"];
        all.extend_from_slice(args);
        let out = graphc(&all, &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        assert!(text(&out.stderr).contains(expected), "{args:?}: expected {expected:?} in\n{}", describe(&out));
        assert!(out.stdout.is_empty(), "{args:?}: nothing runs on a usage error\n{}", describe(&out));
    }
}

#[test]
fn bench_prints_one_json_line() {
    let dir = input_setup("bench");
    let out = graphc(&["bench", "p.act", "--iters", "3", "--warmup", "1", "--threads", "2"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let line = text(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    assert_eq!(v["file"], "p.act");
    assert_eq!(v["iters"], 3);
    assert_eq!(v["threads"], 2);
    for key in ["median_ms", "min_ms", "max_ms"] {
        assert!(v[key].as_f64().is_some_and(|t| t >= 0.0), "{key} in {line}");
    }
    // x (12 bytes) and w (32 bytes) are alive at once at least.
    assert!(v["peak_bytes"].as_u64().is_some_and(|b| b >= 44), "{line}");
}

#[test]
fn bench_writes_the_figure_that_run_writes() {
    // Each timed run starts with an empty figure, as `run` does: the saved plot is
    // one line in the cycle's first colour, not the last run's line drawn over
    // the others in the fourth colour.
    let dir = scratch("bench-figure");
    let program = "x = linspace(0, 1, 5)\nplot(x, x * x)\nsavefig(\"f.svg\")\n";
    std::fs::write(dir.join("plot.act"), program).unwrap();
    let out = graphc(&["run", "plot.act"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let by_run = std::fs::read(dir.join("f.svg")).unwrap();
    std::fs::remove_file(dir.join("f.svg")).unwrap();
    let out = graphc(&["bench", "plot.act", "--iters", "3", "--warmup", "1"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let by_bench = std::fs::read(dir.join("f.svg")).unwrap();
    assert!(by_bench == by_run, "bench saved another figure than run:\n{}", text(&by_bench));
}

/// `bench_tanh.act` with `n` elements instead of ten million.
fn bench_program(n: usize) -> String {
    std::fs::read_to_string(repo("examples/bench_tanh.act")).unwrap().replace("f32[10000000]", &format!("f32[{n}]"))
}

/// The digits training of `examples/train_digits.act` (300 SGD steps, its products
/// split over rows and its hidden layer's fused kernel over chunks when several
/// threads run it) ends with the same parameters, bit for bit, and prints the same
/// text on 1, 2 and 3 threads.
#[test]
fn train_digits_ends_with_the_same_parameters_on_any_thread_count() {
    let dir = scratch("digits-threads");
    let example = repo("examples/train_digits.act");
    let params = ["w1", "b1", "w2", "b2"];
    let train = |threads: &str| -> (Vec<u8>, Vec<Vec<u8>>) {
        let mut args = vec!["--threads".to_string(), threads.to_string(), "run".to_string(), example.to_str().unwrap().to_string()];
        for p in params {
            args.extend(["--save".to_string(), format!("{p}={p}-{threads}.npy")]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = graphc(&args, &dir);
        assert_eq!(out.status.code(), Some(0), "{threads} threads: {}", describe(&out));
        (out.stdout, params.iter().map(|p| std::fs::read(dir.join(format!("{p}-{threads}.npy"))).unwrap()).collect())
    };
    let (stdout, one) = train("1");
    assert!(text(&stdout).contains("step 299"), "the training ran to its end: {}", text(&stdout));
    for threads in ["2", "3"] {
        let (s, many) = train(threads);
        assert_eq!(text(&s), text(&stdout), "{threads} threads print another text");
        for (p, (a, b)) in params.iter().zip(one.iter().zip(&many)) {
            assert!(a == b, "`{p}` differs between 1 and {threads} threads");
        }
    }
}

#[test]
fn saved_results_do_not_depend_on_threads_and_exact_keeps_libm() {
    let dir = scratch("threads");
    std::fs::write(dir.join("p.act"), bench_program(9001)).unwrap();
    let x: Vec<f32> = (0..9001).map(|i| ((i as f32) * 0.37).sin() * 3.0).collect();
    write_npy_f32(&dir.join("x.npy"), &[9001], &x);
    let save = |extra: &[&str], tag: &str| -> Vec<f32> {
        let mut args = vec!["run", "p.act", "--input", "x=x.npy", "--save"];
        let target = format!("x.grad={tag}.npy");
        args.push(&target);
        args.extend_from_slice(extra);
        let out = graphc(&args, &dir);
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", describe(&out));
        npyz::NpyFile::new(std::fs::File::open(dir.join(format!("{tag}.npy"))).unwrap()).unwrap().into_vec::<f32>().unwrap()
    };
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let one = save(&["--threads", "1"], "t1");
    assert_eq!(bits(&one), bits(&save(&["--threads", "2"], "t2")), "1 and 2 threads");
    assert_eq!(bits(&one), bits(&save(&["--threads", "5"], "t5")), "1 and 5 threads");
    // --exact computes every value as PyTorch's scalar kernels do: here that is the
    // formula evaluated op by op in f32 with libm's expf.
    let exact = save(&["--exact"], "exact");
    assert_ne!(bits(&one), bits(&exact), "the default may use vector math for values nobody prints");
    let want: Vec<f32> = x
        .iter()
        .map(|&x| {
            let u = (x + 1.0) * (x + 1.0);
            let (e, e_) = (u.exp(), (-u).exp());
            let r = (e - e_) / (e + e_);
            (1.0 - r * r) * (2.0 * (x + 1.0))
        })
        .collect();
    assert_eq!(bits(&exact), bits(&want));
}

#[test]
fn ir_shows_the_fused_kernel_and_the_residuals_of_the_benchmark() {
    let out = graphc(&["ir", "--stage", "opt", "--export-all", "examples/bench_tanh.act"], &repo(""));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let ir = text(&out.stdout);
    let tail = &ir[ir.find("fused kernels").expect("a kernel section")..];
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo("snapshots/cli"));
    // The file is named by the snapshot alone, not by the module (`all::cli`) it runs in.
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("bench_tanh_kernels", tail));
}
