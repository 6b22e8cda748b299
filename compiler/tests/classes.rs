//! Classes and `torch.nn` modules (`lower/objects.rs`, `lower/nn_modules.rs`):
//! Python's reference semantics for objects changed by methods, fns and
//! loops, what `parameters()` yields, and every error at the place it is
//! about. `examples/nn_modules.act` and `examples/nn_module_training.act`
//! check the values, reprs and training against PyTorch.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

const COUNTER: &str = r#"
class Counter(Module) {
    fn __init__(self) {
        super().__init__()
        self.w = Parameter(ones(2))
        self.plain = ones(2, requires_grad=true)
        self.calls = 0
    }
    fn forward(self, x) {
        self.calls += 1
        return x * self.w
    }
}
m = Counter()
"#;

#[test]
fn objects_change_as_python_objects_do() {
    // In Python: a loop calling the module three times counts 3; a fn given the
    // module, or reading it as a global, changes the caller's object.
    let program = format!(
        "{COUNTER}
for i in range(3) {{
    y = m(ones(2))
}}
print(m.calls)
fn set_eval(mod) {{
    mod.eval()
}}
set_eval(m)
print(m.training)
fn to_train() {{
    m.train()
}}
to_train()
print(m.training)
"
    );
    assert_eq!(run(&program), "3\nFalse\nTrue\n");
}

#[test]
fn parameters_are_the_registered_ones() {
    // `self.plain`, a tensor that requires grad but is no `Parameter`, is not
    // registered, as in PyTorch; a `Parameter` prints as one.
    let program = format!("{COUNTER}\nprint(len(list(m.parameters())), [n for n, p in m.named_parameters()])\nprint(m.w)\n");
    assert_eq!(run(&program), "1 ['w']\nParameter containing:\ntensor([1., 1.], requires_grad=True)\n");
}

#[test]
fn a_module_called_through_a_value_runs_its_forward() {
    // torch.nn.Softmax(dim=0)(torch.tensor([0., 0.])), and a Sequential indexed.
    let program = "print(Softmax(dim=0)(tensor([0., 0.])))\ns = Sequential(ReLU(), Tanh())\nprint(s[-1](tensor([0.])), len(s))\n";
    assert_eq!(run(program), "tensor([0.5000, 0.5000])\ntensor([0.]) 2\n");
}

#[test]
fn a_module_list_grows_and_is_looped_over() {
    // PyTorch 2.15 prints this for the same program (nn.ModuleList(), append
    // in a loop over zip, enumerate and len in forward) after manual_seed(0).
    let program = r#"
manual_seed(0)
class Stack(Module) {
    fn __init__(self, sizes) {
        super().__init__()
        self.layers = ModuleList()
        for a, b in zip(sizes[:-1], sizes[1:]) {
            self.layers.append(Linear(a, b))
        }
    }
    fn forward(self, x) {
        for i, layer in enumerate(self.layers) {
            x = layer(x)
            if i < len(self.layers) - 1 {
                x = relu(x)
            }
        }
        return x
    }
}
s = Stack([3, 4, 2])
print(s)
print(s(ones(1, 3)))
"#;
    let torch = "Stack(
  (layers): ModuleList(
    (0): Linear(in_features=3, out_features=4, bias=True)
    (1): Linear(in_features=4, out_features=2, bias=True)
  )
)
tensor([[-0.1338,  0.0367]], grad_fn=<AddmmBackward0>)
";
    assert_eq!(run(program), torch);
}

