//! `graphc export --to torch`: the user's program as readable PyTorch code.
//!
//! The script is made from the checked AST, not from the IR, so that it keeps the
//! user's names and structure: each `op` becomes a `torch.autograd.Function`
//! ([`defs`]), each `fn` a Python function, and the top-level statements a script
//! that prints what graphc prints ([`stmts`], [`exprs`]). Every builtin goes
//! through one table ([`table`]); a builtin or form without a PyTorch spelling is
//! an error naming it (E0740, E0741), never a guess.

mod defs;
mod exprs;
mod kinds;
mod stmts;
pub mod table;

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::syntax::ast::{File, FnDef, Item, OpDef, Stmt, StmtKind};

pub use kinds::Kind;

/// What the generated code needs imported besides `torch`.
#[derive(Default)]
struct Imports {
    math: bool,
    /// `partial` is `functools.partial`.
    functools: bool,
    /// `deepcopy` is `copy.deepcopy`.
    copy: bool,
    /// `OrderedDict` is `collections.OrderedDict`.
    collections: bool,
    numpy: bool,
    functional: bool,
    /// `from torch import nn`, for the modules and `nn.Module`.
    nn: bool,
    pyplot: bool,
    /// `_math_or_torch`, the helper for a math builtin of a value that may be
    /// a number or a tensor.
    math_or_torch: bool,
}

/// The state of one export: the program's definitions, what it imports, and the
/// errors found so far (all of them are reported, not only the first).
struct Exporter<'a> {
    source: &'a str,
    ops: HashMap<&'a str, &'a OpDef>,
    fns: HashMap<&'a str, &'a FnDef>,
    /// The file's classes, and the names an object answers to: their methods,
    /// the attributes their methods set (`self.fc = ...`) and `nn.Module`'s
    /// methods, which a call on any receiver keeps as written (`self.fc(x)`).
    classes: HashMap<&'a str, &'a crate::syntax::ast::ClassDef>,
    members: std::collections::HashSet<String>,
    /// The names top-level statements bind: a call through one of them calls the
    /// function it holds (`loss_func = nll`), in fn bodies too.
    globals: std::collections::HashSet<String>,
    /// For each op and fn, the kind of value each call passed for each parameter.
    param_kinds: HashMap<String, Vec<Option<Kind>>>,
    /// The fns that return a list or a tuple ([`kinds::Kinds::fn_returns`]).
    returns: std::rc::Rc<HashMap<String, Kind>>,
    /// The kinds of the top-level names once the statements are translated, which
    /// op and fn bodies read as globals (`warmup_iters` in a schedule fn is a number).
    global_kinds: kinds::Kinds,
    imports: Imports,
    errors: Vec<Diagnostic>,
    /// The first `save` of tensors in the forward block being written: it is
    /// `ctx.save_for_backward`; tensors saved later are `ctx` attributes
    /// (`stmts.rs`), and the backward reads each from where it was put.
    first_tensor_save: Option<crate::syntax::ast::Span>,
}

