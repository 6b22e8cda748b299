//! `Dataset` classes and a module's tree and state (`lower/dataset_objects.rs`,
//! `lower/module_state.rs`): a loader over an object with `__len__` and
//! `__getitem__` batches as PyTorch's `default_collate` does; `state_dict`,
//! `load_state_dict`, `modules`, `deepcopy`, `double` and `requires_grad_`
//! give what PyTorch's give; and each error is reported where it is. The
//! expected outputs are what the same programs print in PyTorch 2.15
//! (`examples/custom_dataset.act` checks a whole training script).

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn a_loader_stacks_the_samples_of_a_dataset_object() {
    // A sample that is one tensor batches into a tensor; Python ints, floats
    // and bools in a sample batch into i64, f64 and bool tensors.
    let program = r#"
class Squares(Dataset) {
    fn __init__(self, n) { self.x = arange(n).float() }
    fn __len__(self) { return self.x.shape[0] }
    fn __getitem__(self, i) { return self.x[i] * self.x[i] }
}
ds = Squares(5)
print(len(ds), ds[2])
for b in DataLoader(ds, batch_size=2) { print(b) }
class Pairs(Dataset) {
    fn __init__(self) { self.x = arange(6).float().view(3, 2) }
    fn __len__(self) { return 3 }
    fn __getitem__(self, i) { return self.x[i], int(self.x[i, 0].item()), 0.5 * i, i == 1 }
}
for b in DataLoader(Pairs(), batch_size=3) { print(b) }
"#;
    assert_eq!(run(program), "5 tensor(4.)\ntensor([0., 1.])\ntensor([4., 9.])\ntensor([16.])\n[tensor([[0., 1.],\n        [2., 3.],\n        [4., 5.]]), tensor([0, 2, 4]), tensor([0.0000, 0.5000, 1.0000], dtype=torch.float64), tensor([False,  True, False])]\n");
}

#[test]
fn state_dicts_copies_and_dtypes_follow_pytorch() {
    // A state dict lists parameters, then persistent buffers, module by module,
    // and views the parameters (an update shows through it); a deep copy is
    // independent; `double()` casts parameters and buffers, keeping the leaves.
    let program = r#"
class Net(Module) {
    fn __init__(self) {
        super().__init__()
        self.fc = Linear(2, 2)
        self.bn = BatchNorm1d(2)
        self.register_buffer("scale", ones(2))
        self.register_buffer("tmp", zeros(1), persistent=false)
    }
    fn forward(self, x) { return self.bn(self.fc(x)) * self.scale }
}
manual_seed(0)
m = Net()
print(list(m.state_dict().keys()))
print([type(k).__name__ for k in m.modules()])
sd = m.state_dict()
no_grad {
    m.fc.weight.add_(1)
}
print(sd["fc.weight"])
c = deepcopy(m)
no_grad {
    c.fc.bias.mul_(0)
}
print(m.fc.bias, c.fc.bias)
m.double()
print(m.fc.weight.dtype, m.bn.running_mean.dtype, m.fc.weight.requires_grad)
m.requires_grad_(false)
print([p.requires_grad for p in m.parameters()])
print(m(ones(3, 2, dtype=f64)).shape)
print(c.load_state_dict(m.state_dict()))
print(c.fc.weight.dtype, c.fc.bias)
"#;
    assert_eq!(run(program), "['scale', 'fc.weight', 'fc.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']\n['Net', 'Linear', 'BatchNorm1d']\ntensor([[0.9947, 1.3793],\n        [0.4180, 0.4796]])\nParameter containing:\ntensor([-0.2723,  0.1896], requires_grad=True) Parameter containing:\ntensor([-0., 0.], requires_grad=True)\ntorch.float64 torch.float64 True\n[False, False, False, False]\ntorch.Size([3, 2])\n<All keys matched successfully>\ntorch.float32 Parameter containing:\ntensor([-0.2723,  0.1896], requires_grad=True)\n");
}