#[test]
fn classes_are_values_and_methods_take_decorators() {
    // A module class passed as a value (`act=nn.Tanh`) and called later, a list
    // of modules spread into Sequential, `@torch.no_grad()` on a method, and
    // the parameter counts of `sum(p.numel() for p in model.parameters())`:
    // what PyTorch 2.15 prints for the same program.
    let program = r#"
manual_seed(0)
class MLP(Module) {
    fn __init__(self, sizes, act=ReLU) {
        super().__init__()
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]) {
            layers.append(Linear(a, b))
            layers.append(act())
        }
        self.net = Sequential(*layers[:-1])
    }
    fn forward(self, x) {
        return self.net(x)
    }

    @no_grad()
    fn predict(self, x) {
        return self.forward(x).argmax(dim=1)
    }
}
model = MLP([4, 8, 3], act=Tanh)
print(model)
print(sum(p.numel() for p in model.parameters()))
x = randn(5, 4)
print(model.predict(x))
total = 0
for name, p in model.named_parameters() {
    if "weight" in name {
        total += p.numel()
    }
}
print(total)
"#;
    let torch = "MLP(
  (net): Sequential(
    (0): Linear(in_features=4, out_features=8, bias=True)
    (1): Tanh()
    (2): Linear(in_features=8, out_features=3, bias=True)
  )
)
67
tensor([0, 2, 0, 0, 2])
56
";
    assert_eq!(run(program), torch);
}

#[test]
fn an_unknown_attribute_is_reported_at_its_name() {
    let program = format!("{COUNTER}\nprint(m.weight)\n");
    let (code, message, at) = first_error(&program);
    assert_eq!(code, Code::E0102, "{message}");
    assert_eq!(at, program.rfind("weight").unwrap());
    assert!(message.contains("'Counter' object has no attribute 'weight'"), "{message}");
}

#[test]
fn a_module_without_forward_cannot_be_called() {
    let program = "class A(Module) {\n    fn __init__(self) {\n        super().__init__()\n    }\n}\na = A()\ny = a(ones(1))\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0102, "{message}");
    assert!(message.contains("missing the required \"forward\" function"), "{message}");
}

#[test]
fn bad_class_definitions_are_refused_where_they_stand() {
    let program = "class A(Linear) {\n    fn f(self) {\n        return 1\n    }\n}\na = A()\n";
    let (code, message, at) = first_error(program);
    assert_eq!(code, Code::E0107, "{message}");
    assert_eq!(at, program.find("Linear").unwrap());
    // Called too: the check's error stands, and lowering does not stumble on it.
    let program = "class A(Module) {\n    fn f() {\n        return 1\n    }\n}\na = A()\ny = a.f()\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0103, "{message}");
    let program = "class A(Module) {\n    fn f(self) {\n        return 1\n    }\n    fn f(self) {\n        return 2\n    }\n}\n";
    let (code, message, at) = first_error(program);
    assert_eq!(code, Code::E0105, "{message}");
    assert_eq!(at, program.rfind("f(self)").unwrap());
    let program = "class A(Module) {\n    x += 1\n}\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0003, "{message}");
    let (code, message, _) = first_error("super().__init__()\n");
    assert_eq!(code, Code::E0107, "{message}");
}

#[test]
fn module_options_are_checked() {
    let (code, message, _) = first_error("r = Threshold(0.1, 20, inplace=true)\n");
    assert_eq!(code, Code::E0107, "{message}");
    let (code, message, at) = first_error("l = Linear(4, 2, bias=1)\n");
    assert_eq!(code, Code::E0107, "{message}");
    assert_eq!(at, "l = Linear(4, 2, bias=1)\n".find("bias=1").unwrap() + "bias=".len());
    let (code, message, _) = first_error("l = Linear(4)\n");
    assert_eq!(code, Code::E0103, "{message}");
    let (code, message, _) = first_error("m = MaxPool2d()\n");
    assert_eq!(code, Code::E0103, "{message}");
    let (code, message, _) = first_error("m = MSELoss(foo=1)\n");
    assert_eq!(code, Code::E0103, "{message}");
    let (code, message, _) = first_error("b = BatchNorm2d(3, momentum=none)\n");
    assert_eq!(code, Code::E0107, "{message}");
    let (code, message, _) = first_error("e = Embedding(10, 4, padding_idx=10)\n");
    assert_eq!(code, Code::E0107, "{message}");
    let line = "b = BatchNorm2d(3)\ny = b(zeros(2, 3, 4))\n";
    let (code, message, at) = first_error(line);
    assert_eq!(code, Code::E0202, "{message}");
    assert!(message.contains("expected 4D input (got 3D input)"), "{message}");
    assert_eq!(at, line.find("zeros").unwrap());
}

