//! Python's `format(value, spec)` for ints, floats, bools and strs, checked
//! against CPython's own results over every pair of the values and specs in
//! `data/python_format.py` (the table `data/python_format.tsv` it wrote):
//! each formatted text byte for byte, and each rejected spec with Python's message.

use graphc_runtime::format::python::{FormatSpec, ValueKind};

fn parse_float(text: &str) -> f64 {
    match text {
        "nan" => f64::NAN,
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        _ => text.parse().expect("the table writes Python's repr of a float"),
    }
}

/// What graphc gives for one row: the text, or `!` and the error message.
fn format_row(kind: &str, value: &str, spec: &str) -> String {
    let k = match kind {
        "int" => ValueKind::Int,
        "float" => ValueKind::Float,
        "bool" => ValueKind::Bool,
        _ => ValueKind::Str,
    };
    let spec = match FormatSpec::for_kind(spec, k) {
        Ok(s) => s,
        Err(e) => return format!("!{e}"),
    };
    match k {
        ValueKind::Int => spec.format_int(value.parse().expect("the table writes ints in decimal")),
        ValueKind::Float => spec.format_float(parse_float(value)),
        ValueKind::Bool => spec.format_bool(value == "True"),
        ValueKind::Str => spec.format_str(value),
    }
}

#[test]
fn every_value_and_spec_formats_as_python_does() {
    let table = include_str!("data/python_format.tsv");
    let mut failures = Vec::new();
    let mut rows = 0;
    for line in table.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let [kind, value, spec, expected] = cols[..] else { panic!("a row has four columns: {line:?}") };
        rows += 1;
        let got = format_row(kind, value, spec);
        if got != expected {
            failures.push(format!("format({value}, {spec:?}) as {kind}: Python {expected:?}, graphc {got:?}"));
        }
    }
    assert!(rows > 2000, "the table has {rows} rows");
    assert!(failures.is_empty(), "{} of {rows} rows differ:\n{}", failures.len(), failures.iter().take(40).cloned().collect::<Vec<_>>().join("\n"));
}

#[test]
fn the_locale_and_character_types_are_refused() {
    for spec in ["n", "c"] {
        let e = FormatSpec::for_kind(spec, ValueKind::Int).unwrap_err();
        assert_eq!(e, format!("Unknown format code '{spec}' for object of type 'int'"));
    }
}
