//! `--input` and `--save` with int64 and bool `.npy` files, through a program whose
//! float part runs fused while its i64 and bool nodes run one op at a time. The
//! expected output was printed by PyTorch 2.15 for the same values:
//! `torch.where(m, x * l, (x * 2).exp()) + (l > 0)`, `l + 1` and `~m`.

use crate::common;
use crate::common::graphc;

use std::path::{Path, PathBuf};

use npyz::WriterBuilder;

const PROGRAM: &str = "input l: i64[4]\ninput m: bool[4]\ninput x: f32[4]\n\
y = where(m, x * l, (x * 2).exp()) + (l > 0)\nprint(y)\nn = l + 1\nk = logical_not(m)\n";

fn scratch(name: &str) -> PathBuf {
    common::scratch("npy_dtypes", name)
}

fn write<T: npyz::Serialize + npyz::AutoSerialize + Copy>(path: &Path, data: &[T]) {
    let mut file = std::fs::File::create(path).unwrap();
    let mut w = npyz::WriteOptions::new().default_dtype().shape(&[data.len() as u64]).writer(&mut file).begin_nd().unwrap();
    w.extend(data.iter().copied()).unwrap();
    w.finish().unwrap();
}

fn read<T: npyz::Deserialize>(path: &Path) -> (String, Vec<T>) {
    let npy = npyz::NpyFile::new(std::fs::File::open(path).unwrap()).unwrap();
    let dtype = match npy.dtype() {
        npyz::DType::Plain(t) => t.to_string(),
        _ => panic!("{} is not a plain array", path.display()),
    };
    (dtype, npy.into_vec::<T>().unwrap())
}

#[test]
fn int64_and_bool_inputs_run_and_save_round_trips() {
    let dir = scratch("round_trip");
    std::fs::write(dir.join("p.act"), PROGRAM).unwrap();
    write(&dir.join("l.npy"), &[3i64, -1, 0, 7]);
    write(&dir.join("m.npy"), &[true, false, true, false]);
    write(&dir.join("x.npy"), &[0.5f32, 1.0, -2.0, 0.25]);
    let args = ["run", "p.act", "--input", "l=l.npy", "--input", "m=m.npy", "--input", "x=x.npy", "--save", "n=n.npy", "--save", "k=k.npy"];
    let out = graphc(&args, &dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "tensor([2.5000, 7.3891, 0.0000, 2.6487])\n");
    assert_eq!(read::<i64>(&dir.join("n.npy")), ("<i8".to_string(), vec![4, 0, 1, 8]));
    assert_eq!(read::<bool>(&dir.join("k.npy")), ("|b1".to_string(), vec![false, true, false, true]));
}

#[test]
fn a_file_of_another_integer_dtype_is_a_usage_error() {
    let dir = scratch("wrong_dtype");
    std::fs::write(dir.join("p.act"), PROGRAM).unwrap();
    write(&dir.join("l.npy"), &[3i32, -1, 0, 7]);
    write(&dir.join("m.npy"), &[true, false, true, false]);
    write(&dir.join("x.npy"), &[0.5f32, 1.0, -2.0, 0.25]);
    let out = graphc(&["run", "p.act", "--input", "l=l.npy", "--input", "m=m.npy", "--input", "x=x.npy"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("input `l` is declared i64[4]") && stderr.contains("<i8, numpy.int64"), "{stderr}");
}
