//! Issue 12's figure calls end to end: a program using `plot(y)`, `scatter`,
//! `semilogy`, `xlim` and `ylim` compiles, runs and writes a figure whose axes
//! show what matplotlib 3.11 shows for the same calls (its ticks were read from
//! the PyTorch/matplotlib version of the program), and `scatter` with torch's
//! arguments is still `torch.scatter`.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    common::scratch("figures", name)
}

fn run(dir: &Path, program: &str) -> Output {
    std::fs::write(dir.join("p.act"), program).unwrap();
    Command::new(env!("CARGO_BIN_EXE_graphc")).args(["run", "p.act"]).current_dir(dir).output().expect("cannot start graphc")
}

fn describe(out: &Output) -> String {
    format!("exit {:?}\n{}\n{}", out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The texts the SVG draws, in order: each glyph run is preceded by `<!-- text -->`.
fn texts(svg: &str) -> Vec<String> {
    svg.lines().filter_map(|l| l.strip_prefix("<!-- ").and_then(|l| l.strip_suffix(" -->"))).map(str::to_string).collect()
}

const PROGRAM: &str = r#"x = linspace(0, 10, 50)
y = exp(-x) * 100
semilogy(x, y, label="decay")
scatter(x, y + 1, label="points", alpha=0.5)
plot(y)
xlim(-1, 12)
ylim(0.001, 1000)
grid()
legend()
title("Decay")
savefig("f.svg")
savefig("f.png")
"#;

/// matplotlib draws x ticks 0, 2, ..., 12 (inside xlim(-1, 12)), y ticks 10^-3 to
/// 10^3 (its decades inside ylim), the title and both legend labels; the PNG is
/// matplotlib's 640 x 480.
#[test]
fn semilogy_scatter_plot_y_and_limits_show_matplotlibs_axes() {
    let dir = scratch("calls");
    let out = run(&dir, PROGRAM);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let svg = std::fs::read_to_string(dir.join("f.svg")).unwrap();
    let texts = texts(&svg);
    // The x tick labels are drawn first, exactly those inside xlim(-1, 12).
    assert_eq!(texts[..8], ["0", "2", "4", "6", "8", "10", "12", "10"], "x tick labels, then the first y label: {texts:?}");
    // A log axis' labels: "10" with the exponent drawn as its own (raised, smaller) run.
    for exponent in ["\u{2212}3", "\u{2212}2", "\u{2212}1", "0", "1", "2", "3"] {
        assert!(texts.iter().any(|t| t == exponent), "y exponent {exponent} missing from {texts:?}");
    }
    assert_eq!(texts.iter().filter(|t| *t == "10").count(), 7 + 1, "seven decades and the x tick 10: {texts:?}");
    for label in ["Decay", "decay", "points"] {
        assert!(texts.iter().any(|t| t == label), "{label} missing");
    }
    // 50 scatter discs (fill and edge each), clipped to the axes like the lines.
    assert!(svg.matches("fill-opacity=\"0.5\" clip-path").count() >= 50, "scatter discs at alpha 0.5");
    let png = std::fs::read(dir.join("f.png")).unwrap();
    assert_eq!(&png[12..16], b"IHDR");
    let size = (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()));
    assert_eq!(size, (640, 480));
}

/// The tutorial's `rcParams` through `rc`: a 7 x 3.5 in figure at 150 dpi is
/// 1050 x 525 pixels (matplotlib's size for them), and with `unicode_minus=false`
/// the tick labels write a hyphen, as matplotlib's do (its x labels for this data
/// are -8, -6, ..., 8 and its y labels -1.00, -0.75, ..., 1.00).
#[test]
fn rc_sets_the_tutorials_size_dpi_and_minus() {
    let dir = scratch("rc");
    let program = "rc(\"figure\", figsize=(7, 3.5), dpi=150)\nrc(\"axes\", unicode_minus=false)\nx = arange(-8, 8, 0.1)\nplot(x, tanh(x))\nsavefig(\"f.svg\")\nsavefig(\"f.png\")\n";
    let out = run(&dir, program);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let png = std::fs::read(dir.join("f.png")).unwrap();
    let size = (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()));
    assert_eq!(size, (1050, 525));
    let svg = std::fs::read_to_string(dir.join("f.svg")).unwrap();
    assert!(svg.contains("width=\"1050\"") && svg.contains("height=\"525\""), "the SVG's size");
    let texts = texts(&svg);
    assert_eq!(texts[..9], ["-8", "-6", "-4", "-2", "0", "2", "4", "6", "8"], "x tick labels: {texts:?}");
    assert_eq!(texts[9..18], ["-1.00", "-0.75", "-0.50", "-0.25", "0.00", "0.25", "0.50", "0.75", "1.00"], "y tick labels: {texts:?}");
}

