//! The reader of the IR text: turns what [`super::print::program`] prints back
//! into a [`Program`], such that printing the result again gives the same text.
//!
//! What reads back, and the conventions where the text shows less than the program holds:
//! - Node lines (`%i = op(params) operands : dtype[shape]  # comment`) become nodes
//!   in the order written, so the printer's numbering comes back unchanged; names
//!   need not be `%0, %1, ...` in a hand-written file, but an operand must be
//!   defined on an earlier line. The comment holds `requires_grad` (shown for
//!   forward nodes only: other nodes read back as not requiring grad, which only
//!   autodiff looks at), the note, and `@line:col`; every part may be left out
//!   (a missing position reads as `@1:1`). Ops are read by [`op_from_text`] alone.
//! - Positions: spans are byte ranges in the `.act` source, which the text does
//!   not contain. The reader writes a synthetic source instead
//!   ([`ParsedIr::source`]): lines of spaces, with each backward header's snippet
//!   at its position, so that a [`LineIndex`] over it gives back every `line:col`
//!   and snippet. A node's span is empty; a backward call's covers its snippet.
//! - Region headers give the regions; a `backward K (...)` header gives call
//!   `K`'s span, a `template: ... of OP for the call at L:C` header gives custom call
//!   `K`'s op and span. The backward call lines (`backward K at L:C: d(%R) with
//!   seed S`) give root, seed and `retain_graph`; `%?` (a value no longer in the
//!   graph) reads as [`REMOVED`]. Targets and derived reads are not shown and read
//!   back empty. Without call lines (the opt stage), roots and seeds are `REMOVED`.
//! - `saved` lines are recomputed from the graph when printed; only the names in
//!   "`x` saved by Op" are read, into the custom calls' saved values (a custom
//!   call without a template is added for names no template explains). Custom
//!   calls' inputs, outputs and returns are not shown: they read back empty or as
//!   `REMOVED`, as after autodiff removed the templates.
//! - `(N nodes, M edges)` is recomputed and ignored; a leading `== stage ... ==`
//!   line is skipped. Effects read back whole, except that `print` shows no
//!   `requires_grad=True` flag (it is set for a value without grad_fn that requires
//!   grad, as lowering does), `savefig` no span and `plot` an empty label for none.
//! - A `literal` of more than six values shows only six: the rest read back as zeros.
//! - Leaves are the forward sources marked `requires_grad`; program inputs come
//!   from the `input(K)` nodes (named by their note). Exports and input ranges are
//!   not shown and read back empty.
//!
//! Errors are [`Diagnostic`]s with code `I0001` and a span in the IR text.

mod effects;
mod ops;
mod positions;
mod regions;

use std::collections::HashMap;

use graphc_runtime::op::Op;
use graphc_runtime::DType;

use super::graph::{Node, NodeId, NodeMeta, Region};
use super::print;
use super::program::{BackwardCall, CustomCall, Program, ProgramInput, SavedValue};
use crate::diag::{Code, Diagnostic, LineIndex};
use crate::syntax::ast::Span;
pub use ops::op_from_text;
use positions::Positions;

/// The id that `%?` reads as: a value no longer in the graph (never a live node's id).
pub const REMOVED: NodeId = NodeId(u32::MAX);

/// The largest line, column, backward call, template or input number read: the
/// reader sizes its lists and its synthetic source by them.
const MAX_INDEX: usize = 1 << 20;

/// The most elements a node may have, as in the language (`randn` and the like).
const MAX_ELEMENTS: usize = 1 << 31;

/// The longest synthetic source the reader writes (positions far apart on many lines would make it huge).
const MAX_SOURCE: usize = 1 << 26;

/// A program read from IR text, with the synthetic source its spans point into.
#[derive(Clone, Debug)]
pub struct ParsedIr {
    pub program: Program,
    /// The source that the program's spans point into (see the module doc).
    pub source: String,
    /// Whether the text listed the backward calls (the graph and grad stages do).
    pub calls_listed: bool,
}

impl ParsedIr {
    /// Prints the program as the text it was read from was printed.
    pub fn print(&self) -> String {
        print_program(&self.program, &self.source, self.calls_listed)
    }
}

