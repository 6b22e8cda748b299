//! Long straight-line programs compile without overflowing the stack. Timing is
//! not asserted here (tests run on shared machines); it is measured by the
//! criterion bench `compile_chain` and recorded in docs/PERFORMANCE.md.

use graphc_compiler::driver::compile;

#[test]
fn a_20000_line_chain_compiles_in_debug_mode() {
    let lines = 20_000;
    let mut source = String::from("h0 = randn(4, requires_grad=true)\n");
    for i in 1..=lines {
        source += &format!("h{i} = tanh(h{} * 1.0001 + 0.001)\n", i - 1);
    }
    // The print keeps the whole chain and its backward alive through the passes,
    // so that the scheduler walks it too.
    source += &format!("h{lines}.sum().backward()\nprint(h0.grad)\n");
    let compiled = compile(&source, false).unwrap_or_else(|d| panic!("the chain does not compile: {:?}", d.first().map(|d| &d.message)));
    // Forward (tanh, add, mul per line, constants shared) and backward both remain.
    assert!(compiled.optimized.graph.node_count() > 4 * lines, "{} nodes", compiled.optimized.graph.node_count());
}
