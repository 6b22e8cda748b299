//! The IR as text, for people and for snapshot tests.
//!
//! Nodes are renumbered `%0, %1, ...` in a deterministic topological order, so
//! removed nodes leave no holes and the same program always prints the same
//! text. One node a line: `%id = op operands : dtype[shape]`, then a comment
//! with the name it is bound to (or the rule that made it) and its source
//! position. Lines are grouped under headers that say which part of the
//! program they belong to (forward, the k-th backward, an op's backward
//! template). After the graph come the backward calls with the saved values
//! each reads, and the program's effects in order.
//!
//! Later stages print what they add in their own printers: the passes' reports
//! (`passes/report.rs`), the residual table (`passes/residuals.rs`), the fused
//! kernels (`fuse/print.rs`); the driver assembles a stage (`driver/print.rs`).

use std::collections::HashMap;
use std::fmt::Write;

use graphc_runtime::op::{Cmp, ConvPart, DataOp, IndexOp, LayerNormPart, Op};

use super::graph::{NodeId, Region};
use super::program::{BackwardCall, Effect, FigureEffect, PrintArg, Program};
use crate::diag::LineIndex;

/// The dump's names: `%i` by position in the deterministic topological order.
pub fn numbering(prog: &Program) -> HashMap<NodeId, usize> {
    prog.graph.topo_order().iter().enumerate().map(|(i, n)| (*n, i)).collect()
}

/// Prints a program: graph, backward calls, effects. `lowered` (when given) supplies
/// the backward calls' roots and seeds as lowering recorded them.
pub fn program(prog: &Program, lines: &LineIndex, lowered: Option<&Program>) -> String {
    let g = &prog.graph;
    let order = g.topo_order();
    let num: HashMap<NodeId, usize> = order.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let name = |n: &NodeId| num.get(n).map(|i| format!("%{i}")).unwrap_or_else(|| "%?".to_string());
    let mut out = String::new();
    let mut region: Option<Region> = None;
    for n in &order {
        let meta = g.meta(*n);
        if region != Some(meta.region) {
            region = Some(meta.region);
            let _ = writeln!(out, "{}:", region_header(prog, lines, meta.region));
        }
        out.push_str(&node_line(prog, lines, *n, &name));
    }
    let _ = writeln!(out, "({} nodes, {} edges)", g.node_count(), g.edge_count());
    // Backward calls are listed as lowering recorded them, so only when it is known.
    if let Some(l) = lowered.filter(|l| !l.backwards.is_empty()) {
        out.push('\n');
        out.push_str(&backward_calls(prog, lines, &l.backwards, &name));
    }
    if !prog.effects.is_empty() {
        out.push_str("\neffects:\n");
        for e in &prog.effects {
            let _ = writeln!(out, "  {}", effect_line(e, &name));
        }
    }
    for (k, r) in prog.regions.iter().enumerate() {
        // A region lowering did not make (the backward of a run-time `if`, which
        // autodiff makes with its calls complete) lists its own calls.
        let calls = lowered.map(|l| l.regions.get(k).map_or(&r.body, |l| &l.body));
        out.push_str(&super::print_region::region(k, r, lines, calls));
    }
    out
}

/// The header of a region: the forward graph, the k-th backward with its call,
/// or an op call's backward template.
fn region_header(prog: &Program, lines: &LineIndex, region: Region) -> String {
    match region {
        Region::Forward => "forward".to_string(),
        Region::Backward(k) => match prog.backwards.get(k as usize) {
            Some(b) => {
                let (l, c) = lines.line_col(b.span.start);
                format!("backward {k} ({l}:{c}: {})", lines.snippet(b.span, 48))
            }
            None => format!("backward {k}"),
        },
        Region::Template(k) => match prog.custom_calls.get(k as usize) {
            Some(cc) => {
                let (l, c) = lines.line_col(cc.span.start);
                format!("template: backward block of {} for the call at {l}:{c}", cc.op_name)
            }
            None => format!("template {k}"),
        },
    }
}

