//! `str(tensor)` for every rank, summarized and not, checked byte for byte
//! against PyTorch 2.15's output recorded in `data/format_ranks.txt` (made by
//! `data/format_ranks.py`, which documents how each case's elements are built).

use graphc_runtime::format::tensor_str;
use graphc_runtime::plan::TensorSuffix;
use graphc_runtime::Tensor;

/// One recorded case: the header fields and PyTorch's printed text.
struct Case {
    shape: Vec<usize>,
    f64: bool,
    offset: usize,
    scale: f64,
    expected: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("data/format_ranks.txt");
    let mut cases: Vec<Case> = Vec::new();
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("== ") {
            let (dims, rest) = header.split_once(" | ").expect("header has dims | dtype offset scale");
            let shape = dims.split_whitespace().map(|d| d.parse().expect("dimension")).collect();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            cases.push(Case {
                shape,
                f64: fields[0] == "f64",
                offset: fields[1].parse().expect("offset"),
                scale: fields[2].parse().expect("scale"),
                expected: String::new(),
            });
        } else {
            let case = cases.last_mut().expect("text before the first header");
            if !case.expected.is_empty() {
                case.expected.push('\n');
            }
            case.expected.push_str(line);
        }
    }
    cases
}

/// The case's tensor, with its elements computed in f64 as the generator's Python does.
fn tensor(case: &Case) -> Tensor {
    let n: usize = case.shape.iter().product();
    let values: Vec<f64> = (0..n).map(|i| (((i * 37 + case.offset) % 101) as f64 / 8.0 - 6.0) * case.scale).collect();
    if case.f64 {
        Tensor::from_f64(case.shape.clone(), values)
    } else {
        Tensor::from_f32(case.shape.clone(), values.iter().map(|&v| v as f32).collect())
    }
}

#[test]
fn every_rank_prints_as_pytorch_does() {
    let cases = cases();
    assert!(cases.len() >= 15, "the data file lost cases");
    for case in &cases {
        let got = tensor_str(&tensor(case), &TensorSuffix::default());
        assert_eq!(got, case.expected, "shape {:?} (offset {}, scale {})", case.shape, case.offset, case.scale);
    }
}

#[test]
fn the_data_covers_ranks_zero_to_five_and_summarized_tensors() {
    let cases = cases();
    for rank in 0..=5 {
        assert!(cases.iter().any(|c| c.shape.len() == rank), "no case of rank {rank}");
    }
    assert!(cases.iter().any(|c| c.shape.len() >= 3 && c.shape.iter().product::<usize>() > 1000), "no summarized 3-D or higher case");
    assert!(cases.iter().any(|c| c.expected.contains("...")), "no summarized output");
}