/// Prints `prog` with its spans read against `source`, listing the backward calls if asked.
pub fn print_program(prog: &Program, source: &str, calls_listed: bool) -> String {
    print::program(prog, &LineIndex::new(source), calls_listed.then_some(prog))
}

/// Reads IR text.
pub fn parse(text: &str) -> Result<ParsedIr, Diagnostic> {
    let mut r = Reader { text, ..Reader::default() };
    for line in text.split('\n') {
        r.line(line.strip_suffix('\r').unwrap_or(line))?;
    }
    if let Some(open) = &r.reading {
        return Err(Diagnostic::new(Code::I0001, "a loop region is not closed", Span::new(text.len(), text.len()), "the text ends here")
            .with_help(format!("end the region with `end region {}`", open.number())));
    }
    if r.positions.source_len() > MAX_SOURCE {
        return Err(Diagnostic::new(Code::I0001, "the positions shown need a source of more than 64 MiB", Span::new(0, 0), "here"));
    }
    Ok(r.finish())
}

/// A backward call line's contents.
struct CallLine {
    pos: usize,
    root: NodeId,
    seed: Option<NodeId>,
    retain_graph: bool,
}

/// The reader's state while going through the lines.
#[derive(Default)]
struct Reader<'a> {
    text: &'a str,
    prog: Program,
    names: HashMap<&'a str, NodeId>,
    region: Option<Region>,
    in_effects: bool,
    positions: Positions,
    /// The position of each node, by node index.
    node_pos: Vec<usize>,
    /// Backward call `K`'s position from its region header (with the snippet).
    backward_headers: HashMap<u32, usize>,
    calls: HashMap<u32, CallLine>,
    /// Custom call `K`'s op and position from its template header.
    template_headers: HashMap<u32, (String, usize)>,
    /// Forward values with the (name, op) pairs of "`name` saved by op", in order.
    saved: Vec<(NodeId, Vec<(String, String)>)>,
    /// The loop region whose body lines are being read.
    reading: Option<Box<regions::RegionText<'a>>>,
    /// The loop regions read.
    read_regions: Vec<regions::RegionText<'a>>,
    /// A loop body's outputs (`outputs: out0 = %5, ...`): export names and values.
    outputs: Vec<(String, NodeId)>,
}

impl<'a> Reader<'a> {
    /// A span in the text for a part of it.
    fn span_of(&self, part: &str) -> Span {
        let base = self.text.as_ptr() as usize;
        let at = (part.as_ptr() as usize).saturating_sub(base).min(self.text.len());
        Span::new(at, (at + part.len()).min(self.text.len()))
    }

