//! `graphc bench` on the training step: inputs bound with `--input` (an i64
//! input cannot be filled with randn), one JSON line that reports the buffers
//! the last run allocated, and a usage error naming the input otherwise; and
//! the mini-batch benchmark computing what its PyTorch original does.

use std::path::Path;
use std::process::Command;

use npyz::WriterBuilder;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn save_npy_f32(path: &Path, shape: &[usize], seed: u64) {
    let n: usize = shape.iter().product();
    // A small linear congruential sequence in [-0.5, 0.5): any finite data will do.
    let mut s = seed;
    let data: Vec<f32> = (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        })
        .collect();
    let mut w = npyz::WriteOptions::<f32>::new()
        .default_dtype()
        .shape(&shape.iter().map(|&d| d as u64).collect::<Vec<_>>())
        .writer(std::fs::File::create(path).unwrap())
        .begin_nd()
        .unwrap();
    w.extend(data).unwrap();
    w.finish().unwrap();
}

fn save_npy_i64(path: &Path, data: Vec<i64>) {
    let mut w =
        npyz::WriteOptions::<i64>::new().default_dtype().shape(&[data.len() as u64]).writer(std::fs::File::create(path).unwrap()).begin_nd().unwrap();
    w.extend(data).unwrap();
    w.finish().unwrap();
}

#[test]
fn bench_binds_inputs_and_reports_a_steady_state_without_allocations() {
    let dir = std::env::temp_dir().join(format!("graphc-bench-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shapes: [(&str, &[usize]); 5] = [("x", &[1500, 64]), ("w1", &[64, 32]), ("b1", &[32]), ("w2", &[32, 10]), ("b2", &[10])];
    let mut args = vec!["bench".to_string(), format!("{REPO}/bench/digits_step.act"), "--iters".into(), "3".into(), "--warmup".into(), "1".into()];
    for (k, (name, shape)) in shapes.iter().enumerate() {
        let p = dir.join(format!("{name}.npy"));
        save_npy_f32(&p, shape, k as u64 + 1);
        args.extend(["--input".to_string(), format!("{name}={}", p.display())]);
    }
    let labels = dir.join("labels.npy");
    save_npy_i64(&labels, (0..1500).map(|i| i % 10).collect());

    // Without the labels the command line does not fit the program: a usage error naming it.
    let out = Command::new(env!("CARGO_BIN_EXE_graphc")).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing input `labels`"));
    // Without any --input, randn cannot fill the i64 labels.
    let out = Command::new(env!("CARGO_BIN_EXE_graphc")).args(&args[..6]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot make the i64 input `labels`"), "{}", String::from_utf8_lossy(&out.stderr));

    args.extend(["--input".to_string(), format!("labels={}", labels.display())]);
    let out = Command::new(env!("CARGO_BIN_EXE_graphc")).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    assert_eq!(v["last_run_allocations"], 0, "{line}");
    assert!(v["min_ms"].as_f64().is_some_and(|t| t > 0.0), "{line}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `bench/minibatch_train.act`, timed beside PyTorch by `bench/minibatch_peers.py`,
/// is the mini-batch example without its figure: it prints what the example's
/// PyTorch original prints, so the two timings are of the same computation.
#[test]
fn the_minibatch_benchmark_prints_what_its_pytorch_original_prints() {
    let out = Command::new(env!("CARGO_BIN_EXE_graphc")).args(["run", &format!("{REPO}/bench/minibatch_train.act")]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let expected = std::fs::read_to_string(format!("{REPO}/tests/programs/torch/minibatch_adam.stdout")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

/// `graphc bench --profile` prints, on stderr, a table of the timed runs' steps
/// (the tutorial's ops by name and result shape, with their calls per run)
/// whose shares add up to the whole run, and leaves stdout the one JSON line.
#[test]
fn bench_profile_tables_the_steps_of_the_timed_runs() {
    let out = Command::new(env!("CARGO_BIN_EXE_graphc"))
        .args(["bench", "--profile", "--iters", "3", "--warmup", "1"])
        .arg(format!("{REPO}/examples/mnist_cnn.act"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "stdout is the JSON line alone: {stdout}");
    assert!(stdout.starts_with("{\"file\""));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("profile of the 3 timed run(s), per run"), "{stderr}");
    // The MNIST CNN's second convolution's weight gradient, once per training
    // step: 2 epochs of 24 batches.
    let row =
        stderr.lines().find(|l| l.ends_with("conv2d_weight_grad [64, 32, 3, 3]")).unwrap_or_else(|| panic!("no weight gradient row in {stderr}"));
    let fields: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(fields[2], "48.0", "calls per run in {row}");
    // Every row's time, with the time outside the steps, makes the run.
    let run: f64 = stderr.split("per run (").nth(1).and_then(|r| r.split(" ms").next()?.parse().ok()).expect("the run's time");
    let rows: f64 = stderr.lines().filter(|l| l.contains('%')).filter_map(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()).sum();
    assert!((rows - run).abs() <= 0.01 * run, "the rows add up to {rows} ms of {run}:\n{stderr}");
}
