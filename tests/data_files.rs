//! `load` and `save` end to end: paths relative to the `.act` file wherever graphc
//! runs, the dtypes and orders `torch.from_numpy` accepts, files that cannot serve
//! (compile errors at the call), a file that changes between compile and run (a
//! run-time error, never a panic), and `save` writing exactly the tensor's value.

use crate::common;
use crate::common::{describe, graphc};

use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    common::scratch("data_files", name)
}

/// A version 1.0 `.npy` file written byte by byte, as NumPy writes one: `descr` is
/// the dtype string (`<f8`, `>i8`, `|b1`, ...), `data` the raw element bytes.
fn npy(descr: &str, fortran: bool, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_text = if shape.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
    let order = if fortran { "True" } else { "False" };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape_text}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

fn f64_bytes(v: &[f64], big_endian: bool) -> Vec<u8> {
    v.iter().flat_map(|x| if big_endian { x.to_be_bytes() } else { x.to_le_bytes() }).collect()
}

#[test]
fn paths_are_relative_to_the_act_file_wherever_graphc_runs() {
    let dir = scratch("relative");
    std::fs::create_dir_all(dir.join("prog/data")).unwrap();
    std::fs::create_dir_all(dir.join("elsewhere")).unwrap();
    std::fs::write(dir.join("prog/data/x.npy"), npy("<f8", false, &[3], &f64_bytes(&[1.5, -2.0, 0.25], false))).unwrap();
    std::fs::write(dir.join("prog/p.act"), "x = load(\"data/x.npy\")\nprint(x * 2)\nsave(x + 1, \"out/y.npy\")\n").unwrap();
    std::fs::create_dir_all(dir.join("prog/out")).unwrap();
    // `check` from the parent directory and `run` from an unrelated one both find the data.
    let check = graphc(&["check", "prog/p.act"], &dir);
    assert_eq!(check.status.code(), Some(0), "{}", describe(&check));
    let run = graphc(&["run", "../prog/p.act"], &dir.join("elsewhere"));
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_eq!(String::from_utf8_lossy(&run.stdout), "tensor([ 3.0000, -4.0000,  0.5000], dtype=torch.float64)\n");
    // `save` wrote beside the program, not into the working directory, and left no temporary file.
    let saved = npyz::NpyFile::new(std::fs::File::open(dir.join("prog/out/y.npy")).unwrap()).unwrap();
    assert_eq!(saved.shape(), &[3]);
    assert_eq!(saved.into_vec::<f64>().unwrap(), vec![2.5, -1.0, 1.25]);
    assert_eq!(std::fs::read_dir(dir.join("prog/out")).unwrap().count(), 1, "a temporary file was left behind");
    assert_eq!(std::fs::read_dir(dir.join("elsewhere")).unwrap().count(), 0);
}