    fn error(&self, part: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Code::I0001, message, self.span_of(part), "here")
    }

    fn line(&mut self, line: &'a str) -> Result<(), Diagnostic> {
        if self.reading.is_some() {
            return self.region_line(line);
        }
        if line.starts_with("region ") {
            return self.region_header(line);
        }
        if let Some(list) = line.strip_prefix("outputs: ") {
            return self.outputs_line(list);
        }
        if line.trim().is_empty() || (line.starts_with("== stage ") && self.names.is_empty()) {
            return Ok(());
        }
        if self.in_effects {
            return match line.strip_prefix("  ") {
                Some(effect) => self.effect_line(effect.trim_end()),
                None => Err(self.error(line, "expected an effect, indented by two spaces")),
            };
        }
        if line == "effects:" {
            self.in_effects = true;
            Ok(())
        } else if line == "forward:" {
            self.region = Some(Region::Forward);
            Ok(())
        } else if line.starts_with("backward ") && line.ends_with(':') {
            self.backward_header(line)
        } else if line.starts_with("backward ") {
            self.call_line(line)
        } else if line.starts_with("template") && line.ends_with(':') {
            self.template_header(line)
        } else if line.starts_with("  %") {
            self.node_line(line)
        } else if let Some(saved) = line.strip_prefix("  saved") {
            self.saved_line(saved)
        } else if line.starts_with('(') && line.ends_with(" edges)") {
            Ok(())
        } else {
            Err(self.error(line, "expected a region header, a node, a backward call or `effects:`"))
        }
    }

    /// `outputs: outJ = %N, ...`: the body value of each output of a loop body.
    fn outputs_line(&mut self, list: &'a str) -> Result<(), Diagnostic> {
        for item in list.split(", ") {
            let (name, value) = item.split_once(" = ").ok_or_else(|| self.error(item, "expected `outJ = %N`"))?;
            let j = name.strip_prefix("out").ok_or_else(|| self.error(name, "expected an output name `outJ`"))?;
            let j = self.index(j, "output")?;
            let node = self.node_ref(value)?;
            self.outputs.push((crate::ir::program::LoopRegion::output_name(j as usize), node));
        }
        Ok(())
    }

    /// `%N` (a defined value) or `%?` (a removed one).
    fn value_ref(&self, name: &'a str) -> Result<NodeId, Diagnostic> {
        if name == "%?" {
            return Ok(REMOVED);
        }
        self.names.get(name).copied().ok_or_else(|| self.error(name, format!("`{name}` is not defined on an earlier line")))
    }

    /// A value that must be in the graph.
    fn node_ref(&self, name: &'a str) -> Result<NodeId, Diagnostic> {
        match self.value_ref(name)? {
            REMOVED => Err(self.error(name, "`%?` stands for no value here")),
            n => Ok(n),
        }
    }

    /// `L:C` as numbers.
    fn line_col(&self, text: &'a str) -> Result<(usize, usize), Diagnostic> {
        let pair = text.split_once(':').and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)));
        let (l, c) = pair.ok_or_else(|| self.error(text, "expected a position `LINE:COL`"))?;
        if l > MAX_INDEX || c > MAX_INDEX {
            return Err(self.error(text, format!("a line or column above {MAX_INDEX}")));
        }
        Ok((l, c))
    }

    /// A backward call's, template's or input's number, bounded so that the lists it sizes stay small.
    fn index(&self, text: &'a str, what: &str) -> Result<u32, Diagnostic> {
        match text.parse::<u32>() {
            Ok(k) if (k as usize) <= MAX_INDEX => Ok(k),
            _ => Err(self.error(text, format!("expected a {what} number up to {MAX_INDEX}"))),
        }
    }

    /// `backward K (L:C: SNIPPET):` or `backward K:`.
    fn backward_header(&mut self, line: &'a str) -> Result<(), Diagnostic> {
        let rest = &line["backward ".len()..line.len() - 1];
        let (k, info) = match rest.split_once(" (") {
            Some((k, info)) => (k, Some(info.strip_suffix(')').ok_or_else(|| self.error(line, "expected `)` before the final `:`"))?)),
            None => (rest, None),
        };
        let k = self.index(k, "backward call")?;
        if let Some(info) = info {
            let (l, rest) = info.split_once(':').ok_or_else(|| self.error(info, "expected `LINE:COL: SNIPPET`"))?;
            let (c, snippet) = rest.split_once(": ").ok_or_else(|| self.error(info, "expected `LINE:COL: SNIPPET`"))?;
            let (l, c) = self.line_col(&info[..l.len() + 1 + c.len()])?;
            let pos = self.positions.add(l, c, Some(snippet.to_string()));
            self.backward_headers.insert(k, pos);
        }
        self.region = Some(Region::Backward(k));
        Ok(())
    }

    /// `template: backward block of OP for the call at L:C:` or `template K:`.
    fn template_header(&mut self, line: &'a str) -> Result<(), Diagnostic> {
        let body = &line[..line.len() - 1];
        if let Some(k) = body.strip_prefix("template ") {
            let k = self.index(k, "template")?;
            self.region = Some(Region::Template(k));
            return Ok(());
        }
        let info = body.strip_prefix("template: backward block of ");
        let (op, at) = info
            .and_then(|i| i.rsplit_once(" for the call at "))
            .ok_or_else(|| self.error(line, "expected `template: backward block of OP for the call at LINE:COL:` or `template K:`"))?;
        let (l, c) = self.line_col(at)?;
        let pos = self.positions.add(l, c, None);
        // Templates are numbered by their custom call, in the order lowering made them;
        // each template's nodes are contiguous, so each header starts the next one.
        let k = self.template_headers.len() as u32;
        self.template_headers.insert(k, (op.to_string(), pos));
        self.region = Some(Region::Template(k));
        Ok(())
    }

    /// `backward K at L:C: d(%R) with seed S[, retain_graph]`.
    fn call_line(&mut self, line: &'a str) -> Result<(), Diagnostic> {
        let bad = || self.error(line, "expected `backward K at LINE:COL: d(%ROOT) with seed %SEED|ones[, retain_graph]`");
        let rest = &line["backward ".len()..];
        let (k, rest) = rest.split_once(" at ").ok_or_else(bad)?;
        let k = self.index(k, "backward call")?;
        let (at, rest) = rest.split_once(": d(").ok_or_else(bad)?;
        let (l, c) = self.line_col(at)?;
        let (root, rest) = rest.split_once(") with seed ").ok_or_else(bad)?;
        let (seed, retain_graph) = match rest.strip_suffix(", retain_graph") {
            Some(seed) => (seed, true),
            None => (rest, false),
        };
        let seed = if seed == "ones" { None } else { Some(self.value_ref(seed)?) };
        let call = CallLine { pos: self.positions.add(l, c, None), root: self.value_ref(root)?, seed, retain_graph };
        self.calls.insert(k, call);
        self.region = None;
        Ok(())
    }

    /// `saved %N (WHAT): ...` or `saved: none`: only the names an op saved are kept.
    fn saved_line(&mut self, rest: &'a str) -> Result<(), Diagnostic> {
        if rest == ": none" {
            return Ok(());
        }
        let bad = || self.error(rest, "expected `saved %N (WHAT): DTYPE[SHAPE], B bytes, read by ...`");
        let (name, rest) = rest.trim_start().split_once(" (").ok_or_else(bad)?;
        let (what, _) = rest.rsplit_once("): ").ok_or_else(bad)?;
        let node = self.node_ref(name)?;
        if let Some(pairs) = saved_by(what) {
            if !self.saved.iter().any(|(n, _)| *n == node) {
                self.saved.push((node, pairs));
            }
        }
        Ok(())
    }

    /// A node line.
    fn node_line(&mut self, line: &'a str) -> Result<(), Diagnostic> {
        let region = self.region.ok_or_else(|| self.error(line, "a node before any region header (`forward:`, `backward K ...:`)"))?;
        let body = line.trim();
        let (body, comment) = match body.find("  # ") {
            Some(i) => (&body[..i], &body[i + 4..]),
            None => (body, ""),
        };
        let bad = || self.error(body, "expected `%N = OP OPERANDS : DTYPE[SHAPE]`");
        let (name, rest) = body.split_once(" = ").ok_or_else(bad)?;
        if self.names.contains_key(name) || name == "%?" || name.contains(' ') {
            return Err(self.error(name, format!("`{name}` is defined twice or is not a name")));
        }
        let (op_text, ty) = rest.rsplit_once(" : ").ok_or_else(bad)?;
        let (dtype, shape) = self.node_type(ty)?;
        let name_end = op_text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(op_text.len());
        let mut after = &op_text[name_end..];
        let mut params = None;
        if let Some(p) = after.strip_prefix('(') {
            let close = p.find(')').ok_or_else(|| self.error(after, "expected `)` after the op's parameters"))?;
            params = Some(&p[..close]);
            after = &p[close + 1..];
        }
        let shown = &op_text[..op_text.len() - after.len()];
        let op = op_from_text(&op_text[..name_end], params).ok_or_else(|| self.error(shown, format!("unknown op or bad parameters `{shown}`")))?;
        let mut operands = Vec::new();
        if !after.trim().is_empty() {
            for o in after.trim().split(", ") {
                operands.push(self.node_ref(o.trim())?);
            }
        }
        if let Op::Input(k) = op {
            self.index(&k.to_string(), "input")?;
        }
        if operands.len() != op.arity() {
            return Err(self.error(op_text, format!("`{}` takes {} operands, not {}", op.name(), op.arity(), operands.len())));
        }
        let (requires_grad, note, pos) = self.comment(comment, region)?;
        let meta = NodeMeta { span: Span::default(), region, requires_grad, note };
        let id = self.prog.graph.add(Node { op, dtype, shape }, &operands, meta);
        self.names.insert(name, id);
        self.node_pos.push(pos);
        Ok(())
    }

    /// `f32[2, 3]`.
    fn node_type(&self, ty: &'a str) -> Result<(DType, Vec<usize>), Diagnostic> {
        let bad = || self.error(ty, "expected a type such as `f32[DIMS]` (the dtypes are f32, f64, i64 and bool)");
        let (dtype, dims) = ty.split_once('[').ok_or_else(bad)?;
        let dtype = DType::from_act_name(dtype).ok_or_else(bad)?;
        let dims = dims.strip_suffix(']').ok_or_else(bad)?;
        let shape: Vec<usize> =
            if dims.is_empty() { vec![] } else { dims.split(", ").map(|d| d.parse::<usize>()).collect::<Result<_, _>>().map_err(|_| bad())? };
        // The language's own limit: more elements than that could not be computed anyway.
        match shape.iter().try_fold(1usize, |n, d| n.checked_mul(*d)) {
            Some(n) if n <= MAX_ELEMENTS => Ok((dtype, shape)),
            _ => Err(self.error(ty, format!("a shape of more than {MAX_ELEMENTS} elements"))),
        }
    }

    /// `[requires_grad, ][NOTE, ]@L:C`, every part optional; returns the flag, note and position.
    fn comment(&mut self, comment: &'a str, region: Region) -> Result<(bool, Option<String>, usize), Diagnostic> {
        let (mut rest, at) = match comment.rfind('@') {
            Some(i) if comment[i + 1..].split_once(':').is_some_and(|(l, c)| l.parse::<usize>().is_ok() && c.parse::<usize>().is_ok()) => {
                (comment[..i].strip_suffix(", ").unwrap_or(&comment[..i]), Some(&comment[i + 1..]))
            }
            _ => (comment, None),
        };
        let (l, c) = match at {
            Some(at) => self.line_col(at)?,
            None => (1, 1),
        };
        let mut requires_grad = false;
        if region == Region::Forward {
            if let Some(r) = rest.strip_prefix("requires_grad").filter(|r| r.is_empty() || r.starts_with(", ")) {
                requires_grad = true;
                rest = r.strip_prefix(", ").unwrap_or(r);
            }
        }
        let note = (!rest.is_empty()).then(|| rest.to_string());
        Ok((requires_grad, note, self.positions.add(l, c, None)))
    }

    /// Builds the program from what the lines said.
    fn finish(self) -> ParsedIr {
        let (source, spans) = self.positions.build();
        let calls_listed = self.any_calls();
        let (program, _) = self.into_program(&spans);
        ParsedIr { program, source, calls_listed }
    }

    /// The program read, with spans from `spans`; also whether it listed backward calls.
    fn into_program(mut self, spans: &[Span]) -> (Program, bool) {
        let prog = &mut self.prog;
        for (i, pos) in self.node_pos.iter().enumerate() {
            prog.graph.meta_mut(NodeId(i as u32)).span = spans[*pos];
        }
        let calls_listed = !self.calls.is_empty();
        let backwards = self.backward_headers.keys().chain(self.calls.keys()).map(|k| k + 1).max().unwrap_or(0);
        for k in 0..backwards {
            let call = self.calls.get(&k);
            let pos = self.backward_headers.get(&k).or(call.map(|c| &c.pos));
            prog.backwards.push(BackwardCall {
                span: pos.map(|p| spans[*p]).unwrap_or_default(),
                root: call.map_or(REMOVED, |c| c.root),
                seed: call.map_or(Some(REMOVED), |c| c.seed),
                retain_graph: call.is_some_and(|c| c.retain_graph),
                targets: Vec::new(),
                derived: None,
            });
        }
        let templates = self.template_headers.keys().map(|k| k + 1).max().unwrap_or(0);
        for k in 0..templates {
            let (op_name, span) = self.template_headers.get(&k).map(|(op, p)| (op.clone(), spans[*p])).unwrap_or_default();
            let params = template_params(prog, k);
            let grad_param = params.iter().find(|(i, _)| *i == 0).map_or(REMOVED, |(_, n)| *n);
            let call =
                CustomCall { op_name, span, inputs: vec![], output: REMOVED, grad_param, saved: vec![], returns: vec![], extra_outputs: vec![] };
            prog.custom_calls.push(call);
        }
        attach_saved(prog, &self.saved);
        prog.exports.extend(std::mem::take(&mut self.outputs));
        for n in prog.graph.ids() {
            let (meta, node) = (prog.graph.meta(n), prog.graph.node(n));
            // A detach that requires grad is a leaf made by `requires_grad_()` or
            // by an update under `no_grad` (a detach never requires grad otherwise).
            let detach_leaf = matches!(node.op, Op::Unary(graphc_runtime::op::Unary::Detach));
            if meta.region == Region::Forward && meta.requires_grad && (node.op.arity() == 0 || detach_leaf) {
                prog.leaves.push(n);
            }
            if let Op::Input(k) = node.op {
                let k = k as usize;
                while prog.inputs.len() <= k {
                    let name = format!("input{}", prog.inputs.len());
                    prog.inputs.push(ProgramInput {
                        name,
                        node: None,
                        dtype: DType::F32,
                        shape: vec![],
                        requires_grad: false,
                        span: Span::default(),
                    });
                }
                let name = meta.note.clone().unwrap_or_else(|| format!("input{k}"));
                prog.inputs[k] = ProgramInput::of_node(name, n, node, meta);
            }
        }
        Self::add_regions(std::mem::take(&mut self.read_regions), &mut self.prog, spans);
        (self.prog, calls_listed)
    }
}