/// One node: `%id = op operands : dtype[shape]  # requires_grad, note, @line:col`.
fn node_line(prog: &Program, lines: &LineIndex, n: NodeId, name: &dyn Fn(&NodeId) -> String) -> String {
    let g = &prog.graph;
    let (node, meta) = (g.node(n), g.meta(n));
    let operands: Vec<String> = g.operands(n).iter().map(name).collect();
    let shape = node.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
    let mut line = format!("  {} = {}", name(&n), op_text(&node.op));
    if !operands.is_empty() {
        let _ = write!(line, " {}", operands.join(", "));
    }
    let _ = write!(line, " : {}[{}]", node.dtype, shape);
    let (l, c) = lines.line_col(meta.span.start);
    let mut comment = Vec::new();
    if meta.requires_grad && meta.region == Region::Forward {
        comment.push("requires_grad".to_string());
    }
    if let Some(note) = &meta.note {
        comment.push(note.clone());
    }
    comment.push(format!("@{l}:{c}"));
    format!("{line}  # {}\n", comment.join(", "))
}

/// The backward calls and the forward values each keeps alive.
fn backward_calls(prog: &Program, lines: &LineIndex, calls: &[BackwardCall], name: &dyn Fn(&NodeId) -> String) -> String {
    let g = &prog.graph;
    let mut out = String::new();
    // Saved values and their readers are listed in the dump's order, which the text
    // reads back in; node ids can differ from it (a node made late from early ones).
    let num = numbering(prog);
    for (k, b) in calls.iter().enumerate() {
        let (l, c) = lines.line_col(b.span.start);
        let _ = writeln!(
            out,
            "backward {k} at {l}:{c}: d({}) with seed {}{}",
            name(&b.root),
            b.seed.map(|s| name(&s)).unwrap_or_else(|| "ones".to_string()),
            if b.retain_graph { ", retain_graph" } else { "" }
        );
        let mut saved = saved_reads(prog, k as u32);
        saved.sort_by_key(|(s, _)| num.get(s).copied());
        for (_, users) in &mut saved {
            users.sort_by_key(|u| num.get(u).copied());
        }
        if saved.is_empty() && !has_region(prog, Region::Backward(k as u32)) {
            continue;
        }
        if saved.is_empty() {
            let _ = writeln!(out, "  saved: none");
        }
        for (s, users) in saved {
            let node = g.node(s);
            let bytes = node.shape.iter().product::<usize>() * node.dtype.size();
            // A value an op saved is named as the op's forward named it.
            let saved_as: Vec<String> = prog
                .custom_calls
                .iter()
                .flat_map(|cc| cc.saved.iter().filter(|sv| sv.forward == s).map(move |sv| format!("`{}` saved by {}", sv.name, cc.op_name)))
                .collect();
            let what = if saved_as.is_empty() { g.meta(s).note.clone().unwrap_or_else(|| node.op.name().to_string()) } else { saved_as.join(", ") };
            let users: Vec<String> = users.iter().map(name).collect();
            let _ = writeln!(
                out,
                "  saved {} ({what}): {}[{}], {bytes} bytes, read by {}",
                name(&s),
                node.dtype,
                node.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
                users.join(", ")
            );
        }
    }
    out
}

/// One `print` argument as the `effects:` list shows it: a string literal,
/// `None`, a node with its grad_fn, `format(%N, "spec")` for a Python number,
/// `f(...)` for an f-string's pieces and `choose(%C, A, B)` for the text a
/// run-time condition picks.
fn print_arg_text(a: &PrintArg, name: &dyn Fn(&NodeId) -> String) -> String {
    match a {
        PrintArg::Text(t) => format!("{t:?}"),
        PrintArg::None => "None".to_string(),
        PrintArg::Tensor { node, suffix } => match &suffix.grad_fn {
            Some(f) => format!("{} <{f}>", name(node)),
            None => name(node),
        },
        PrintArg::Scalar { node, spec } => format!("format({}, {spec:?})", name(node)),
        PrintArg::Concat(items) => format!("f({})", items.iter().map(|i| print_arg_text(i, name)).collect::<Vec<_>>().join(", ")),
        PrintArg::Choice { cond, then, otherwise } => {
            format!("choose({}, {}, {})", name(cond), print_arg_text(then, name), print_arg_text(otherwise, name))
        }
    }
}

