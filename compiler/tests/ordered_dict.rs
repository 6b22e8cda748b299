//! `OrderedDict(...)` (`collections.OrderedDict`, `lower/host_math.rs`): a
//! dict that prints as Python prints that class, made as `dict` makes one;
//! a module's `state_dict()`, which is one; and `Sequential(OrderedDict(...))`,
//! whose children take the keys as names (`lower/nn_modules.rs`). The
//! programs are PyTorch's lines, and the outputs what PyTorch 2.15 prints.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn ordered_dicts_print_and_name_a_sequentials_children() {
    let program = r#"
manual_seed(0)
model = Sequential(OrderedDict([
    ("conv1", Conv2d(1, 2, 3)),
    ("relu1", ReLU()),
    ("flat", Flatten()),
    ("fc", Linear(8, 2)),
]))
print(model)
x = randn(1, 1, 4, 4)
print(model(x))
print(model[3], model.fc, len(model))
sd = model.state_dict()
print(list(sd.keys()))
print(Linear(2, 1).state_dict())
d = OrderedDict()
print(d)
d["a"] = 1
d["b"] = 2.5
print(d, d["b"], len(d))
e = OrderedDict(x=1, y=2)
print(e, dict(e))
c = d.copy()
c["c"] = 3
print(c, list(c.items()))
for name, m in model.named_children() {
    print(name, m)
}
"#;
    assert_eq!(run(program), "Sequential(\n  (conv1): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))\n  (relu1): ReLU()\n  (flat): Flatten(start_dim=1, end_dim=-1)\n  (fc): Linear(in_features=8, out_features=2, bias=True)\n)\ntensor([[-0.0589,  0.0806]], grad_fn=<AddmmBackward0>)\nLinear(in_features=8, out_features=2, bias=True) Linear(in_features=8, out_features=2, bias=True) 4\n['conv1.weight', 'conv1.bias', 'fc.weight', 'fc.bias']\nOrderedDict([('weight', tensor([[ 0.4741, -0.4163]])), ('bias', tensor([0.1318]))])\nOrderedDict()\nOrderedDict([('a', 1), ('b', 2.5)]) 2.5 2\nOrderedDict([('x', 1), ('y', 2)]) {'x': 1, 'y': 2}\nOrderedDict([('a', 1), ('b', 2.5), ('c', 3)]) [('a', 1), ('b', 2.5), ('c', 3)]\nconv1 Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))\nrelu1 ReLU()\nflat Flatten(start_dim=1, end_dim=-1)\nfc Linear(in_features=8, out_features=2, bias=True)\n");
}

/// A plain dict stays a dict (`dict(e)` above prints braces), and a
/// `Sequential`'s keys must be strings naming modules.
#[test]
fn a_sequentials_ordered_dict_holds_named_modules() {
    assert_eq!(first_error("m = Sequential(OrderedDict([(\"fc\", 3)]))\n").0, Code::E0107);
    assert_eq!(first_error("m = Sequential(OrderedDict([(1, ReLU())]))\n").0, Code::E0107);
    assert_eq!(run("d = OrderedDict([(\"a\", 1)])\nd.update(b=2)\nd.pop(\"a\")\nprint(d, d.get(\"b\"))\n"), "OrderedDict([('b', 2)]) 2\n");
}