/// Translates a checked program (`file`, parsed from `source`) into a Python script
/// run by PyTorch. `origin` names the `.act` file in the script's first line.
pub fn export(file: &File, source: &str, origin: &str) -> Result<String, Vec<Diagnostic>> {
    let mut ex = Exporter {
        source,
        ops: HashMap::new(),
        fns: HashMap::new(),
        classes: HashMap::new(),
        members: defs::MODULE_METHODS.iter().map(|m| m.to_string()).collect(),
        globals: crate::check::ops::top_level_names(file).into_keys().collect(),
        param_kinds: HashMap::new(),
        returns: std::rc::Rc::new(kinds::Kinds::fn_returns(file)),
        global_kinds: kinds::Kinds::default(),
        imports: Imports::default(),
        errors: Vec::new(),
        first_tensor_save: None,
    };
    for item in &file.items {
        match item {
            Item::Op(op) => {
                ex.ops.insert(op.name.name.as_str(), op);
            }
            // A fn's first definition; a later one is written where it stands (below).
            Item::Fn(f) => {
                ex.fns.entry(f.name.name.as_str()).or_insert(f);
            }
            Item::Class(c) => {
                ex.classes.insert(c.name.name.as_str(), c);
                for m in &c.methods {
                    ex.members.insert(m.name.name.clone());
                    defs::attributes_set(&m.body, &mut ex.members);
                }
            }
            Item::Stmt(_) => {}
        }
    }
    // The top-level statements come first, so that the calls they make tell which
    // parameters of each op and fn receive host numbers; the definitions, printed
    // above them, are translated after.
    let mut top = stmts::Scope::module();
    top.kinds = kinds::Kinds::with_returns(ex.returns.clone());
    let mut script = String::new();
    // A fn defined again (`def model(xb)` a second time) is a Python `def` at the
    // same place among the statements, so that the calls before it reach the
    // earlier one; a marker holds its place until the definitions are translated.
    // So is a fn whose defaults read the program's names (`data=X_train`),
    // which Python evaluates where the `def` stands.
    let is_first = |f: &FnDef, fns: &HashMap<&str, &FnDef>| fns.get(f.name.name.as_str()).is_some_and(|d| std::ptr::eq(*d, f));
    let in_place = |f: &FnDef, fns: &HashMap<&str, &FnDef>| !is_first(f, fns) || f.defaults.iter().flatten().any(crate::check::ops::reads_names);
    let mut redefined = Vec::new();
    let mut skip = 0;
    for (i, item) in file.items.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        match item {
            // An unpacking with groups takes the statements that unpack them.
            Item::Stmt(s @ Stmt { kind: StmtKind::Unpack { targets, .. }, .. }) if targets.iter().any(|t| stmts::hidden(&t.name)) => {
                let rest: Vec<Stmt> =
                    file.items[i + 1..].iter().map_while(|it| if let Item::Stmt(s) = it { Some(s.clone()) } else { None }).collect();
                skip = ex.stmt_with_groups(s, &rest, &mut top, 0, &mut script);
            }
            Item::Stmt(s) => ex.stmt(s, &mut top, 0, &mut script),
            Item::Fn(f) if in_place(f, &ex.fns) => {
                script.push_str(&redefinition_marker(redefined.len()));
                redefined.push(f);
            }
            Item::Fn(_) | Item::Op(_) | Item::Class(_) => {}
        }
    }
    ex.global_kinds = top.kinds.clone();
    let mut defs_text = String::new();
    for item in file.items.iter().rev() {
        if let Item::Fn(f) = item {
            if !in_place(f, &ex.fns) {
                defs_text = format!("{}\n\n{}", ex.fn_def(f), defs_text);
            }
        }
    }
    for item in file.items.iter().rev() {
        if let Item::Class(c) = item {
            defs_text = format!("{}\n\n{}", ex.class_def(c), defs_text);
        }
    }
    for (k, f) in redefined.into_iter().enumerate() {
        script = script.replace(&redefinition_marker(k), &format!("\n{}\n\n", ex.fn_def(f)));
    }
    for item in file.items.iter().rev() {
        if let Item::Op(op) = item {
            defs_text = format!("{}\n\n{}", ex.op_def(op), defs_text);
        }
    }
    if !ex.errors.is_empty() {
        ex.errors.sort_by_key(|d| d.primary.span.start);
        return Err(ex.errors);
    }
    let mut out = format!("# PyTorch code exported by graphc from {origin}.\n");
    if ex.imports.collections {
        out.push_str("from collections import OrderedDict\n");
    }
    if ex.imports.copy {
        out.push_str("import copy\n");
    }
    if ex.imports.math {
        out.push_str("import math\n");
    }
    if ex.imports.functools {
        out.push_str("from functools import partial\n");
    }
    if ex.imports.numpy {
        out.push_str("import numpy as np\n");
    }
    out.push_str("import torch\n");
    if ex.imports.nn {
        out.push_str("from torch import nn\n");
    }
    if ex.imports.functional {
        out.push_str("import torch.nn.functional as F\n");
    }
    if ex.imports.pyplot {
        // A script writes its figures to files, as graphc does, with no window.
        out.push_str("import matplotlib\nmatplotlib.use(\"Agg\")\nimport matplotlib.pyplot as plt\n");
    }
    out.push_str("\n\n");
    if ex.imports.math_or_torch {
        out.push_str(MATH_OR_TORCH);
    }
    out.push_str(&defs_text);
    out.push_str(&script);
    Ok(out)
}

/// graphc's math builtins take a number or a tensor: `math`'s function of
/// numbers, `torch`'s of a tensor. The exporter calls this where it cannot tell
/// which the argument is.
const MATH_OR_TORCH: &str = "def _math_or_torch(name, *args):
    if any(isinstance(a, torch.Tensor) for a in args):
        return getattr(torch, name)(*args)
    return getattr(math, name)(*args)


";

/// A line that stands for the `k`-th redefined fn until its text is made; the
/// control characters cannot occur in a translated statement.
fn redefinition_marker(k: usize) -> String {
    format!("\u{1}redefined {k}\u{1}\n")
}