/// Settings graphc does not draw, values matplotlib refuses or cannot draw, and a
/// figure setting after the figure exists are compile errors with their codes.
#[test]
fn bad_rc_calls_are_compile_errors() {
    let dir = scratch("bad-rc");
    for (program, code, message) in [
        ("rc(\"lines\", linewidth=2)\n", "E0104", ""),
        ("rc(\"axes\", figsize=(7, 3))\n", "E0408", "axes.figsize is not a valid rc parameter that graphc draws"),
        ("rc(\"font\")\n", "E0408", "graphc draws no rc parameters of the group \"font\""),
        ("rc(\"figure\", dpi=0)\n", "E0408", "figure.dpi must be a positive number, not 0"),
        ("rc(\"figure\", figsize=(7, 3, 1))\n", "E0408", "figure.figsize must be two positive numbers"),
        ("rc(\"figure\", figsize=(700, 3), dpi=100)\n", "E0408", "a figure of 70000 x 300 pixels cannot be drawn"),
        ("rc(\"axes\", unicode_minus=0)\n", "E0408", "axes.unicode_minus must be `true` or `false`, not an integer"),
        ("grid()\nrc(\"figure\", figsize=(7, 3))\n", "E0409", "this figure setting comes after the figure was started"),
    ] {
        let out = run(&dir, program);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{program}: {}", describe(&out));
        assert!(stderr.contains(&format!("error[{code}]: {message}")), "{program}: {}", describe(&out));
    }
    // `unicode_minus` is read when the figure is drawn: it may follow a plot.
    let out = run(&dir, "x = linspace(-1, 1, 5)\nplot(x, x)\nrc(\"axes\", unicode_minus=false)\nsavefig(\"f.svg\")\n");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(texts(&std::fs::read_to_string(dir.join("f.svg")).unwrap()).contains(&"-1.00".to_string()));
}

/// The same program writes the same bytes on every run.
#[test]
fn figures_are_deterministic() {
    let (a, b) = (scratch("det-a"), scratch("det-b"));
    for dir in [&a, &b] {
        let out = run(dir, PROGRAM);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }
    for name in ["f.svg", "f.png"] {
        assert!(std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap(), "{name} differs between runs");
    }
}

/// `scatter` with `input, dim, index, src` is PyTorch's scatter, not a plot.
#[test]
fn scatter_with_torch_arguments_is_still_torch_scatter() {
    let dir = scratch("torch-scatter");
    let out = run(&dir, "z = zeros(4)\nprint(scatter(z, 0, tensor([1, 3]), tensor([5.0, 7.0])))\n");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "tensor([0., 5., 0., 7.])\n");
}

/// `plot(y)` of a 2-D tensor and `ylim` with a tensor are compile errors with their codes.
#[test]
fn bad_figure_arguments_are_compile_errors() {
    let dir = scratch("bad");
    let out = run(&dir, "y = ones(2, 3)\nplot(y)\n");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[E0202]: plot(y) needs a 1-D tensor"), "{}", describe(&out));
    let out = run(&dir, "x = ones(3)\nplot(x)\nylim(x, 2)\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[E0406]"), "{}", describe(&out));
}