/// One effect, as the `effects:` list shows it.
fn effect_line(e: &Effect, name: &dyn Fn(&NodeId) -> String) -> String {
    match e {
        Effect::Seed(s) => format!("manual_seed({s})"),
        Effect::Sample(n) => format!("sample {}", name(n)),
        Effect::Save { node, path, .. } => format!("save {}, {}", name(node), quoted(path)),
        Effect::Print(args) => {
            let parts: Vec<String> = args.iter().map(|a| print_arg_text(a, name)).collect();
            format!("print {}", parts.join(", "))
        }
        Effect::Write(args) => {
            let parts: Vec<String> = args.iter().map(|a| print_arg_text(a, name)).collect();
            format!("write {}", parts.join(", "))
        }
        Effect::Assert { cond, message, exception, .. } => {
            let parts: Vec<String> = std::iter::once(name(cond)).chain(message.iter().map(|a| print_arg_text(a, name))).collect();
            // A `raise` names its exception: `assert[ValueError] %3, "..."`.
            let head = if exception == "AssertionError" { "assert".to_string() } else { format!("assert[{exception}]") };
            format!("{head} {}", parts.join(", "))
        }
        Effect::Figure(f) => match f {
            FigureEffect::Plot { x, y, label, alpha } => {
                format!("plot {}, {} label={:?} alpha={}", name(x), name(y), label.clone().unwrap_or_default(), alpha)
            }
            FigureEffect::Scatter { x, y, label, alpha } => {
                format!("scatter {}, {} label={:?} alpha={}", name(x), name(y), label.clone().unwrap_or_default(), alpha)
            }
            FigureEffect::LogY => "yscale log".to_string(),
            FigureEffect::XLim(a, b) => format!("xlim {a:?}, {b:?}"),
            FigureEffect::YLim(a, b) => format!("ylim {a:?}, {b:?}"),
            FigureEffect::Grid => "grid".to_string(),
            FigureEffect::New => "figure".to_string(),
            FigureEffect::Legend => "legend".to_string(),
            FigureEffect::XLabel(t) => format!("xlabel {t:?}"),
            FigureEffect::YLabel(t) => format!("ylabel {t:?}"),
            FigureEffect::Title(t) => format!("title {t:?}"),
            FigureEffect::FigSize(w, h) => format!("rc figure.figsize {w:?}, {h:?}"),
            FigureEffect::Dpi(d) => format!("rc figure.dpi {d:?}"),
            FigureEffect::UnicodeMinus(on) => format!("rc axes.unicode_minus {on}"),
            FigureEffect::SaveFig { path, .. } => format!("savefig {path:?}"),
        },
        Effect::Loop { region, inputs, outputs } => {
            let list = |ns: &[NodeId]| if ns.is_empty() { "()".to_string() } else { ns.iter().map(name).collect::<Vec<_>>().join(", ") };
            format!("loop {region} reads {} writes {}", list(inputs), list(outputs))
        }
        Effect::Branch { cond, then, otherwise, inputs, outputs } => {
            let list = |ns: &[NodeId]| if ns.is_empty() { "()".to_string() } else { ns.iter().map(name).collect::<Vec<_>>().join(", ") };
            format!("branch on {} then {then} else {otherwise} reads {} writes {}", name(cond), list(inputs), list(outputs))
        }
    }
}

fn has_region(prog: &Program, r: Region) -> bool {
    prog.graph.ids().iter().any(|n| prog.graph.meta(*n).region == r)
}

/// The forward nodes that backward `k`'s nodes read, with the backward nodes reading each.
fn saved_reads(prog: &Program, k: u32) -> Vec<(NodeId, Vec<NodeId>)> {
    let g = &prog.graph;
    let mut m: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for n in g.ids() {
        if g.meta(n).region != Region::Backward(k) {
            continue;
        }
        for o in g.operands(n) {
            let om = g.meta(o);
            // Constants are not saved values: they are part of the formula.
            if om.region == Region::Forward && !matches!(g.node(o).op, Op::Full(_)) {
                m.entry(o).or_default().push(n);
            }
        }
    }
    let mut v: Vec<(NodeId, Vec<NodeId>)> = m.into_iter().collect();
    v.sort();
    for (_, users) in &mut v {
        users.sort();
        users.dedup();
    }
    v
}