#[test]
fn fortran_order_big_endian_int64_and_bool_files_load_as_torch_from_numpy_gives_them() {
    let dir = scratch("orders");
    // np.asfortranarray([[1., 2., 3.], [4., 5., 6.]]) stores the columns one after another.
    std::fs::write(dir.join("f.npy"), npy("<f8", true, &[2, 3], &f64_bytes(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0], false))).unwrap();
    std::fs::write(dir.join("b.npy"), npy(">f8", false, &[2], &f64_bytes(&[0.5, -8.0], true))).unwrap();
    let ints: Vec<u8> = [7i64, -3, 1 << 40].iter().flat_map(|x| x.to_le_bytes()).collect();
    std::fs::write(dir.join("i.npy"), npy("<i8", false, &[3], &ints)).unwrap();
    std::fs::write(dir.join("m.npy"), npy("|b1", false, &[2, 2], &[1, 0, 0, 1])).unwrap();
    std::fs::write(dir.join("p.act"), "print(load(\"f.npy\"))\nprint(load(\"b.npy\"))\nprint(load(\"i.npy\"))\nprint(load(\"m.npy\"))\n").unwrap();
    let out = graphc(&["run", "p.act"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // What PyTorch 2.15 prints for torch.from_numpy of the same arrays.
    let expected = "tensor([[1., 2., 3.],\n        [4., 5., 6.]], dtype=torch.float64)\n\
                    tensor([ 0.5000, -8.0000], dtype=torch.float64)\n\
                    tensor([            7,            -3, 1099511627776])\n\
                    tensor([[ True, False],\n        [False,  True]])\n";
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

#[test]
fn files_that_cannot_serve_are_compile_errors_at_the_call() {
    let dir = scratch("refused");
    std::fs::write(dir.join("int32.npy"), npy("<i4", false, &[2], &[1, 0, 0, 0, 2, 0, 0, 0])).unwrap();
    std::fs::write(dir.join("short.npy"), npy("<f4", false, &[4], &[0; 12])).unwrap();
    std::fs::create_dir_all(dir.join("adir.npy")).unwrap();
    std::fs::write(dir.join("big.npy"), npy("<f8", false, &[1000, 1000], &vec![0; 8_000_000])).unwrap();
    for (call, code, words, extra) in [
        ("load(\"int32.npy\")", "E0662", "dtype `<i4`", &[][..]),
        ("load(\"short.npy\")", "E0661", "16 bytes of data), but 12 bytes follow it", &[]),
        ("load(\"adir.npy\")", "E0660", "is a directory", &[]),
        ("load(\"big.npy\")", "E0502", "f64", &["--max-memory", "1M"][..]),
        ("save(randn(2), \"nodir/x.npy\")", "E0663", "`nodir` does not exist", &[]),
        ("save(randn(2), \"adir.npy\")", "E0663", "is a directory", &[]),
    ] {
        std::fs::write(dir.join("p.act"), format!("x = {call}\n")).unwrap();
        let mut args = extra.to_vec();
        args.extend(["check", "p.act"]);
        let out = graphc(&args, &dir);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{call}: {}", describe(&out));
        assert!(stderr.starts_with(&format!("error[{code}]")), "{call}: {stderr}");
        assert!(stderr.contains(words), "{call}: the message lacks `{words}`:\n{stderr}");
        assert!(stderr.contains("--> p.act:1:"), "{call}: {stderr}");
    }
}

#[test]
fn a_file_that_changed_since_compilation_stops_the_run_with_an_error() {
    let dir = scratch("changed");
    let path = dir.join("x.npy");
    std::fs::write(&path, npy("<f8", false, &[2], &f64_bytes(&[1.0, 2.0], false))).unwrap();
    let source = "x = load(\"x.npy\")\nprint(x)\n";
    let options = graphc_compiler::driver::Options {
        keep_stages: false,
        exports: graphc_compiler::driver::Exports::Names(&[]),
        numerics: Default::default(),
        source_dir: Some(&dir),
    };
    let compiled = graphc_compiler::driver::compile_opts(source, &options).unwrap_or_else(|d| panic!("{:?}", d[0].message));
    let (printed, _) = graphc_runtime::exec::run_capture(&compiled.plan).unwrap();
    assert_eq!(printed, "tensor([1., 2.], dtype=torch.float64)\n");
    // Three elements now: the plan's two-element tensor cannot be filled from it.
    std::fs::write(&path, npy("<f8", false, &[3], &f64_bytes(&[1.0, 2.0, 3.0], false))).unwrap();
    let err = graphc_runtime::exec::run_capture(&compiled.plan).unwrap_err();
    assert!(err.message.contains("now holds f64[3], but it held f64[2]"), "{}", err.message);
    // The failure points at the `load` call, as a compile error would.
    let (start, end) = err.source.expect("a failed read carries the span of its `load`");
    assert_eq!(&source[start..end], "load(\"x.npy\")");
    std::fs::remove_file(&path).unwrap();
    let err = graphc_runtime::exec::run_capture(&compiled.plan).unwrap_err();
    assert!(err.message.starts_with("cannot read"), "{}", err.message);
}

#[test]
fn random_integer_calls_pytorch_refuses_are_compile_errors_at_the_argument() {
    let dir = scratch("random_ints");
    for (call, words, col) in [
        ("randint(5, 5, (2,))", "the range is [5, 5)", "1:13"),
        ("randint(2 ** 63, (2,))", "`high` is out of range", "1:13"),
        ("randint(3, (-1,))", "must not be negative", "1:17"),
        ("randperm(-1)", "must not be negative", "1:14"),
        ("randperm(2 ** 25, dtype=f32)", "cannot be f32", "1:14"),
    ] {
        std::fs::write(dir.join("p.act"), format!("x = {call}\n")).unwrap();
        let out = graphc(&["check", "p.act"], &dir);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{call}: {}", describe(&out));
        assert!(stderr.starts_with("error[E0664]"), "{call}: {stderr}");
        assert!(stderr.contains(words), "{call}: the message lacks `{words}`:\n{stderr}");
        assert!(stderr.contains(&format!("--> p.act:{col}")), "{call}: {stderr}");
    }
}
