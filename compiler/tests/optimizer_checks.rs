//! What the optimizers accept and reject when compiling: PyTorch's signatures,
//! defaults and constructor checks, and the parameters they can update.

use graphc_compiler::diag::{Code, Diagnostic};
use graphc_compiler::driver::compile;

const W: &str = "w = randn(3, requires_grad=true)\n";

fn diags(body: &str) -> Vec<Diagnostic> {
    match compile(&format!("{W}{body}"), false) {
        Ok(_) => vec![],
        Err(diags) => diags,
    }
}

fn codes(body: &str) -> Vec<Code> {
    diags(body).iter().map(|d| d.code).collect()
}

#[test]
fn pytorch_signatures_compile_by_name_and_by_position() {
    for body in [
        "opt = SGD([w], lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01, nesterov=false)\n",
        "opt = SGD([w], 0.1, 0.9, 0, 0, true)\n",
        "opt = SGD(params=(w,), lr=0.1)\n",
        "opt = Adam([w], lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=true)\n",
        "opt = AdamW([w])\n",
        "opt = Adam([w], 0.01, [0.5, 0.9])\nopt.step()\nopt.zero_grad()\n",
        "opt = RMSprop([w], lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.5, centered=true, maximize=true)\n",
        "opt = RMSprop([w], 0.01, 0.9, 1e-6, 0, 0.5, true)\nopt.step()\nopt.zero_grad()\n",
        "opt = Adagrad([w], lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-8, maximize=true)\n",
        "opt = Adagrad([w], 0.1, 0.01, 0, 0.5, 1e-8)\nopt.step()\nopt.zero_grad()\n",
        "opt = NAdam([w], lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, momentum_decay=0.01, decoupled_weight_decay=true, maximize=true)\n",
        "opt = NAdam([w], 0.01, (0.8, 0.99), 1e-6, 0.1, 0.01, true)\nopt.step()\nopt.zero_grad()\n",
        "opt = RAdam([w], lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, decoupled_weight_decay=true, maximize=true)\n",
        "opt = RAdam([w], 0.01, (0.8, 0.99), 1e-6, 0.1, true)\nopt.step()\nopt.zero_grad()\n",
        "opt = Adamax([w], lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, maximize=true)\n",
        "opt = Adamax([w], 0.01, (0.8, 0.99), 1e-6, 0.1)\nopt.step()\nopt.zero_grad()\n",
        "opt = Adadelta([w], lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=true)\n",
        "opt = Adadelta([w], 0.5, 0.8, 1e-5, 0.1)\nopt.step()\nopt.zero_grad()\n",
        "opt = ASGD([w], lr=0.1, lambd=0.01, alpha=0.5, t0=10, weight_decay=0.1, maximize=true)\n",
        "opt = ASGD([w], 0.1, 0.01, 0.5, 10, 0.1)\nopt.step()\nopt.zero_grad()\n",
        "opt = Rprop([w], lr=0.1, etas=(0.4, 1.1), step_sizes=(1e-4, 1), maximize=true)\n",
        "opt = Rprop([w], 0.1, [0.4, 1.1], (1e-4, 1))\nopt.step()\nopt.zero_grad()\n",
    ] {
        assert_eq!(codes(body), vec![], "{body}");
    }
}

#[test]
fn options_that_do_not_exist_or_are_not_supported_are_e0680() {
    assert_eq!(codes("opt = SGD([w], lr=0.1, betas=(0.9, 0.99))\n"), vec![Code::E0680]);
    assert_eq!(codes("opt = Adam([w], fused=true)\n"), vec![Code::E0680]);
    // `maximize` is keyword-only, as in PyTorch.
    assert_eq!(codes("opt = Adam([w], maximize=true)\n"), vec![]);
    assert_eq!(codes("opt = SGD([w], lr=0.1, lr=0.2)\n"), vec![Code::E0680]);
    assert_eq!(codes("opt = SGD([w], 0.1, 0.9, 0, 0, true, 1)\n"), vec![Code::E0680]);
    // RMSprop has no `betas`, and `centered` must be a bool.
    assert_eq!(codes("opt = RMSprop([w], betas=(0.9, 0.99))\n"), vec![Code::E0680]);
    assert_eq!(codes("opt = RMSprop([w], centered=1)\n"), vec![Code::E0684]);
    // NAdam has no `amsgrad`; Adam has no `momentum_decay`.
    assert_eq!(codes("opt = NAdam([w], amsgrad=true)\n"), vec![Code::E0680]);
    assert_eq!(codes("opt = Adam([w], momentum_decay=0.01)\n"), vec![Code::E0680]);
    assert_eq!(codes("opt = RAdam([w], momentum_decay=0.01)\n"), vec![Code::E0680]);
    // Adagrad has no momentum; PyTorch's `fused` path is not the one graphc runs.
    assert_eq!(codes("opt = Adagrad([w], momentum=0.9)\n"), vec![Code::E0680]);
    assert_eq!(codes("opt = Adagrad([w], fused=true)\n"), vec![Code::E0680]);
    // Rprop has no weight decay and ASGD no `eps`; Adamax has no `amsgrad`.
    assert_eq!(codes("opt = Rprop([w], weight_decay=0.1)\n"), vec![Code::E0680]);
    assert_eq!(codes("opt = ASGD([w], eps=1e-8)\n"), vec![Code::E0680]);
    assert_eq!(codes("opt = Adamax([w], amsgrad=true)\n"), vec![Code::E0680]);
    assert_eq!(codes("opt = Rprop([w], 0.1, (0.5, 1.2), (1e-6, 50), true)\n"), vec![Code::E0680]);
    assert_eq!(codes("opt = Rprop([w], etas=0.5)\n"), vec![Code::E0684]);
}