#[test]
fn a_name_whose_kind_differs_between_the_sides_of_a_runtime_if_is_unbound_after_it() {
    // The tutorial's `loss, current = loss.item(), ...` in `if batch % 100 == 0`:
    // fine while `loss` is not read after the `if`, E0606 where it is.
    let ok = "xs = randn(3)\nfor i in range(3) {\n    loss = xs[i] * 2\n    if loss.item() > 0 {\n        loss = loss.item()\n        print(loss > 0)\n    }\n}\n";
    run(ok);
    let bad = "x = randn(1)\nloss = x * 2\nif x.item() > 0 {\n    loss = loss.item()\n}\nprint(loss)\n";
    let (code, message, at) = first_error(bad);
    assert_eq!(code, Code::E0606, "{message}");
    assert_eq!(at, bad.rfind("loss").unwrap());
}

#[test]
fn every_reference_to_an_object_sees_its_changes() {
    // Python's references: a module changed through another name, through
    // the loop variable of `modules()`, through a list that holds it, or by a
    // fn given it from a list is changed for every name that holds it; a
    // `deepcopy` is another object. The expected output is PyTorch's.
    let program = r#"
manual_seed(0)
class Block(Module) {
    fn __init__(self) {
        super().__init__()
        self.fc = Linear(2, 2)
        self.drop = Dropout(0.5)
        self.scale = 1.0
    }
    fn forward(self, x) {
        return self.drop(self.fc(x)) * self.scale
    }
}
class Net(Module) {
    fn __init__(self) {
        super().__init__()
        self.a = Block()
        self.b = Block()
        self.bn = BatchNorm1d(2)
    }
    fn forward(self, x) {
        return self.bn(self.b(self.a(x)))
    }
}
model = Net()
m = model
m.eval()
print(model.training, model.a.training, model.a.drop.training)
model.train()
for mod in model.modules() {
    if isinstance(mod, BatchNorm1d) {
        mod.eval()
        mod.momentum = 0.5
    }
}
print([(type(x).__name__, x.training) for x in model.modules()])
print(model.bn)
blocks = [model.a, model.b]
for blk in blocks {
    blk.scale = 2.0
}
print(model.a.scale, model.b.scale)
first = model.a
first.scale = 3.0
print(model.a.scale, blocks[0].scale)
c = deepcopy(model)
c.a.scale = 5.0
print(model.a.scale, c.a.scale)
fn set_scale(block, s) {
    block.scale = s
}
set_scale(blocks[1], 7.0)
print(model.b.scale)
"#;
    assert_eq!(run(program), "False False False\n[('Net', True), ('Block', True), ('Linear', True), ('Dropout', True), ('Block', True), ('Linear', True), ('Dropout', True), ('BatchNorm1d', False)]\nBatchNorm1d(2, eps=1e-05, momentum=0.5, affine=True, bias=True, track_running_stats=True)\n2.0 2.0\n3.0 3.0\n3.0 5.0\n7.0\n");
}

#[test]
fn modules_made_with_a_dtype_hold_it() {
    // `dtype=f64` makes the parameters and buffers f64, drawn as PyTorch
    // draws f64 ones. The expected output is PyTorch's.
    let program = r#"
manual_seed(0)
l = Linear(3, 2, dtype=f64)
c = Conv1d(1, 2, 3, dtype=f64)
n = LayerNorm(3, dtype=f64)
b = BatchNorm1d(2, dtype=f64)
e = Embedding(4, 2, dtype=f64)
print(l.weight, l.bias)
print(c.weight.dtype, n.weight.dtype, b.weight.dtype, b.running_mean.dtype, e.weight)
print(l(ones(2, 3, dtype=f64)))
"#;
    assert_eq!(run(program), "Parameter containing:\ntensor([[ 0.5428,  0.2400, -0.0469],\n        [ 0.4858,  0.1675,  0.3362]], dtype=torch.float64, requires_grad=True) Parameter containing:\ntensor([-0.3711, -0.1719], dtype=torch.float64, requires_grad=True)\ntorch.float64 torch.float64 torch.float64 torch.float64 Parameter containing:\ntensor([[-0.5663,  0.3731],\n        [-0.8920, -1.5091],\n        [ 0.3704,  1.4565],\n        [ 0.9398,  0.7748]], dtype=torch.float64, requires_grad=True)\ntensor([[0.3647, 0.8176],\n        [0.3647, 0.8176]], dtype=torch.float64, grad_fn=<AddmmBackward0>)\n");
}