const DIGITS: &str = r#"
class Digits(Dataset) {
    fn __init__(self) { self.x = ones(4, 2) }
    fn __len__(self) { return 4 }
    fn __getitem__(self, i) { return self.x[i] }
}
"#;

#[test]
fn a_dataset_without_len_is_reported_at_the_loader() {
    let program = "class D(Dataset) {\n    fn __getitem__(self, i) { return ones(2) }\n}\nloader = DataLoader(D(), batch_size=2)\n";
    let (code, message, at) = first_error(program);
    assert_eq!(code, Code::E0687, "{message}");
    assert_eq!(at, program.find("D()").unwrap());
    assert!(message.contains("needs `__len__` and `__getitem__`"), "{message}");
}

#[test]
fn a_dataset_that_draws_is_refused() {
    // Reading the samples once would draw at other times than PyTorch does.
    let program = "class D(Dataset) {\n    fn __len__(self) { return 3 }\n    fn __getitem__(self, i) { return randn(2) }\n}\nloader = DataLoader(D(), batch_size=2)\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0687, "{message}");
    assert!(message.contains("draws random numbers"), "{message}");
}

#[test]
fn a_dataset_has_no_module_methods() {
    let program = format!("{DIGITS}ds = Digits()\nds.train()\n");
    let (code, message, at) = first_error(&program);
    assert_eq!(code, Code::E0102, "{message}");
    assert_eq!(at, program.rfind("train").unwrap());
    assert!(message.contains("'Digits' object has no attribute 'train'"), "{message}");
}

#[test]
fn loading_another_models_state_is_pytorchs_error() {
    let program = "a = Linear(2, 2)\nb = Sequential(Linear(2, 2))\na.load_state_dict(b.state_dict())\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0107, "{message}");
    assert!(
        message.contains("Missing key(s) in state_dict: \"weight\", \"bias\". Unexpected key(s) in state_dict: \"0.weight\", \"0.bias\"."),
        "{message}"
    );
    let program = "a = Linear(2, 3)\nb = Linear(2, 2)\na.load_state_dict(b.state_dict())\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0107, "{message}");
    assert!(message.contains("size mismatch for weight"), "{message}");
}

#[test]
fn isinstance_needs_a_class() {
    let program = format!("{DIGITS}print(isinstance(Digits(), 3))\n");
    let (code, message, _) = first_error(&program);
    assert_eq!(code, Code::E0107, "{message}");
    assert!(message.contains("must be a class or a tuple of classes"), "{message}");
}

#[test]
fn a_dataset_of_dicts_batches_into_dicts() {
    // A tokenizer-style sample, `{"input_ids": ..., "label": ..., "weight": ...}`,
    // batches into a dict of one tensor per key, shuffled as PyTorch shuffles.
    let program = r#"
class Tok(Dataset) {
    fn __init__(self) {
        self.ids = arange(12).view(6, 2)
        self.labels = tensor([0, 1, 0, 1, 1, 0])
    }
    fn __len__(self) {
        return len(self.labels)
    }
    fn __getitem__(self, i) {
        return {"input_ids": self.ids[i], "label": self.labels[i], "weight": 0.5 * i}
    }
}
manual_seed(0)
loader = DataLoader(Tok(), batch_size=4, shuffle=true)
for batch in loader {
    print(batch["input_ids"], batch["label"], batch["weight"])
    print(list(batch.keys()))
}
"#;
    assert_eq!(run(program), "tensor([[ 0,  1],\n        [ 8,  9],\n        [ 6,  7],\n        [10, 11]]) tensor([0, 1, 1, 0]) tensor([0.0000, 2.0000, 1.5000, 2.5000], dtype=torch.float64)\n['input_ids', 'label', 'weight']\ntensor([[4, 5],\n        [2, 3]]) tensor([0, 1]) tensor([1.0000, 0.5000], dtype=torch.float64)\n['input_ids', 'label', 'weight']\n");
}