#[test]
fn parameters_must_be_a_list_of_distinct_requires_grad_leaves() {
    assert_eq!(codes("opt = SGD(w, lr=0.1)\n"), vec![Code::E0681]);
    assert_eq!(codes("opt = SGD([], lr=0.1)\n"), vec![Code::E0681]);
    assert_eq!(codes("opt = SGD(lr=0.1)\n"), vec![Code::E0681]);
    assert_eq!(codes("opt = SGD([w, w], lr=0.1)\n"), vec![Code::E0681]);
    assert_eq!(codes("opt = SGD([w, randn(3)], lr=0.1)\n"), vec![Code::E0681]);
    assert_eq!(codes("opt = SGD([w, 2], lr=0.1)\n"), vec![Code::E0681]);
    assert_eq!(codes("opt = SGD([arange(3)], lr=0.1)\n"), vec![Code::E0682]);
}

#[test]
fn values_pytorch_rejects_are_e0683_with_its_message_at_the_option() {
    let src = format!("{W}opt = Adam([w], betas=(0.9, 1.0))\n");
    let d = diags("opt = Adam([w], betas=(0.9, 1.0))\n");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, Code::E0683);
    assert!(d[0].message.contains("Invalid beta parameter at index 1: 1.0"), "{}", d[0].message);
    assert_eq!(&src[d[0].primary.span.start..d[0].primary.span.end], "(0.9, 1.0)");
    // An int prints as Python prints it, as in PyTorch's `Invalid learning rate: -1`.
    let d = diags("opt = SGD([w], lr=-1)\n");
    assert!(d[0].message.ends_with("Invalid learning rate: -1"), "{}", d[0].message);
    for body in [
        "opt = SGD([w], lr=-1e-3)\n",
        "opt = SGD([w], lr=0.1, momentum=-0.5)\n",
        "opt = SGD([w], lr=0.1, nesterov=true)\n",
        "opt = SGD([w], lr=0.1, momentum=0.9, dampening=0.5, nesterov=true)\n",
        "opt = Adam([w], eps=-1e-8)\n",
        "opt = AdamW([w], weight_decay=-0.01)\n",
        // PyTorch's Adam wants two floats: `betas must be either both floats or both Tensors`.
        "opt = Adam([w], betas=(0, 0.5))\n",
        "opt = RMSprop([w], alpha=-0.5)\n",
        "opt = RMSprop([w], momentum=-0.9)\n",
        "opt = RMSprop([w], eps=-1e-8)\n",
        "opt = Adagrad([w], lr_decay=-0.1)\n",
        "opt = Adagrad([w], initial_accumulator_value=-1.0)\n",
        "opt = Adagrad([w], weight_decay=-0.1)\n",
        "opt = Adagrad([w], eps=-1e-10)\n",
        "opt = NAdam([w], momentum_decay=-0.004)\n",
        "opt = NAdam([w], betas=(0.9, 1.5))\n",
        "opt = RAdam([w], betas=(-0.1, 0.999))\n",
        "opt = RAdam([w], weight_decay=-1.0)\n",
        "opt = Adamax([w], betas=(0.9, 1.0))\n",
        "opt = Adamax([w], eps=-1.0)\n",
        "opt = Adadelta([w], weight_decay=-0.1)\n",
        "opt = ASGD([w], alpha=-0.75)\n",
        "opt = ASGD([w], weight_decay=-0.1)\n",
        "opt = Rprop([w], lr=-0.1)\n",
    ] {
        assert_eq!(codes(body), vec![Code::E0683], "{body}");
    }
    // The messages of the new checks are PyTorch's, ints printed as ints.
    for (body, message) in [
        ("opt = Adadelta([w], rho=1.5)\n", "Invalid rho value: 1.5"),
        ("opt = ASGD([w], lambd=-1)\n", "Invalid lambd value: -1"),
        ("opt = Rprop([w], etas=(0.5, 1))\n", "Invalid eta values: 0.5, 1"),
        ("opt = Rprop([w], etas=(1.5, 2.0))\n", "Invalid eta values: 1.5, 2.0"),
    ] {
        let d = diags(body);
        assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::E0683], "{body}");
        assert!(d[0].message.ends_with(message), "{body}: {}", d[0].message);
    }
}