#[test]
fn frozen_layers_train_as_in_pytorch() {
    // A model built from a list of layers, its parameters counted, a layer
    // frozen with `p.requires_grad = false`, an optimizer over
    // `filter(lambda p: p.requires_grad, ...)`: the frozen weight's `.grad` is
    // `None` after a step, as in PyTorch. The expected output is PyTorch's.
    let program = r#"
class MLP(Module) {
    fn __init__(self, sizes) {
        super().__init__()
        layers = []
        for i in range(len(sizes) - 1) {
            layers.append(Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2 {
                layers.append(ReLU())
            }
        }
        self.net = Sequential(*layers)
    }
    fn forward(self, x) {
        return self.net(x)
    }
}
manual_seed(0)
model = MLP([4, 8, 8, 2])
print(model)
print(sum(p.numel() for p in model.parameters()))
print(sum(p.numel() for p in model.parameters() if p.requires_grad))
for name, param in model.named_parameters() {
    print(name, param.shape)
}
for p in model.net[0].parameters() {
    p.requires_grad = false
}
print([p.requires_grad for p in model.parameters()])
opt = SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1)
x = randn(3, 4)
print(model(x))
sd = model.state_dict()
for k in sd {
    print(k, sd[k].size())
}
loss = model(x).sum()
opt.zero_grad()
loss.backward()
opt.step()
print(model.net[0].weight.grad, model.net[2].bias)
print(sum(p.numel() for p in model.parameters() if p.requires_grad))
"#;
    assert_eq!(run(program), "MLP(\n  (net): Sequential(\n    (0): Linear(in_features=4, out_features=8, bias=True)\n    (1): ReLU()\n    (2): Linear(in_features=8, out_features=8, bias=True)\n    (3): ReLU()\n    (4): Linear(in_features=8, out_features=2, bias=True)\n  )\n)\n130\n130\nnet.0.weight torch.Size([8, 4])\nnet.0.bias torch.Size([8])\nnet.2.weight torch.Size([8, 8])\nnet.2.bias torch.Size([8])\nnet.4.weight torch.Size([2, 8])\nnet.4.bias torch.Size([2])\n[False, False, True, True, True, True]\ntensor([[-0.0469, -0.3395],\n        [-0.0656, -0.3085],\n        [-0.0980, -0.3424]], grad_fn=<AddmmBackward0>)\nnet.0.weight torch.Size([8, 4])\nnet.0.bias torch.Size([8])\nnet.2.weight torch.Size([8, 8])\nnet.2.bias torch.Size([8])\nnet.4.weight torch.Size([2, 8])\nnet.4.bias torch.Size([2])\nNone Parameter containing:\ntensor([-0.3368, -0.0748, -0.2662, -0.2727,  0.0232,  0.0724, -0.1448,  0.2363],\n       requires_grad=True)\n90\n");
}

/// Class attributes, as torchvision's ResNet blocks use `expansion`: read
/// through the class, a subclass that sets its own, a class passed as a
/// value, and `self` in `__init__`; an object's own attribute of the name
/// shadows it. The output is PyTorch 2.15's for the same lines.
#[test]
fn class_attributes_are_read_as_python_reads_them() {
    let program = r#"
class BasicBlock(Module) {
    expansion = 1
    name = "basic"

    fn __init__(self, inplanes, planes) {
        super().__init__()
        self.fc = Linear(inplanes, planes * self.expansion)
    }

    fn forward(self, x) {
        return relu(self.fc(x))
    }
}

class Bottleneck(BasicBlock) {
    expansion = 4
}

class Net(Module) {
    fn __init__(self, block, layers) {
        super().__init__()
        self.inplanes = 4
        blocks = []
        for planes in layers {
            blocks.append(block(self.inplanes, planes))
            self.inplanes = planes * block.expansion
        }
        self.body = Sequential(*blocks)
        self.head = Linear(self.inplanes, 1)
    }

    fn forward(self, x) {
        return self.head(self.body(x))
    }
}

manual_seed(0)
print(BasicBlock.expansion, Bottleneck.expansion, Bottleneck.name)
for block in [BasicBlock, Bottleneck] {
    net = Net(block, [2, 3])
    print(block.__name__, net.inplanes, net(ones(2, 4)).shape)
}
b = Bottleneck(4, 2)
b.expansion = 7
print(b.expansion, Bottleneck.expansion, b.fc)
"#;
    assert_eq!(
        run(program),
        "1 4 basic\nBasicBlock 3 torch.Size([2, 1])\nBottleneck 12 torch.Size([2, 1])\n7 4 Linear(in_features=4, out_features=8, bias=True)\n"
    );
}