/// The op with its parameters, as the dump shows it.
pub fn op_text(op: &Op) -> String {
    match op {
        Op::Full(v) => format!("full({v})"),
        Op::Literal(vs) => {
            let shown: Vec<String> = vs.iter().take(6).map(|v| format!("{v}")).collect();
            if vs.len() > 6 {
                format!("literal([{}, ... {} values])", shown.join(", "), vs.len())
            } else {
                format!("literal([{}])", shown.join(", "))
            }
        }
        Op::Arange { start, step } => format!("arange(start={start}, step={step})"),
        Op::Linspace { start, end } => format!("linspace({start}, {end})"),
        Op::Param(k) => format!("param({k})"),
        Op::Input(k) => format!("input({k})"),
        Op::Data(DataOp::Load(path)) => format!("load({})", quoted(path)),
        Op::Data(DataOp::Randint { low, high }) => format!("randint(low={low}, high={high})"),
        Op::Data(DataOp::LoaderOrder { shuffle }) => format!("loader_order(shuffle={shuffle})"),
        Op::Data(DataOp::Exponential { lambda }) => format!("exponential(lambd={lambda})"),
        Op::Data(DataOp::TruncNormal { mean, std, lo, hi }) => format!("trunc_normal(mean={mean}, std={std}, lo={lo}, hi={hi})"),
        Op::RegionOutput { region, output } => format!("region_output(region={region}, output={output})"),
        Op::PowScalar(e) => format!("pow_scalar({e})"),
        Op::Activation(f) => {
            let params: Vec<String> = f.params().iter().map(|(k, v)| format!("{k}={}", v.map_or("none".to_string(), |v| v.to_string()))).collect();
            format!("{}({})", f.name(), params.join(", "))
        }
        Op::Where(c) => format!(
            "where({})",
            match c {
                Cmp::Lt => "<",
                Cmp::Le => "<=",
                Cmp::Eq => "==",
                Cmp::Gt => ">",
                Cmp::Ge => ">=",
                Cmp::Ne => "!=",
            }
        ),
        Op::Compare(c) => format!("compare({})", c.symbol()),
        Op::NanToNum { nan, posinf, neginf } => format!("nan_to_num(nan={nan}, posinf={posinf}, neginf={neginf})"),
        Op::Sum { dim: Some(d) } => format!("sum(dim={d})"),
        Op::Mean { dim: Some(d) } => format!("mean(dim={d})"),
        Op::Permute(dims) => format!("permute({})", dims_text(dims)),
        Op::Slice { dim, start, step } => format!("slice(dim={dim}, start={start}, step={step})"),
        Op::SliceBackward { dim, start, step } => format!("slice_backward(dim={dim}, start={start}, step={step})"),
        Op::Cat { dim, n } => format!("cat(dim={dim}, n={n})"),
        Op::Reduce { kind, dims, keepdim } => {
            let dims: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
            let param = kind.param().map(|p| format!("{}, ", graphc_runtime::op::F64Bits::new(p))).unwrap_or_default();
            format!("{}({param}dims=[{}], keepdim={keepdim})", kind.name(), dims.join(", "))
        }
        Op::Cumsum { dim, reverse } => format!("cumsum(dim={dim}, reverse={reverse})"),
        Op::Logcumsumexp { dim, reverse } => format!("logcumsumexp(dim={dim}, reverse={reverse})"),
        Op::Cumprod { dim } => format!("cumprod(dim={dim})"),
        Op::ProdOthers { dim } => format!("{}(dim={})", op.name(), dim.map_or("none".to_string(), |d| d.to_string())),
        Op::ProdOthersVjp { dim, order } => format!("{}(dim={}, order={order})", op.name(), dim.map_or("none".to_string(), |d| d.to_string())),
        Op::Loss { kind, reduction } => match kind.param() {
            Some((key, v)) => format!("{}(reduction={}, {key}={})", kind.name(), reduction.name(), graphc_runtime::op::F64Bits::new(v)),
            None => format!("{}(reduction={})", kind.name(), reduction.name()),
        },
        Op::Softmax { dim, .. } | Op::SoftmaxBackward { dim, .. } => format!("{}(dim={dim})", op.name()),
        Op::LayerNorm(ln) => format!("{}(dims={}, eps={}{})", op.name(), ln.dims, ln.eps, norm_flags(ln.part)),
        Op::GroupNorm(gn) => format!("{}(groups={}, eps={}{})", op.name(), gn.groups, gn.eps, norm_flags(gn.part)),
        Op::AvgPool(p) => match p.windows {
            graphc_runtime::op::PoolWindows::Fixed { kernel, stride, padding, count_include_pad, divisor } => {
                let pair = |v: [usize; 2]| format!("{}x{}", v[0], v[1]);
                let divisor = divisor.map_or_else(|| "none".to_string(), |d| d.to_string());
                format!(
                    "{}(kernel={}, stride={}, padding={}, count_include_pad={count_include_pad}, divisor={divisor})",
                    op.name(),
                    pair(kernel),
                    pair(stride),
                    pair(padding)
                )
            }
            graphc_runtime::op::PoolWindows::Adaptive => op.name().to_string(),
        },
        Op::Upsample(u) => {
            let factors: Option<Vec<String>> = u.scales[..u.spatial].iter().map(|f| f.map(|f| f.to_string())).collect();
            let scales = factors.map_or_else(|| "none".to_string(), |f| f.join("x"));
            format!("{}(spatial={}, align_corners={}, scales={scales})", op.name(), u.spatial, u.align_corners)
        }
        Op::GridSample(g) => format!("{}(mode={}, padding={}, align_corners={})", op.name(), g.mode.name(), g.padding.name(), g.align_corners),
        Op::Conv(c) => {
            let pair = |v: [usize; 2]| format!("{}x{}", v[0], v[1]);
            let bias = match c.part {
                ConvPart::Forward { bias } | ConvPart::Transposed { bias } => format!(", bias={bias}"),
                ConvPart::WeightGrad => String::new(),
            };
            format!("{}(stride={}, padding={}, dilation={}, groups={}{bias})", op.name(), pair(c.stride), pair(c.padding), pair(c.dilation), c.groups)
        }
        Op::Index(IndexOp::Arg { dim, keepdim, .. }) => {
            let dim = dim.map_or_else(|| "none".to_string(), |d| d.to_string());
            format!("{}(dim={dim}, keepdim={keepdim})", op.name())
        }
        Op::Index(IndexOp::Sort { dim, descending, stable }) => format!("{}(dim={dim}, descending={descending}, stable={stable})", op.name()),
        Op::Index(IndexOp::TopK { dim, k, largest, sorted }) => format!("{}(dim={dim}, k={k}, largest={largest}, sorted={sorted})", op.name()),
        Op::Index(IndexOp::Kth { dim, k }) => format!("{}(dim={dim}, k={k})", op.name()),
        Op::Index(IndexOp::MaxPool(p)) => {
            let pair = |v: [usize; 2]| format!("{}x{}", v[0], v[1]);
            format!("{}(kernel={}, stride={}, padding={}, dilation={})", op.name(), pair(p.kernel), pair(p.stride), pair(p.padding), pair(p.dilation))
        }
        Op::Index(
            IndexOp::Gather { dim }
            | IndexOp::ScatterAdd { dim }
            | IndexOp::ScatterInto { dim, .. }
            | IndexOp::ScatterFma { dim }
            | IndexOp::CumExtreme { dim, .. },
        ) => {
            format!("{}(dim={dim})", op.name())
        }
        Op::Index(IndexOp::Search { right, sorter }) => format!("{}(right={right}, sorter={sorter})", op.name()),
        Op::Index(IndexOp::ScatterReduce { dim, reduce, include_self }) => {
            format!("{}(dim={dim}, reduce={}, include_self={include_self})", op.name(), reduce.name())
        }
        other => other.name().to_string(),
    }
}

/// A path as the dump shows it: in double quotes, with `\\` and `"` escaped.
pub fn quoted(path: &str) -> String {
    format!("\"{}\"", path.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A list of dimensions as the dump shows it: `[2, 0, 1]`.
pub fn dims_text(dims: &[usize]) -> String {
    format!("[{}]", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

/// The operand flags of a layer-norm or group-norm part, as printed after its sizes.
fn norm_flags(part: LayerNormPart) -> String {
    match part {
        LayerNormPart::Forward { weight, bias } => format!(", weight={weight}, bias={bias}"),
        LayerNormPart::InputGrad { weight } => format!(", weight={weight}"),
        LayerNormPart::WeightGrad | LayerNormPart::BiasGrad => String::new(),
    }
}