#[test]
fn options_of_the_wrong_kind_are_e0684() {
    assert_eq!(codes("opt = SGD([w], lr=\"fast\")\n"), vec![Code::E0684]);
    assert_eq!(codes("opt = SGD([w], lr=0.1, momentum=0.9, nesterov=1)\n"), vec![Code::E0684]);
    assert_eq!(codes("opt = Adam([w], betas=(0.9, 0.99, 0.999))\n"), vec![Code::E0684]);
}

#[test]
fn methods_other_than_step_and_zero_grad_are_e0685() {
    assert_eq!(codes("opt = SGD([w], lr=0.1)\nopt.stepp()\n"), vec![Code::E0685]);
    assert_eq!(codes("opt = SGD([w], lr=0.1)\nopt.zero_grad(1)\n"), vec![Code::E0685]);
    assert_eq!(codes("opt = SGD([w], lr=0.1)\nopt.zero_grad(foreach=true)\n"), vec![Code::E0685]);
    assert_eq!(codes("opt = SGD([w], lr=0.1)\nopt.step(true)\n"), vec![Code::E0685]);
    assert_eq!(codes("opt = SGD([w], lr=0.1)\nopt.zero_grad(set_to_none=true)\nopt.zero_grad(false)\n"), vec![]);
}

#[test]
fn other_torch_optimizers_name_the_ones_graphc_has() {
    let d = diags("opt = LBFGS([w], lr=0.1)\n");
    assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::E0102]);
    let list = "`SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`, `Adadelta`, `Adamax`, `NAdam`, `RAdam`, `ASGD` and `Rprop`";
    assert!(d[0].help.as_deref().unwrap_or("").contains(list), "{:?}", d[0].help);
    // PyTorch's message names the option that is out of range, in its words.
    let d = diags("opt = Adagrad([w], lr_decay=-1)\n");
    assert!(d[0].message.ends_with("Invalid lr_decay value: -1"), "{}", d[0].message);
}

#[test]
fn an_optimizer_is_not_a_number_or_a_tensor() {
    assert_eq!(codes("opt = SGD([w], lr=0.1)\nprint(opt * 2)\n"), vec![Code::E0107]);
}

/// `opt.state[p][key]` reads the entries PyTorch's state has, once the first
/// step made them; anything else is an error naming what exists.
#[test]
fn optimizer_state_entries_are_read_after_the_first_step() {
    let step = "opt.step()\n";
    let adam = "opt = Adam([w], amsgrad=true)\nw.sum().backward()\n";
    for entry in ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"] {
        assert_eq!(codes(&format!("{adam}{step}print(opt.state[w][\"{entry}\"])\n")), vec![], "{entry}");
    }
    let sgd = "opt = SGD([w], lr=0.1, momentum=0.9)\nw.sum().backward()\n";
    assert_eq!(codes(&format!("{sgd}{step}m = opt.state[w][\"momentum_buffer\"] * 2\n")), vec![]);
    // Before the first step PyTorch's state is an empty dict: KeyError.
    let d = diags(&format!("{adam}print(opt.state[w][\"exp_avg\"])\n"));
    assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::E0684]);
    assert!(d[0].message.contains("KeyError: 'exp_avg'"), "{}", d[0].message);
    // SGD without momentum keeps no buffer; the help lists what Adam keeps.
    let d = diags(&format!("{adam}{step}print(opt.state[w][\"momentum_buffer\"])\n"));
    assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::E0684]);
    let help = d[0].help.clone().unwrap_or_default();
    assert!(help.contains("\"step\", \"exp_avg\", \"exp_avg_sq\", \"max_exp_avg_sq\""), "{help}");
    for bad in ["print(opt.state[randn(3)][\"step\"])\n", "print(opt.state[w][0])\n", "opt.state[w][\"step\"] = 1\n"] {
        assert_eq!(codes(&format!("{adam}{step}{bad}")), vec![Code::E0684], "{bad}");
    }
    // PyTorch prints the dict of tensors; graphc prints one entry at a time.
    assert_eq!(codes(&format!("{adam}{step}print(opt.state[w])\n")), vec![Code::E0107]);
}