/// `figure()` starts a new, empty figure, as `plt.figure()` does: what follows it
/// draws alone, byte for byte what a program of only those calls draws, while
/// without it `savefig` keeps drawing on the same figure (matplotlib's too).
#[test]
fn figure_starts_a_new_empty_figure() {
    let second = "plot(linspace(0, 1, 5), label=\"b\")\ntitle(\"second\")\nlegend()\nsavefig(\"b.svg\")\n";
    let dir = scratch("new-figure");
    let out = run(&dir, &format!("plot(linspace(5, 9, 5), label=\"a\")\nsavefig(\"a.svg\")\nfigure()\n{second}"));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let alone = scratch("new-figure-alone");
    let out = run(&alone, second);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let b = std::fs::read(dir.join("b.svg")).unwrap();
    assert!(b == std::fs::read(alone.join("b.svg")).unwrap(), "the figure after figure() holds something drawn before it");
    assert!(!texts(&String::from_utf8_lossy(&b)).contains(&"a".to_string()), "the first figure's legend label is on the second");
    // Without `figure()`, the second `savefig` draws both lines and both labels.
    let kept = scratch("no-new-figure");
    let out = run(&kept, &format!("plot(linspace(5, 9, 5), label=\"a\")\nsavefig(\"a.svg\")\n{second}"));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let both = texts(&std::fs::read_to_string(kept.join("b.svg")).unwrap());
    assert!(both.contains(&"a".to_string()) && both.contains(&"b".to_string()), "{both:?}");
}

/// `plot(losses)` of a list of numbers (matplotlib reads it as an array) and
/// `yscale("log")` draw what `semilogy` of the same values as a tensor draws,
/// byte for byte; another scale is E0107 at its name.
#[test]
fn plot_of_a_list_on_a_log_scale_is_semilogy() {
    let (a, b) = (scratch("yscale-a"), scratch("yscale-b"));
    let list =
        "losses = []\nfor i in range(20) {\n    losses.append(exp(tensor(-0.5 * i)).item())\n}\nplot(losses)\nyscale(\"log\")\nsavefig(\"f.svg\")\n";
    let tensor = "semilogy(exp(arange(20) * -0.5).double())\nsavefig(\"f.svg\")\n";
    for (dir, program) in [(&a, list), (&b, tensor)] {
        let out = run(dir, program);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }
    let (svg_a, svg_b) = (std::fs::read_to_string(a.join("f.svg")).unwrap(), std::fs::read_to_string(b.join("f.svg")).unwrap());
    assert!(texts(&svg_a).contains(&"\u{2212}4".to_string()), "a log axis down to 10^-4: {:?}", texts(&svg_a));
    assert!(svg_a == svg_b, "plot(list) + yscale(\"log\") differs from semilogy(tensor)");
    let out = run(&a, "plot([1.0, 2.0])\nyscale(\"symlog\")\n");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error[E0107]: `yscale` takes \"log\" here, not the scale \"symlog\""),
        "{}",
        describe(&out)
    );
}

/// matplotlib ravels scatter's x and y (any shapes of one size), plots a column
/// vector as one line, and reads a list of 0-d arrays (`loss.detach().numpy()`)
/// as numbers: the learnpytorch.io workflow's columns of shape [n, 1] and loss
/// lists of detached 0-d tensors draw what the flat tensors draw, byte for byte.
/// Sizes that differ are E0202.
#[test]
fn columns_and_lists_of_0d_tensors_draw_as_flat_data() {
    let (a, b) = (scratch("columns-a"), scratch("columns-b"));
    let columns = "x = arange(0, 1, 0.1).unsqueeze(dim=1)\nscatter(x, 2 * x, label=\"data\")\nys = []\nfor i in range(3) {\n    ys.append(tensor(float(i)).detach())\n}\nplot([0, 5, 10], ys, label=\"loss\")\nlegend()\nsavefig(\"f.svg\")\n";
    let flat = "x = arange(0, 1, 0.1)\nscatter(x, 2 * x, label=\"data\")\nplot(tensor([0.0, 5.0, 10.0]), tensor([0.0, 1.0, 2.0]), label=\"loss\")\nlegend()\nsavefig(\"f.svg\")\n";
    for (dir, program) in [(&a, columns), (&b, flat)] {
        let out = run(dir, program);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }
    let (svg_a, svg_b) = (std::fs::read_to_string(a.join("f.svg")).unwrap(), std::fs::read_to_string(b.join("f.svg")).unwrap());
    assert!(svg_a == svg_b, "columns and 0-d items draw differently from flat tensors");
    let out = run(&a, "scatter(ones(4, 1), ones(3))\n");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[E0202]: scatter needs x and y of one size"), "{}", describe(&out));
    let out = run(&a, "plot(ones(4, 2), ones(4, 2))\n");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[E0202]: plot needs x and y as 1-D tensors (or columns)"), "{}", describe(&out));
}