/// A class body is evaluated once in Python; graphc evaluates a class
/// attribute at each read, so a tensor there (which Python would share) is
/// refused, as is a statement that is neither an attribute nor a method.
#[test]
fn a_tensor_class_attribute_and_other_statements_in_a_class_body_are_errors() {
    let (code, message, _) = first_error("class A(Module) {\n    w = randn(3)\n}\na = A()\nprint(a.w)\n");
    assert_eq!(code, Code::E0107);
    assert_eq!(message, "the class attribute `A.w` holds a tensor");
    let (code, message, _) = first_error("class A(Module) {\n    print(1)\n}\n");
    assert_eq!(code, Code::E0003);
    assert!(message.contains("a class body holds its attributes and methods"), "{message}");
}

/// A loop of no iterations in `__init__` that would make modules (as
/// torchvision's `_make_layer` does for one block per stage) is lowered for
/// its diagnostics only; the parameters it would have made were once left
/// marked in node ids of the outer program, so that batch-norm buffers made
/// later counted as parameters. The names are PyTorch 2.15's.
#[test]
fn modules_made_in_a_loop_of_no_iterations_leave_no_parameters_behind() {
    let program = r#"
class Block(Module) {
    fn __init__(self, planes) {
        super().__init__()
        self.conv = Conv2d(planes, planes, 3, padding=1, bias=false)
        self.bn = BatchNorm2d(planes)
    }
}

class Net(Module) {
    fn __init__(self, blocks) {
        super().__init__()
        self.bn1 = BatchNorm2d(8)
        layers = [Block(8)]
        for _ in range(1, blocks) {
            layers.append(Block(8))
        }
        self.layer = Sequential(*layers)
        self.bn2 = BatchNorm2d(8)
    }
}

net = Net(1)
print([name for name, _ in net.named_parameters()])
"#;
    assert_eq!(run(program), "['bn1.weight', 'bn1.bias', 'layer.0.conv.weight', 'layer.0.bn.weight', 'layer.0.bn.bias', 'bn2.weight', 'bn2.bias']\n");
}

/// `buffers()` and `named_buffers()`: registered buffers and batch norms'
/// running statistics, in `named_modules()`' order, as PyTorch 2.15 lists them.
#[test]
fn buffers_are_listed_as_pytorch_lists_them() {
    let program = r#"
class Block(Module) {
    fn __init__(self, planes) {
        super().__init__()
        self.conv = Conv2d(planes, planes, 3, padding=1, bias=false)
        self.bn = BatchNorm2d(planes)
        self.register_buffer("scale", ones(planes))
    }
}

class Net(Module) {
    fn __init__(self) {
        super().__init__()
        self.bn1 = BatchNorm1d(3)
        self.layer = Sequential(Block(2), Linear(2, 2))
    }
}

net = Net()
print([name for name, _ in net.named_buffers()])
print([tuple(b.shape) for b in net.buffers()])
print([name for name, _ in net.named_parameters()])
"#;
    assert_eq!(run(program), "['bn1.running_mean', 'bn1.running_var', 'bn1.num_batches_tracked', 'layer.0.scale', 'layer.0.bn.running_mean', 'layer.0.bn.running_var', 'layer.0.bn.num_batches_tracked']\n[(3,), (3,), (), (2,), (2,), (2,), ()]\n['bn1.weight', 'bn1.bias', 'layer.0.conv.weight', 'layer.0.bn.weight', 'layer.0.bn.bias', 'layer.1.weight', 'layer.1.bias']\n");
}
