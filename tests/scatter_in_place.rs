//! A scatter that is its operand's last reader writes into the operand's buffer
//! (`exec/donate.rs`): the tape of a loop under a backward, and a
//! preallocated tensor filled row by row in a loop, cost one row per iteration
//! instead of a copy of the whole tensor, and the results do not change.

use graphc_compiler::driver::compile;
use graphc_runtime::exec::{donations, strided_transposes, Machine};
use graphc_runtime::op::IndexOp;
use graphc_runtime::plan::{Plan, Step};
use graphc_runtime::Op;

/// An RNN of 16 units over `trip` time steps, differentiated through the loop
/// (its forward keeps each step's hidden state on a tape), and a tensor of
/// `trip` rows filled in a second loop.
fn program(trip: usize) -> String {
    format!(
        "manual_seed(0)
w = randn(16, 16) * 0.2
w.requires_grad_()
x = randn(1, 16)
h = zeros(1, 16)
for t in range({trip}) {{
    h = tanh(h @ w + x)
}}
h.sum().backward()
print(w.grad.sum())
rows = zeros({trip}, 16)
no_grad {{
    for t in range({trip}) {{
        rows[t] = h[0] * t
    }}
}}
print(rows.sum())
"
    )
}

fn compiled(trip: usize) -> Plan {
    compile(&program(trip), false).unwrap_or_else(|d| panic!("the program does not compile: {d:?}")).plan
}

/// The scatters of every loop body, and how many of them write in place.
fn scatters(plan: &Plan) -> (usize, usize) {
    let (mut all, mut in_place) = (0, 0);
    for step in &plan.steps {
        let Step::Loop(l) = step else { continue };
        let found = donations(&l.body, &strided_transposes(&l.body));
        for s in &l.body.steps {
            if let Step::Compute { out, op: Op::Index(IndexOp::ScatterInto { .. }), .. } = s {
                all += 1;
                in_place += usize::from(found.operand(*out).is_some());
            }
        }
    }
    (all, in_place)
}

#[test]
fn the_tape_and_a_row_by_row_fill_are_written_in_place() {
    let plan = compiled(20);
    let (all, in_place) = scatters(&plan);
    assert!(all >= 2, "the tape and the fill are scatters in loop bodies ({all} found)");
    assert_eq!(in_place, all, "every scatter in these loops is its operand's last reader");
}

#[test]
fn a_longer_loop_allocates_no_more_and_holds_only_its_longer_tensors() {
    let run = |trip: usize| {
        let plan = compiled(trip);
        let mut m = Machine::new(&plan).unwrap();
        let mut out = Vec::new();
        m.run(&plan, &mut out).unwrap();
        // The compile-time count follows the machine's (`schedule::peak`), up to
        // the fused kernels' per-thread scratch, which it leaves out.
        let expected = graphc_compiler::schedule::peak::peak(&plan).bytes;
        let held = m.peak_bytes() as u128;
        assert!(expected <= held && held <= expected + (1 << 20), "{trip} steps: compile-time peak {expected}, machine {held}");
        (m.allocated_bytes(), m.peak_bytes(), String::from_utf8(out).unwrap())
    };
    let (short, _, short_out) = run(50);
    let (long, _, long_out) = run(250);
    // Copying scatters allocated a whole tape (or fill) per iteration: 200 more
    // iterations of 64-byte rows would add at least 200 x 50 x 64 bytes. In
    // place, only the longer tape, the longer fill and their zeros grow:
    // 200 more rows of 64 bytes for each, a few times over.
    let grown = long - short;
    assert!(grown <= 8 * 200 * 64, "200 more iterations allocated {grown} more bytes");
    assert!(short_out.contains("tensor(") && long_out.contains("tensor("), "both runs print their results");
}

/// The loops print what the same program prints with its loops unrolled by
/// hand, where no scatter consumes a loop's carried input.
#[test]
fn results_are_those_of_the_unrolled_program() {
    let trip = 6;
    let plan = compiled(trip);
    let (looped, _) = graphc_runtime::exec::run_capture(&plan).unwrap();
    let mut unrolled = String::from("manual_seed(0)\nw = randn(16, 16) * 0.2\nw.requires_grad_()\nx = randn(1, 16)\nh = zeros(1, 16)\n");
    for _ in 0..trip {
        unrolled.push_str("h = tanh(h @ w + x)\n");
    }
    unrolled.push_str(&format!("h.sum().backward()\nprint(w.grad.sum())\nrows = zeros({trip}, 16)\nno_grad {{\n"));
    for t in 0..trip {
        unrolled.push_str(&format!("    rows[{t}] = h[0] * {t}\n"));
    }
    unrolled.push_str("}\nprint(rows.sum())\n");
    let plan = compile(&unrolled, false).unwrap_or_else(|d| panic!("the unrolled program does not compile: {d:?}")).plan;
    let (straight, _) = graphc_runtime::exec::run_capture(&plan).unwrap();
    assert_eq!(looped, straight);
}
