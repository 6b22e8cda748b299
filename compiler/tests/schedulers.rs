//! `torch.optim.lr_scheduler`'s `CosineAnnealingLR`, `LambdaLR`,
//! `MultiplicativeLR`, `LinearLR`, `ConstantLR`, `PolynomialLR`,
//! `CosineAnnealingWarmRestarts`, `OneCycleLR`, `ReduceLROnPlateau`, `SequentialLR`,
//! `ChainedScheduler` and `CyclicLR`: the rate
//! of every step, printed in full, is what PyTorch 2.15 prints for the same
//! lines (the expected strings were made by running them under PyTorch), in
//! loops compiled once; chained schedulers share the first one's base rate; the
//! options are checked; and the range analysis does not report the powers of
//! a schedule as overflows.

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

/// The code and message of the first error of `program`, which must not compile.
fn first_error(program: &str) -> (Code, String) {
    match compile(program, false) {
        Ok(_) => panic!("compiled: {program}"),
        Err(d) => (d[0].code, d[0].message.clone()),
    }
}

/// Every new schedule for up to 30 steps, from a function or a `lambda`, with
/// the rate restored by cosine annealing's restart branch after `T_max`.
#[test]
fn each_schedule_gives_pytorchs_rates_bit_for_bit() {
    let program = r#"
W = zeros(3, requires_grad=true)
fn run(make, n) {
    opt = SGD([W], lr=0.1)
    sch = make(opt)
    out = []
    for epoch in range(n) {
        opt.step()
        sch.step()
        out.append(sch.get_last_lr()[0])
    }
    print(out)
}
fn lam(e) {
    return 0.9 ** e
}
run(lambda o: CosineAnnealingLR(o, T_max=7), 30)
run(lambda o: CosineAnnealingLR(o, 10, eta_min=0.001), 25)
run(lambda o: LambdaLR(o, lr_lambda=lambda epoch: 0.95 ** epoch), 12)
run(lambda o: LambdaLR(o, lambda epoch: epoch // 3), 8)
run(lambda o: LambdaLR(o, [lam]), 8)
run(lambda o: MultiplicativeLR(o, lr_lambda=lambda epoch: 0.95), 10)
run(lambda o: LinearLR(o, start_factor=0.25, total_iters=4), 8)
run(lambda o: LinearLR(o), 8)
run(lambda o: LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=6), 9)
run(lambda o: ConstantLR(o, factor=0.5, total_iters=3), 6)
run(lambda o: PolynomialLR(o, total_iters=6, power=2.0), 9)
run(lambda o: PolynomialLR(o), 8)
"#;
    let want = "\
[0.09504844339512096, 0.08117449009293669, 0.061126046697815725, 0.03887395330218429, 0.018825509907063328, 0.004951556604879048, 0.0, 0.004951556604879043, 0.018825509907063314, 0.03887395330218427, 0.06112604669781568, 0.08117449009293667, 0.09504844339512099, 0.10000000000000002, 0.09504844339512099, 0.0811744900929367, 0.061126046697815704, 0.0388739533021843, 0.018825509907063342, 0.004951556604879055, 0.0, 0.004951556604879043, 0.018825509907063477, 0.038873953302184606, 0.06112604669781624, 0.08117449009293747, 0.0950484433951218, 0.10000000000000091, 0.09504844339512183, 0.0811744900929375]
[0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599, 0.0505, 0.03520365877844011, 0.02140463001152259, 0.010453658778440109, 0.0034227024433899004, 0.001, 0.0034227024433899004, 0.01045365877844014, 0.02140463001152267, 0.035203658778440255, 0.05050000000000022, 0.06579634122156018, 0.07959536998847777, 0.09054634122156031, 0.09757729755661054, 0.10000000000000045, 0.09757729755661054, 0.09054634122156033, 0.07959536998847778, 0.0657963412215602, 0.050500000000000225]
[0.095, 0.09025, 0.0857375, 0.081450625, 0.07737809374999999, 0.07350918906249998, 0.06983372960937498, 0.06634204312890622, 0.0630249409724609, 0.05987369392383787, 0.05688000922764597, 0.05403600876626367]
[0.0, 0.0, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2]
[0.09000000000000001, 0.08100000000000002, 0.0729, 0.06561, 0.05904900000000001, 0.05314410000000001, 0.04782969000000001, 0.04304672100000001]
[0.095, 0.09025, 0.0857375, 0.08145062499999998, 0.07737809374999999, 0.07350918906249998, 0.06983372960937498, 0.06634204312890622, 0.0630249409724609, 0.05987369392383786]
[0.043750000000000004, 0.06250000000000001, 0.08125000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002]
[0.04666666666666667, 0.060000000000000005, 0.07333333333333335, 0.08666666666666668, 0.1, 0.1, 0.1, 0.1]
[0.085, 0.07, 0.05500000000000001, 0.04000000000000001, 0.025000000000000005, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002]
[0.05, 0.05, 0.1, 0.1, 0.1, 0.1]
[0.06944444444444446, 0.04444444444444447, 0.02500000000000001, 0.011111111111111117, 0.0027777777777777775, 0.0, 0.0, 0.0, 0.0]
[0.08000000000000002, 0.060000000000000005, 0.04000000000000001, 0.02, 0.0, 0.0, 0.0, 0.0]
";
    assert_eq!(run(program), want);
}

/// A linear warm-up chained with cosine annealing over 300 steps: the cosine
/// schedule's base rate is the rate before the warm-up scaled it (PyTorch's
/// `initial_lr`, set by the first scheduler), which the restart after 200
/// steps shows.
#[test]
fn chained_schedulers_share_the_first_ones_base_rate() {
    let program = r#"
W = zeros(3, requires_grad=true)
opt = SGD([W], lr=0.1)
s1 = LinearLR(opt, start_factor=0.1, total_iters=5)
s2 = CosineAnnealingLR(opt, T_max=200)
out = []
for step in range(300) {
    opt.step()
    s1.step()
    s2.step()
    out.append(s2.get_last_lr()[0])
}
print(out[::7])
"#;
    let want = "\
[0.027998272854743253, 0.09960573506572391, 0.09861849601988384, 0.09704403844771128, 0.09490137878803079, 0.09221639627510078, 0.08902152036691653, 0.0853553390593274, 0.08126213281678528, 0.07679133974894985, 0.07199695849279578, 0.06693689601226462, 0.06167226819279532, 0.056266661678215264, 0.05078536586559106, 0.04529458433407431, 0.03986063523217441, 0.03454915028125267, 0.02942428206974458, 0.024547929212481445, 0.019978988733705814, 0.01577264470356557, 0.011979701719998459, 0.008645971286271918, 0.00581171849556533, 0.003511175705587435, 0.001772129077110103, 0.0006155829702431174, 5.5506251901504864e-05, 9.866357858642205e-05, 0.0007445336922613011, 0.001985315716152842, 0.00380602337443566, 0.006184665997806828, 0.009092514128748815, 0.01249444651847702, 0.01634937432451134, 0.02061073738537635, 0.02522706657837966, 0.03014260546826102, 0.03529798373838483, 0.040630934270713834, 0.046077045213607844]
";
    assert_eq!(run(program), want);
}

/// A `LambdaLR` stepped on one side of a run-time `if`: its epoch and the
/// base rate are carried by the loop and joined by the branch.
#[test]
fn a_lambda_schedule_under_a_runtime_if_joins() {
    let program = r#"
w = zeros(2, requires_grad=true)
opt = SGD([w], lr=0.2)
sched = LambdaLR(opt, lambda step: min(1.0, (step + 1) / 3))
for i in range(6) {
    opt.step()
    if i % 2 == 0 {
        sched.step()
    }
    print(i, sched.get_last_lr())
}
"#;
    // PyTorch 2.15 prints this for the same lines.
    let want = "\
0 [0.13333333333333333]
1 [0.13333333333333333]
2 [0.2]
3 [0.2]
4 [0.2]
5 [0.2]
";
    assert_eq!(run(program), want);
}

/// `0.95 ** epoch` and `0.5 ** (epoch // 4)` of a scheduler's epoch, and
/// `PolynomialLR`'s power of a ratio in [0, 1], cannot overflow: no W0101.
#[test]
fn powers_of_a_schedule_are_not_reported_as_overflows() {
    let program = r#"
w = zeros(2, requires_grad=true)
fn decay(epoch) {
    return 0.5 ** (epoch // 4)
}
for make in [lambda o: LambdaLR(o, lambda epoch: 0.95 ** epoch), lambda o: LambdaLR(o, decay), lambda o: PolynomialLR(o, total_iters=3, power=2.0)] {
    opt = SGD([w], lr=0.1)
    sched = make(opt)
    for i in range(8) {
        opt.step()
        sched.step()
    }
    print(sched.get_last_lr())
}
"#;
    let compiled = compile(program, false).unwrap_or_else(|d| panic!("{d:?}"));
    assert!(compiled.warnings.is_empty(), "{:?}", compiled.warnings);
    // PyTorch 2.15 prints this for the same lines.
    assert_eq!(run(program), "[0.06634204312890622]\n[0.025]\n[0.0]\n");
}

/// PyTorch's checks of the factors, counts that would divide by zero, and
/// `lr_lambda`s that are not functions of the epoch returning a number.
#[test]
fn schedule_options_are_checked() {
    let head = "w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1)\n";
    let cases = [
        ("s = LinearLR(opt, start_factor=0.0)\n", "`start_factor` must be greater than 0 and at most 1, not 0"),
        ("s = LinearLR(opt, end_factor=1.5)\n", "`end_factor` must be between 0 and 1, not 1.5"),
        ("s = ConstantLR(opt, factor=2)\n", "`factor` must be greater than 0 and at most 1, not 2"),
        ("s = CosineAnnealingLR(opt, T_max=0)\n", "`T_max` must be a positive integer, not 0"),
        ("s = CosineAnnealingLR(opt)\n", "`CosineAnnealingLR` needs `T_max`"),
        ("s = PolynomialLR(opt, total_iters=0)\n", "`total_iters` must be a positive integer, not 0"),
        ("s = LambdaLR(opt, 0.5)\n", "`lr_lambda` must be a function of the epoch, not a number"),
        ("s = MultiplicativeLR(opt)\n", "`MultiplicativeLR` needs `lr_lambda`"),
        ("s = LambdaLR(opt, lambda e: ones(1))\n", "`lr_lambda` must return a Python number, not a tensor"),
    ];
    for (line, message) in cases {
        assert_eq!(first_error(&format!("{head}{line}")), (Code::E0680, message.to_string()), "{line}");
    }
}

/// `ReduceLROnPlateau` with each mode and threshold mode, patience, cooldown,
/// a floor (as a list of one) and `eps`, stepped with a list of metrics.
#[test]
fn reduce_on_plateau_gives_pytorchs_rates() {
    let program = r#"
W = zeros(3, requires_grad=true)
fn run(make, metrics) {
    opt = SGD([W], lr=0.1)
    sch = make(opt)
    out = []
    for m in metrics {
        opt.step()
        sch.step(m)
        out.append(sch.get_last_lr()[0])
    }
    print(out)
}
ms = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.9, 0.89, 0.95, 0.96, 0.97, 0.98, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
run(lambda o: ReduceLROnPlateau(o), ms * 2)
run(lambda o: ReduceLROnPlateau(o, "min", patience=2), ms)
run(lambda o: ReduceLROnPlateau(o, mode="max", factor=0.5, patience=1, threshold=0.05, threshold_mode="abs", cooldown=2, min_lr=0.02), ms)
run(lambda o: ReduceLROnPlateau(o, factor=0.5, patience=0, min_lr=[0.09], eps=0.001), ms)
"#;
    let want = "\
[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.00010000000000000003, 0.00010000000000000003, 0.00010000000000000003, 0.00010000000000000003, 0.00010000000000000003]
[0.1, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.00010000000000000003, 0.00010000000000000003, 0.00010000000000000003, 1.0000000000000004e-05, 1.0000000000000004e-05, 1.0000000000000004e-05, 1.0000000000000004e-06, 1.0000000000000004e-06, 1.0000000000000004e-06, 1.0000000000000005e-07]
[0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02]
[0.1, 0.1, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09]
";
    assert_eq!(run(program), want);
}

/// Its options are checked as PyTorch checks them, and `step` needs the metric,
/// a number or a one-element tensor.
#[test]
fn reduce_on_plateau_options_and_metric_are_checked() {
    let head = "w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1)\n";
    let cases = [
        ("s = ReduceLROnPlateau(opt, factor=1.0)\n", Code::E0680, "`factor` must be less than 1.0, not 1"),
        ("s = ReduceLROnPlateau(opt, mode=\"mid\")\n", Code::E0680, "`mode` is \"min\" or \"max\", not \"mid\""),
        ("s = ReduceLROnPlateau(opt)\ns.step()\n", Code::E0685, "`ReduceLROnPlateau.step` takes the metric"),
        ("s = ReduceLROnPlateau(opt)\ns.step(w)\n", Code::E0640, "only a one-element tensor converts to a Python number, and this one has shape [2]"),
    ];
    for (line, code, message) in cases {
        assert_eq!(first_error(&format!("{head}{line}")), (code, message.to_string()), "{line}");
    }
}

/// `OneCycleLR`'s constructor checks in PyTorch's words, the momenta graphc's
/// updates need, and that it schedules its optimizer alone; a step past
/// `total_steps` is PyTorch's ValueError when the program runs.
#[test]
fn one_cycle_options_are_checked() {
    let head = "w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1, momentum=0.9)\n";
    let cases = [
        ("s = OneCycleLR(opt, max_lr=0.1)\n", "You must define either total_steps OR (epochs AND steps_per_epoch)"),
        ("s = OneCycleLR(opt, max_lr=0.1, epochs=3)\n", "You must define either total_steps OR (epochs AND steps_per_epoch)"),
        ("s = OneCycleLR(opt, max_lr=0.1, total_steps=10, pct_start=1.5)\n", "Expected float between 0 and 1 pct_start, but got 1.5"),
        ("s = OneCycleLR(opt, max_lr=0.1, total_steps=10, anneal_strategy=\"exp\")\n", "`anneal_strategy` is \"cos\" or \"linear\", not \"exp\""),
        ("s = OneCycleLR(opt, total_steps=10)\n", "`OneCycleLR` needs `max_lr`"),
        (
            "s = OneCycleLR(opt, max_lr=0.1, total_steps=10, base_momentum=0.0)\n",
            "graphc's momentum under `OneCycleLR` needs `base_momentum` and `max_momentum` above 0",
        ),
        ("s = StepLR(opt, step_size=2)\nt = OneCycleLR(opt, max_lr=0.1, total_steps=10)\n", "`OneCycleLR` schedules its optimizer alone here"),
        // 10 * 0.1 - 1 = 0: the first phase has no steps, and PyTorch divides by zero.
        (
            "s = OneCycleLR(opt, max_lr=0.1, total_steps=10, pct_start=0.1)\n",
            "a phase of `OneCycleLR` ends at step 0 where it starts: PyTorch divides by zero there (ZeroDivisionError)",
        ),
    ];
    for (line, message) in cases {
        assert_eq!(first_error(&format!("{head}{line}")), (Code::E0680, message.to_string()), "{line}");
    }
    let adam = "w = zeros(2, requires_grad=true)\nopt = Adam([w])\ns = OneCycleLR(opt, max_lr=0.1, total_steps=10, base_momentum=0.4)\n";
    assert_eq!(first_error(adam).1, "graphc's Adam under `OneCycleLR` needs `base_momentum` and `max_momentum` above 0.5");
    let adagrad = "w = zeros(2, requires_grad=true)\nopt = Adagrad([w])\ns = OneCycleLR(opt, max_lr=0.1, total_steps=10)\n";
    assert_eq!(first_error(adagrad).1, "optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
    // Without momentum cycling Adagrad takes the schedule.
    assert!(compile(
        "w = zeros(2, requires_grad=true)\nopt = Adagrad([w])\ns = OneCycleLR(opt, max_lr=0.1, total_steps=10, cycle_momentum=false)\n",
        false
    )
    .is_ok());
}

#[test]
fn a_one_cycle_step_past_the_total_stops_the_run_with_pytorchs_error() {
    let program = "w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1, momentum=0.9)\ns = OneCycleLR(opt, max_lr=0.1, total_steps=3)\nfor i in range(4) {\n    opt.step()\n    s.step()\n    print(i)\n}\n";
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let mut out = Vec::new();
    let err = graphc_runtime::exec::run(&c.plan, &mut out).expect_err("the fourth step must fail");
    assert_eq!(String::from_utf8_lossy(&out), "0\n1\n2\n");
    assert!(err.message.contains("ValueError: Tried to step 4 times. The specified number of total steps is 3"), "{}", err.message);
}

/// A scheduled optimizer prints the `initial_lr` its first scheduler set, as
/// PyTorch's repr lists every key of the group (the text is PyTorch 2.15's).
#[test]
fn a_scheduled_optimizer_prints_its_initial_rate() {
    let out = run("w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1, momentum=0.9)\ns = StepLR(opt, step_size=2)\nt = ExponentialLR(opt, gamma=0.5)\nprint(opt)\n");
    let want = "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n    foreach: None\n    fused: None\n    initial_lr: 0.1\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n    nesterov: False\n    weight_decay: 0\n)\n";
    assert_eq!(out, want);
}

/// `CosineAnnealingWarmRestarts` with growing cycles (`T_mult=2`) and a floor,
/// and with cycles of one length: every rate, in loops compiled once, and the
/// optimizer's repr, as PyTorch 2.15 prints them for the same lines.
#[test]
fn warm_restarts_give_pytorchs_rates_bit_for_bit() {
    let program = r#"
w = zeros(3, requires_grad=true)
opt = SGD([w], lr=0.1)
s = CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.001)
out = [s.get_last_lr()[0]]
for i in range(25) {
    opt.step()
    s.step()
    out.append(s.get_last_lr()[0])
}
print(out)
w2 = zeros(3, requires_grad=true)
opt2 = SGD([w2], lr=0.05)
s2 = CosineAnnealingWarmRestarts(opt2, T_0=4)
out = []
for i in range(10) {
    opt2.step()
    s2.step()
    out.append(s2.get_last_lr()[0])
}
print(out)
print(opt2)
"#;
    let want = "\
[0.1, 0.07525000000000001, 0.025750000000000012, 0.1, 0.09336825748732973, 0.07525000000000001, 0.0505, 0.025750000000000012, 0.007631742512670284, 0.1, 0.09831332840130888, 0.09336825748732973, 0.0855017856687341, 0.07525000000000001, 0.06331154273257478, 0.0505, 0.03768845726742523, 0.025750000000000012, 0.0154982143312659, 0.007631742512670284, 0.0026866715986911243, 0.1, 0.09957652063800362, 0.09831332840130888, 0.0962320368593087, 0.09336825748732973]
[0.04267766952966369, 0.025, 0.0073223304703363135, 0.05, 0.04267766952966369, 0.025, 0.0073223304703363135, 0.05, 0.04267766952966369, 0.025]
SGD (
Parameter Group 0
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    initial_lr: 0.05
    lr: 0.025
    maximize: False
    momentum: 0
    nesterov: False
    weight_decay: 0
)
";
    assert_eq!(run(program), want);
    let head = "w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1)\n";
    assert_eq!(first_error(&format!("{head}s = CosineAnnealingWarmRestarts(opt, T_0=0)\n")).1, "`T_0` must be a positive integer, not 0");
    assert_eq!(
        first_error(&format!("{head}s = CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=0)\n")).1,
        "`T_mult` must be a positive integer, not 0"
    );
    assert_eq!(first_error(&format!("{head}s = CosineAnnealingWarmRestarts(opt)\n")).1, "`CosineAnnealingWarmRestarts` needs `T_0`");
}

/// `SequentialLR` (children that start at epoch 0 or take over at milestones,
/// repeated milestones that skip a child, an empty milestone list),
/// `ChainedScheduler`, and a `MultiStepLR` whose initial step is a milestone
/// (twice): the rate of every step, from the one of the constructor, is what
/// PyTorch 2.15 prints for the same lines.
#[test]
fn sequential_and_chained_schedulers_give_pytorchs_rates_bit_for_bit() {
    let program = r#"
W = zeros(3, requires_grad=true)
fn run(make, n) {
    opt = SGD([W], lr=0.1)
    sch = make(opt)
    out = [sch.get_last_lr()[0]]
    for epoch in range(n) {
        opt.step()
        sch.step()
        out.append(sch.get_last_lr()[0])
    }
    print(out)
}
run(lambda o: SequentialLR(o, [StepLR(o, 3, gamma=0.5), PolynomialLR(o, total_iters=6, power=2.0), MultiplicativeLR(o, lambda e: 0.95)], milestones=[3, 7]), 13)
run(lambda o: SequentialLR(o, [MultiStepLR(o, [0, 2, 2, 5], gamma=0.7), LinearLR(o, start_factor=0.5, end_factor=0.1, total_iters=4), CosineAnnealingLR(o, T_max=4, eta_min=0.003)], milestones=[0, 4]), 13)
run(lambda o: SequentialLR(o, [ConstantLR(o, factor=0.25, total_iters=0), ExponentialLR(o, gamma=0.8), LambdaLR(o, lambda e: 1.0 / (e + 1))], milestones=[2, 2]), 8)
run(lambda o: SequentialLR(o, [LinearLR(o, start_factor=0.1, total_iters=3)], milestones=[]), 5)
run(lambda o: ChainedScheduler([ConstantLR(o, factor=0.1, total_iters=2), ExponentialLR(o, gamma=0.9)]), 6)
run(lambda o: ChainedScheduler([StepLR(o, 2, 0.5), CosineAnnealingLR(o, T_max=5)], optimizer=o), 8)
run(lambda o: MultiStepLR(o, [0, 0, 2], gamma=0.5), 3)
"#;
    let want = "\
[0.1, 0.1, 0.1, 0.1, 0.06944444444444446, 0.04444444444444447, 0.02500000000000001, 0.023750000000000007, 0.022562500000000006, 0.021434375000000006, 0.020362656250000003, 0.0193445234375, 0.018377297265625, 0.017458432402343748]
[0.05, 0.04000000000000001, 0.030000000000000006, 0.020000000000000004, 0.1, 0.08579467888754756, 0.051500000000000004, 0.01720532111245245, 0.003, 0.017205321112452442, 0.05150000000000001, 0.08579467888754759, 0.10000000000000005, 0.0857946788875476]
[0.025, 0.025, 0.1, 0.05, 0.03333333333333333, 0.025, 0.020000000000000004, 0.016666666666666666, 0.014285714285714285]
[0.010000000000000002, 0.04, 0.07, 0.1, 0.1, 0.1]
[0.010000000000000002, 0.009000000000000003, 0.08100000000000003, 0.07290000000000003, 0.06561000000000003, 0.059049000000000025, 0.05314410000000002]
[0.1, 0.09045084971874738, 0.032725424859373686, 0.017274575140626316, 0.0023872875703131583, 0.0, 0.009549150281252628, 0.03454915028125265, 0.03272542485937371]
[0.025, 0.025, 0.0125, 0.0125]
";
    assert_eq!(run(program), want);
}

/// PyTorch's checks of `SequentialLR` and `ChainedScheduler`, in its words,
/// and graphc's limits on their children.
#[test]
fn sequential_and_chained_arguments_are_checked() {
    let head = "w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1)\na = StepLR(opt, 2)\nb = ExponentialLR(opt, 0.9)\n";
    let cases = [
        ("s = SequentialLR(opt, [], milestones=[])\n", "SequentialLR expects at least one scheduler, but got no scheduler."),
        ("s = ChainedScheduler([])\n", "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler."),
        (
            "s = SequentialLR(opt, [a, b], milestones=[2, 4])\n",
            "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 2 and the number of milestones to be equal to 2",
        ),
        (
            "p = ReduceLROnPlateau(opt)\ns = ChainedScheduler([a, p])\n",
            "ChainedScheduler does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be specified when calling `step`, but got one at index 1 in the given schedulers sequence.",
        ),
        (
            "v = zeros(1, requires_grad=true)\nopt2 = SGD([v], lr=0.1)\nc = StepLR(opt2, 2)\ns = SequentialLR(opt, [a, c], milestones=[3])\n",
            "SequentialLR expects all schedulers to belong to the same optimizer, but got scheduler StepLR at index 1 has another optimizer",
        ),
        ("s = SequentialLR(opt, [a, 0.5], milestones=[3])\n", "SequentialLR at index 1 should have `optimizer` as its attribute: it is a number"),
        ("s = SequentialLR(opt, [a, b, a], milestones=[5, 3])\n", "graphc needs `milestones` in increasing order"),
        ("c = LinearLR(opt, total_iters=0)\ns = SequentialLR(opt, [a, c], milestones=[3])\n", "a `LinearLR` with `total_iters=0` after a milestone divides by zero in PyTorch"),
        (
            "c = CosineAnnealingWarmRestarts(opt, T_0=3)\ns = SequentialLR(opt, [a, c], milestones=[3])\n",
            "graphc's SequentialLR does not take `CosineAnnealingWarmRestarts` at index 1",
        ),
        ("s = SequentialLR(opt, a, milestones=[])\n", "`schedulers` must be a list of schedulers, not a learning-rate scheduler"),
    ];
    for (line, message) in cases {
        assert_eq!(first_error(&format!("{head}{line}")), (Code::E0680, message.to_string()), "{line}");
    }
}

/// `CyclicLR` in each mode (triangular, triangular2 with unequal halves,
/// exp_range over Adam's first beta, custom scale functions of the step and of
/// the cycle), with and without momentum cycling: the rate of every step and
/// the optimizer's repr (its momentum, `initial_lr`, `base_momentum`,
/// `max_momentum`) are what PyTorch 2.15 prints for the same lines.
#[test]
fn cyclic_schedules_give_pytorchs_rates_and_momenta_bit_for_bit() {
    let program = r#"
W = zeros(3, requires_grad=true)
fn run(opt, make, n) {
    sch = make(opt)
    out = [sch.get_last_lr()[0]]
    moms = []
    for epoch in range(n) {
        opt.step()
        sch.step()
        out.append(sch.get_last_lr()[0])
    }
    print(out)
    print(opt)
}
run(SGD([W], lr=0.1, momentum=0.9), lambda o: CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4), 17)
run(SGD([W], lr=0.1), lambda o: CyclicLR(o, 0.001, 0.1, step_size_up=3, step_size_down=5, mode="triangular2", cycle_momentum=false), 25)
run(Adam([W], lr=0.1), lambda o: CyclicLR(o, [0.001], [0.006], step_size_up=2, mode="exp_range", gamma=0.9, base_momentum=0.85, max_momentum=0.95), 12)
run(RMSprop([W], lr=0.1, momentum=0.5), lambda o: CyclicLR(o, 0.01, 1, step_size_up=3, scale_fn=lambda x: 1 / (x + 1), scale_mode="iterations"), 9)
run(SGD([W], lr=0.1, momentum=0.9), lambda o: CyclicLR(o, 0.01, 0.05, step_size_up=2, scale_fn=lambda c: 0.5 ** c), 9)
"#;
    let want = "\
[0.01, 0.0325, 0.05500000000000001, 0.0775, 0.1, 0.0775, 0.05500000000000001, 0.0325, 0.01, 0.0325, 0.05500000000000001, 0.0775, 0.1, 0.0775, 0.05500000000000001, 0.0325, 0.01, 0.0325]
SGD (
Parameter Group 0
    base_momentum: 0.8
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    initial_lr: 0.01
    lr: 0.0325
    max_momentum: 0.9
    maximize: False
    momentum: 0.875
    nesterov: False
    weight_decay: 0
)
[0.001, 0.034, 0.067, 0.1, 0.08020000000000001, 0.0604, 0.040600000000000004, 0.020800000000000003, 0.001, 0.0175, 0.034, 0.0505, 0.040600000000000004, 0.0307, 0.020800000000000003, 0.0109, 0.001, 0.009250000000000001, 0.0175, 0.025750000000000002, 0.020800000000000003, 0.01585, 0.0109, 0.00595, 0.001, 0.005125]
SGD (
Parameter Group 0
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    initial_lr: 0.001
    lr: 0.005125
    maximize: False
    momentum: 0
    nesterov: False
    weight_decay: 0
)
[0.001, 0.0032500000000000003, 0.005050000000000001, 0.0028225000000000004, 0.001, 0.0024762250000000003, 0.003657205, 0.0021957422500000004, 0.001, 0.0019685512225, 0.0027433922005000006, 0.0017845264902250002, 0.001]
Adam (
Parameter Group 0
    amsgrad: False
    base_momentum: 0.85
    betas: (0.95, 0.999)
    capturable: False
    decoupled_weight_decay: False
    differentiable: False
    eps: 1e-08
    foreach: None
    fused: None
    initial_lr: 0.001
    lr: 0.001
    max_momentum: 0.95
    maximize: False
    weight_decay: 0
)
[0.01, 0.17500000000000007, 0.22999999999999993, 0.2575, 0.14200000000000007, 0.06499999999999995, 0.01, 0.05125000000000007, 0.08333333333333326, 0.109]
RMSprop (
Parameter Group 0
    alpha: 0.99
    base_momentum: 0.8
    capturable: False
    centered: False
    differentiable: False
    eps: 1e-08
    foreach: None
    initial_lr: 0.01
    lr: 0.109
    max_momentum: 0.9
    maximize: False
    momentum: 0.89
    weight_decay: 0
)
[0.01, 0.02, 0.03, 0.02, 0.01, 0.015, 0.02, 0.015, 0.01, 0.0125]
SGD (
Parameter Group 0
    base_momentum: 0.8
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    initial_lr: 0.01
    lr: 0.0125
    max_momentum: 0.9
    maximize: False
    momentum: 0.89375
    nesterov: False
    weight_decay: 0
)
";
    assert_eq!(run(program), want);
}

/// `CyclicLR`'s options and the momenta graphc cannot cycle.
#[test]
fn cyclic_options_are_checked() {
    let head = "w = zeros(2, requires_grad=true)\n";
    let cases = [
        ("opt = SGD([w], lr=0.1)\ns = CyclicLR(opt, 0.01)\n", "`CyclicLR` needs `max_lr`"),
        (
            "opt = SGD([w], lr=0.1)\ns = CyclicLR(opt, [0.01, 0.02], 0.1)\n",
            "`base_lr` must be a number or a list of one (graphc's optimizers have one group)",
        ),
        (
            "opt = SGD([w], lr=0.1)\ns = CyclicLR(opt, 0.01, 0.1, mode=\"sine\")\n",
            "`mode` is \"triangular\" or \"triangular2\" or \"exp_range\", not \"sine\"",
        ),
        ("opt = SGD([w], lr=0.1)\ns = CyclicLR(opt, 0.01, 0.1, step_size_up=0)\n", "`step_size_up` must be a positive integer, not 0"),
        ("opt = Adagrad([w])\ns = CyclicLR(opt, 0.01, 0.1)\n", "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"),
        (
            "opt = Adam([w])\ns = CyclicLR(opt, 0.01, 0.1, base_momentum=0.4)\n",
            "graphc's Adam under `CyclicLR` needs `base_momentum` and `max_momentum` above 0.5",
        ),
        (
            "opt = SGD([w], lr=0.1)\ns = CyclicLR(opt, 0.01, 0.1, base_momentum=0.0)\n",
            "graphc's momentum under `CyclicLR` needs `base_momentum` and `max_momentum` above 0",
        ),
        ("opt = SGD([w], lr=0.1)\na = StepLR(opt, 2)\ns = CyclicLR(opt, 0.01, 0.1)\n", "`CyclicLR` schedules its optimizer alone here"),
        ("opt = SGD([w], lr=0.1)\ns = CyclicLR(opt, 0.01, 0.1, scale_fn=2)\n", "`scale_fn` must be a function, not an integer"),
    ];
    for (line, message) in cases {
        assert_eq!(first_error(&format!("{head}{line}")), (Code::E0680, message.to_string()), "{line}");
    }
}

/// `CosineAnnealingWarmRestarts.step(epoch)` as PyTorch's docs step it within
/// an epoch (`scheduler.step(epoch + i / iters)`), with `T_mult` 1, 2 and 3,
/// and integer epochs that jump forward and back, mixed with `step()`: the
/// rates are what PyTorch 2.15 prints for the same lines.
#[test]
fn warm_restarts_stepped_to_an_epoch_give_pytorchs_rates_bit_for_bit() {
    let program = r#"
W = zeros(3, requires_grad=true)
fn run(t0, mult, epochs, iters) {
    opt = SGD([W], lr=0.1)
    scheduler = CosineAnnealingWarmRestarts(opt, T_0=t0, T_mult=mult, eta_min=0.001)
    out = []
    for epoch in range(epochs) {
        for i in range(iters) {
            opt.step()
            scheduler.step(epoch + i / iters)
            out.append(scheduler.get_last_lr()[0])
        }
    }
    print(out)
}
run(3, 1, 7, 4)
run(2, 2, 9, 3)
run(1, 3, 6, 5)
opt = SGD([W], lr=0.1)
s = CosineAnnealingWarmRestarts(opt, 4, 2)
out = []
for e in [0, 5, 13, 2, 30] {
    s.step(e)
    out.append(s.get_last_lr()[0])
    s.step()
    out.append(s.get_last_lr()[0])
}
print(out)
"#;
    let want = "\
[0.1, 0.09831332840130888, 0.09336825748732973, 0.0855017856687341, 0.07525000000000001, 0.06331154273257478, 0.0505, 0.03768845726742523, 0.025750000000000012, 0.0154982143312659, 0.007631742512670284, 0.0026866715986911243, 0.1, 0.09831332840130888, 0.09336825748732973, 0.0855017856687341, 0.07525000000000001, 0.06331154273257478, 0.0505, 0.03768845726742523, 0.025750000000000012, 0.0154982143312659, 0.007631742512670284, 0.0026866715986911243, 0.1, 0.09831332840130888, 0.09336825748732973, 0.0855017856687341]
[0.1, 0.09336825748732973, 0.07525000000000001, 0.0505, 0.025750000000000012, 0.0076317425126702955, 0.1, 0.09831332840130888, 0.09336825748732973, 0.0855017856687341, 0.07525000000000001, 0.06331154273257479, 0.0505, 0.03768845726742524, 0.02574999999999999, 0.0154982143312659, 0.0076317425126702955, 0.0026866715986911187, 0.1, 0.09957652063800362, 0.09831332840130888, 0.0962320368593087, 0.09336825748732973, 0.08977099034441613, 0.0855017856687341, 0.08063369073593167, 0.07525000000000003]
[0.1, 0.0905463412215599, 0.0657963412215599, 0.03520365877844011, 0.010453658778440109, 0.1, 0.09891830623632339, 0.09572050015330875, 0.0905463412215599, 0.08362196501476349, 0.07525000000000001, 0.06579634122155989, 0.05567415893174885, 0.04532584106825117, 0.03520365877844012, 0.025750000000000012, 0.017378034985236518, 0.010453658778440109, 0.005279499846691263, 0.0020816937636766184, 0.1, 0.0998794204878613, 0.09951826940270772, 0.09891830623632339, 0.0980824539489468, 0.09701478472890247, 0.09572050015330874, 0.09420590584651689, 0.0924783807597431, 0.0905463412215599]
[0.1, 0.08535533905932738, 0.09619397662556434, 0.08535533905932738, 0.09903926402016153, 0.09619397662556434, 0.05, 0.014644660940672627, 0.09903926402016153, 0.09784701678661045]
";
    assert_eq!(run(program), want);
    // Other schedulers' deprecated `step(epoch)` stays an error.
    let other = "w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=0.1)\ns = StepLR(opt, 2)\ns.step(3)\n";
    assert_eq!(first_error(other).0, Code::E0685);
}

/// `StepLR(optimizer, 1.0, gamma=0.1)`, as PyTorch's text classification
/// tutorial writes it: a float with an integer's value is the count, and the
/// rates are PyTorch 2.15's.
#[test]
fn a_float_step_size_with_an_integer_value_counts() {
    let out = run("w = zeros(2, requires_grad=true)\nopt = SGD([w], lr=5)\ns = StepLR(opt, 1.0, gamma=0.1)\nfor i in range(3) {\n    opt.step()\n    s.step()\n    print(s.get_last_lr())\n}\ns2 = StepLR(SGD([w], lr=1.0), step_size=2.0)\n");
    assert_eq!(out, "[0.5]\n[0.05]\n[0.005000000000000001]\n");
    let (code, msg, _) = crate::common::first_error("w = zeros(2, requires_grad=true)\ns = StepLR(SGD([w], lr=1.0), 1.5)\n");
    assert_eq!((code, msg.as_str()), (Code::E0680, "`step_size` must be a positive integer, not a number"));
}