/// The `Param` nodes of template `k` with their parameter numbers.
fn template_params(prog: &Program, k: u32) -> Vec<(u32, NodeId)> {
    let g = &prog.graph;
    g.ids()
        .into_iter()
        .filter(|n| g.meta(*n).region == Region::Template(k))
        .filter_map(|n| match g.node(n).op {
            Op::Param(i) => Some((i, n)),
            _ => None,
        })
        .collect()
}

/// Gives the custom calls the saved values the `saved` lines name. The printer
/// lists a value's savers by call, then in save order; so each value's pairs go
/// to the first call at or after the previous pair's call that has the op's
/// name, or to a new call of that op.
fn attach_saved(prog: &mut Program, saved: &[(NodeId, Vec<(String, String)>)]) {
    for (node, pairs) in saved {
        let mut at = 0;
        for (name, op) in pairs {
            at = match prog.custom_calls.iter().skip(at).position(|c| c.op_name == *op) {
                Some(i) => at + i,
                None => {
                    let call = CustomCall {
                        op_name: op.clone(),
                        span: Span::default(),
                        inputs: vec![],
                        output: REMOVED,
                        grad_param: REMOVED,
                        saved: vec![],
                        returns: vec![],
                        extra_outputs: vec![],
                    };
                    prog.custom_calls.push(call);
                    prog.custom_calls.len() - 1
                }
            };
            // The template's parameter for the value is the `Param` noted `saved NAME`, when the template is there.
            let note = format!("saved {name}");
            let param = template_params(prog, at as u32).into_iter().find(|(_, p)| prog.graph.meta(*p).note.as_deref() == Some(&note));
            let param = param.map_or(REMOVED, |(_, p)| p);
            prog.custom_calls[at].saved.push(SavedValue { name: name.clone(), forward: *node, param });
        }
    }
}

/// "`a` saved by F, `b` saved by G" as pairs, or `None` for any other text.
fn saved_by(what: &str) -> Option<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    let mut rest = what;
    while !rest.is_empty() {
        let (name, after) = rest.strip_prefix('`')?.split_once("` saved by ")?;
        let end = after.find(", `").unwrap_or(after.len());
        pairs.push((name.to_string(), after[..end].to_string()));
        rest = after[end..].strip_prefix(", ").unwrap_or(&after[end..]);
    }
    (!pairs.is_empty()).then_some(pairs)
}
