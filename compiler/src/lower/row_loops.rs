//! `for row in x` over a tensor with more rows than `loops.rs` unrolls.
//!
//! The loop is compiled as PyTorch runs it: once, as a region over
//! `range(len(x))` whose body first reads `row = x[i]` at the run-time index
//! (`dyn_index.rs`). The statement is rewritten into that loop: the tensor is
//! bound to a hidden name (one with a space, which no program can write) so
//! that the region receives it as any other value of the state, and the names
//! are dropped again after the loop.

use crate::syntax::ast::{Arg, Block, Expr, ExprKind, ForStmt, Ident, IndexItem, Stmt, StmtKind};

use super::{BodyKind, Lowerer, Scope, Value};
use crate::ir::graph::NodeId;

/// The hidden name of the tensor whose rows the loop reads.
const ROWS: &str = "rows of the loop";
/// The hidden name of the loop's index.
const INDEX: &str = "row index of the loop";

impl Lowerer<'_> {
    /// Lowers `for row in x` over the `n` rows of `t` as a region.
    pub(super) fn row_loop(&mut self, f: &ForStmt, t: NodeId, n: usize, scope: &mut Scope, kind: BodyKind) {
        let at = f.iter.span;
        let name = |s: &str| Expr { kind: ExprKind::Name(s.to_string()), span: at };
        let read_row = Stmt {
            kind: StmtKind::Assign {
                target: f.var.clone(),
                value: Expr { kind: ExprKind::Index { receiver: Box::new(name(ROWS)), items: vec![IndexItem::Expr(name(INDEX))] }, span: at },
            },
            span: at,
        };
        let mut stmts = vec![read_row];
        stmts.extend(f.body.stmts.iter().cloned());
        let range = Expr {
            kind: ExprKind::Call {
                callee: Ident { name: "range".to_string(), span: at },
                args: vec![Arg {
                    name: None,
                    value: Expr { kind: ExprKind::Number { value: n as f64, is_int: true, exact: Some(n as i128) }, span: at },
                }],
            },
            span: at,
        };
        let rewritten = ForStmt { var: Ident { name: INDEX.to_string(), span: f.var.span }, iter: range, body: Block { stmts, span: f.body.span } };
        self.bind(ROWS, Value::Tensor(t), scope, kind);
        self.for_stmt(&rewritten, scope, kind);
        for hidden in [ROWS, INDEX] {
            scope.names.remove(hidden);
            self.globals.remove(hidden);
        }
    }
}
