//! The values of the sources an exported graph reads as initializers: what
//! `randn`, `rand`, `randperm`, `randint` and `load` give when the program runs,
//! computed at export time by replaying the program's seeds and draws in order
//! on PyTorch's generator, so that the model holds the numbers `graphc run` uses.

use std::collections::{HashMap, HashSet};

use graphc_runtime::op::DataOp;
use graphc_runtime::rng::Generator;
use graphc_runtime::{Op, Tensor};

use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::program::{Effect, Program};

/// The value of every random or data source in `needed`, drawn as the run draws it.
/// A draw before any `manual_seed` depends on the generator's state at start-up,
/// which PyTorch seeds from the clock when asked: E0721. A loop or run-time `if`
/// that draws before a needed draw moves the generator by an amount the export
/// cannot replay: E0720.
pub fn sources(prog: &Program, needed: &HashSet<NodeId>) -> Result<HashMap<NodeId, Tensor>, Vec<Diagnostic>> {
    let mut generator = Generator::new();
    let mut seeded = false;
    let mut drawing_region: Option<u32> = None;
    let mut values = HashMap::new();
    let mut errors = Vec::new();
    for effect in &prog.effects {
        match effect {
            Effect::Seed(s) => {
                generator.manual_seed(*s);
                seeded = true;
                drawing_region = None;
            }
            Effect::Sample(n) => {
                let node = prog.graph.node(*n);
                let is_draw = !matches!(node.op, Op::Data(DataOp::Load(_)));
                if needed.contains(n) && is_draw {
                    let span = prog.graph.meta(*n).span;
                    if !seeded {
                        errors.push(
                            Diagnostic::new(
                                Code::E0721,
                                format!("cannot export: `{}` draws from the generator before any `manual_seed`", node.op.name()),
                                span,
                                "this draw is not reproducible",
                            )
                            .with_help("call `manual_seed(N)` before the first random draw, so that the exported model can hold the values it draws"),
                        );
                    } else if let Some(r) = drawing_region {
                        errors.push(loop_draws(prog, r, span));
                    }
                }
                let value = match &node.op {
                    Op::Randn => generator.randn(node.dtype, &node.shape),
                    Op::Rand => generator.rand(node.dtype, &node.shape),
                    Op::Data(DataOp::Randperm) => generator.randperm(node.shape[0]),
                    Op::Data(DataOp::Randint { low, high }) => generator.randint(*low, *high, &node.shape),
                    Op::Data(DataOp::LoaderOrder { shuffle }) => generator.loader_order(node.shape[0], *shuffle),
                    Op::Data(DataOp::Exponential { lambda }) => generator.exponential(node.dtype, &node.shape, lambda.get()),
                    Op::Data(DataOp::TruncNormal { mean, std, lo, hi }) => {
                        generator.trunc_normal(node.dtype, &node.shape, (mean.get(), std.get()), (lo.get(), hi.get()))
                    }
                    Op::Data(DataOp::Load(path)) if needed.contains(n) => load(prog, *n, path)?,
                    _ => continue,
                };
                if needed.contains(n) {
                    values.insert(*n, value);
                }
            }
            Effect::Loop { region, .. } | Effect::Branch { then: region, .. } => {
                let others = match effect {
                    Effect::Branch { otherwise, .. } => vec![*region, *otherwise],
                    _ => vec![*region],
                };
                if others.iter().any(|r| draws(&prog.regions[*r as usize].body)) {
                    drawing_region = Some(*region);
                }
            }
            Effect::Print(_) | Effect::Write(_) | Effect::Assert { .. } | Effect::Figure(_) | Effect::Save { .. } => {}
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// The value of every `load` in `needed` of a loop's body or a side of a
/// run-time `if` (the same file each time it runs). A draw the outputs need is
/// E0724: each iteration draws new numbers, and which side draws is decided
/// when the model runs, which a model holding constants cannot follow; `how`
/// says which of the two the body is.
pub fn body_sources(body: &Program, needed: &HashSet<NodeId>, how: &str) -> Result<HashMap<NodeId, Tensor>, Vec<Diagnostic>> {
    let mut values = HashMap::new();
    let mut errors = Vec::new();
    for effect in &body.effects {
        let Effect::Sample(n) = effect else { continue };
        if !needed.contains(n) {
            continue;
        }
        match &body.graph.node(*n).op {
            Op::Data(DataOp::Load(path)) => {
                values.insert(*n, load(body, *n, path)?);
            }
            op => errors.push(
                Diagnostic::new(
                    Code::E0724,
                    format!("cannot export: `{}` draws new numbers {how}", op.name()),
                    body.graph.meta(*n).span,
                    "the model's outputs depend on this draw",
                )
                .with_help(
                    "draw all the numbers before the loop (indexing them with the loop variable) or before the `if`, or export values that do not depend on the draw",
                ),
            ),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// Whether a region's body (or a region within it) seeds or draws.
fn draws(body: &Program) -> bool {
    body.draws_in(&body.effects)
}

/// E0720 for a draw after a loop that draws.
fn loop_draws(prog: &Program, region: u32, span: crate::span::Span) -> Diagnostic {
    Diagnostic::new(
        Code::E0720,
        "cannot export: a loop before this draw also draws from the generator",
        span,
        "the value this draw gives depends on the loop",
    )
    .with_secondary(prog.regions[region as usize].span, "this loop draws random numbers")
    .with_help("call `manual_seed(N)` after the loop, so that the draws after it do not depend on how many numbers the loop drew")
}

/// A `load`'s file, read now (its header was checked when the program compiled).
fn load(prog: &Program, node: NodeId, path: &str) -> Result<Tensor, Vec<Diagnostic>> {
    let n = prog.graph.node(node);
    let resolved = prog.resolve_path(path);
    graphc_runtime::npy::load_as(std::path::Path::new(&resolved), n.dtype, &n.shape).map_err(|e| {
        vec![Diagnostic::new(
            Code::E0660,
            format!("cannot export: {}", e.message()),
            prog.graph.meta(node).span,
            "the model would hold this file's data",
        )
        .with_help("the file must keep the dtype and shape it had when the program was compiled")]
    })
}
