//! The recurrent modules `RNN`, `GRU` and `LSTM` and their cells `RNNCell`,
//! `GRUCell` and `LSTMCell`, computed as ATen's native CPU code computes them
//! (`aten/src/ATen/native/RNN.cpp`), so that their values and gradients are
//! PyTorch's:
//!
//! - a layer first applies its input weights to the whole sequence at once
//!   (`linear(input, w_ih, b_ih)`, one matrix product), then runs the cell
//!   over the time steps: `linear(h, w_hh, b_hh)` plus that step's input
//!   part, then the cell's gates (`SimpleCell`, `GRUCell`, `LSTMCell` there);
//! - a reverse direction runs over the steps backwards and its outputs are
//!   put back in order and concatenated after the forward direction's;
//! - between layers, in training, `dropout(p)` of the layer's output;
//! - the final hidden states (and cell states) of every layer and direction
//!   are stacked.
//!
//! The time steps are unrolled when compiling (the sequence length is a
//! static shape), inside whatever loop calls the module, which is compiled
//! once. PyTorch leaves an f32 `LSTM` to oneDNN on the CPU, whose rounding
//! graphc does not reproduce: an f32 `LSTM` gives ATen's native values, which
//! differ from PyTorch's in the last bits (docs/act-language.md says so); f64
//! `LSTM`, `RNN`, `GRU` and the cells take the native code in PyTorch too.

use graphc_runtime::DType;

use super::index::Item;
use super::objects::{attr, with_attr, CallArgs};
use super::{Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

/// The recurrent modules, sequence modules first.
pub(super) const RNN_CLASSES: &[&str] = &["RNN", "GRU", "LSTM", "RNNCell", "GRUCell", "LSTMCell"];

/// How many gates' rows a mode's weights hold.
fn gates(class: &str) -> usize {
    match class.trim_end_matches("Cell") {
        "LSTM" => 4,
        "GRU" => 3,
        _ => 1,
    }
}

impl Lowerer<'_> {
    /// `RNN`/`GRU`/`LSTM(input_size, hidden_size, num_layers=1, [nonlinearity="tanh",]
    /// bias=true, batch_first=false, dropout=0.0, bidirectional=false)` and
    /// `RNNCell`/`GRUCell`/`LSTMCell(input_size, hidden_size, bias=true,
    /// [nonlinearity="tanh"])`, with `dtype`; every weight drawn from
    /// `uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size))` in registration
    /// order, as `reset_parameters` draws them.
    pub(super) fn rnn_module(&mut self, obj: Value, class: &str, args: CallArgs, span: Span) -> Value {
        let cell = class.ends_with("Cell");
        let params: &[&str] = match class {
            "RNN" => {
                &["input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first", "dropout", "bidirectional", "device", "dtype"]
            }
            "LSTM" => &["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional", "proj_size", "device", "dtype"],
            "GRU" => &["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional", "device", "dtype"],
            "RNNCell" => &["input_size", "hidden_size", "bias", "nonlinearity", "device", "dtype"],
            _ => &["input_size", "hidden_size", "bias", "device", "dtype"],
        };
        let Some(g) = self.bind_options(class, params, args, span) else { return Value::Poison };
        let opt = |name: &str| params.iter().position(|p| *p == name).and_then(|i| g[i].clone());
        let (Some(input), Some(hidden)) = (
            self.module_int(class, "input_size", opt("input_size"), None, span),
            self.module_int(class, "hidden_size", opt("hidden_size"), None, span),
        ) else {
            return Value::Poison;
        };
        let layers = if cell { Some(1) } else { self.module_int(class, "num_layers", opt("num_layers"), Some(1), span) };
        let (Some(bias), Some(batch_first), Some(bidirectional), Some(layers)) = (
            self.module_bool(class, "bias", opt("bias"), true),
            self.module_bool(class, "batch_first", opt("batch_first"), false),
            self.module_bool(class, "bidirectional", opt("bidirectional"), false),
            layers,
        ) else {
            return Value::Poison;
        };
        // Dropout applies between layers only: with one layer PyTorch warns and
        // goes on, as graphc does without the warning.
        let dropout = match opt("dropout") {
            None => 0.0,
            Some((Value::Number(n), _)) if (0.0..=1.0).contains(&n.f64()) => n.f64(),
            Some((v, s)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{class}`'s `dropout` must be a number in [0, 1], not {}", v.describe()),
                        s,
                        "not a probability",
                    )
                    .with_help("pass the probability of zeroing an output between layers, as in `dropout=0.2`"),
                )
            }
        };
        let nonlinearity = match opt("nonlinearity") {
            None => "tanh".to_string(),
            Some((Value::Str(n), _)) if n == "tanh" || n == "relu" => n,
            Some((v, s)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("Unknown nonlinearity {}. Select from 'tanh' or 'relu'.", super::nn_modules::py_repr(&v)),
                        s,
                        "not a nonlinearity",
                    )
                    .with_help("write `nonlinearity=\"tanh\"` or `nonlinearity=\"relu\"`"),
                )
            }
        };
        if let Some((v, s)) = opt("proj_size") {
            if !matches!(v, Value::Number(Num::Int(0))) {
                return self.error(
                    Diagnostic::new(Code::E0107, "`LSTM`'s `proj_size` is not supported", s, "not supported")
                        .with_help("leave `proj_size` out: graphc's LSTM has no projection"),
                );
            }
        }
        // `dtype=` was read and checked by `builtin_module`, which made it `param_dtype`.
        let dtype = self.param_dtype;
        if input < 0 || hidden <= 0 || layers <= 0 {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("`{class}` needs a positive `hidden_size` and `num_layers` and a `input_size` of 0 or more"),
                    span,
                    "not a size",
                )
                .with_help("pass positive sizes, as in `LSTM(8, 16)`"),
            );
        }
        let (input, hidden, layers) = (input as usize, hidden as usize, layers as usize);
        let int = |i: usize| Value::Number(Num::Int(i as i128));
        let mut obj = obj;
        for (name, v) in [("input_size", int(input)), ("hidden_size", int(hidden)), ("bias", Value::Bool(bias))] {
            obj = with_attr(obj, name, v, span);
        }
        if !cell {
            for (name, v) in [
                ("num_layers", int(layers)),
                ("batch_first", Value::Bool(batch_first)),
                ("dropout", Value::Number(Num::Float(dropout))),
                ("bidirectional", Value::Bool(bidirectional)),
            ] {
                obj = with_attr(obj, name, v, span);
            }
        }
        if class.starts_with("RNN") {
            obj = with_attr(obj, "nonlinearity", Value::Str(nonlinearity), span);
        }
        let rows = gates(class) * hidden;
        let directions = if bidirectional { 2 } else { 1 };
        let mut weights = Vec::new();
        for layer in 0..layers {
            for direction in 0..directions {
                let suffix = match (cell, direction) {
                    (true, _) => String::new(),
                    (false, 0) => format!("_l{layer}"),
                    (false, _) => format!("_l{layer}_reverse"),
                };
                let layer_input = if layer == 0 { input } else { hidden * directions };
                let mut shapes = vec![(format!("weight_ih{suffix}"), vec![rows, layer_input]), (format!("weight_hh{suffix}"), vec![rows, hidden])];
                if bias {
                    shapes.push((format!("bias_ih{suffix}"), vec![rows]));
                    shapes.push((format!("bias_hh{suffix}"), vec![rows]));
                }
                for (name, shape) in shapes {
                    let Some(p) = self.new_parameter_of(&shape, dtype, span) else { return Value::Poison };
                    obj = with_attr(obj, &name, Value::Tensor(p), span);
                    weights.push(p);
                }
            }
        }
        // reset_parameters: `init.uniform_(weight, -stdv, stdv)` for each, in
        // order, with `stdv = 1 / sqrt(hidden_size)`: a `Linear` bias's draw with
        // `hidden_size` for its fan-in.
        for p in weights {
            self.bias_init(p, hidden, span);
        }
        obj
    }

    /// `RNNBase.extra_repr` and `RNNCellBase.extra_repr`.
    pub(super) fn rnn_extra_repr(class: &str, get: &dyn Fn(&str) -> Value) -> String {
        let py = super::nn_modules::py_repr;
        let mut s = format!("{}, {}", py(&get("input_size")), py(&get("hidden_size")));
        if class.ends_with("Cell") {
            if !matches!(get("bias"), Value::Bool(true)) {
                s += ", bias=False";
            }
            if matches!(get("nonlinearity"), Value::Str(n) if n != "tanh") {
                if let Value::Str(n) = get("nonlinearity") {
                    s += &format!(", nonlinearity={n}");
                }
            }
            return s;
        }
        if !matches!(get("num_layers"), Value::Number(Num::Int(1))) {
            s += &format!(", num_layers={}", py(&get("num_layers")));
        }
        if !matches!(get("bias"), Value::Bool(true)) {
            s += ", bias=False";
        }
        if matches!(get("batch_first"), Value::Bool(true)) {
            s += ", batch_first=True";
        }
        if !matches!(get("dropout"), Value::Number(n) if n.f64() == 0.0) {
            s += &format!(", dropout={}", py(&get("dropout")));
        }
        if matches!(get("bidirectional"), Value::Bool(true)) {
            s += ", bidirectional=True";
        }
        s
    }

    /// A recurrent module's `forward(input, hx=none)`.
    pub(super) fn rnn_forward(&mut self, obj: &Value, class: &str, args: CallArgs, span: Span) -> Value {
        let Value::Object { names, items, .. } = obj else { return Value::Poison };
        let get = |name: &str| attr(names, items, name).cloned().unwrap_or(Value::None);
        let (x, xs, hx) = match args.as_slice() {
            [(None, x, xs)] => (x.clone(), *xs, None),
            [(None, x, xs), (k, h, hs)] if k.as_ref().is_none_or(|k| k.name == "hx") => (x.clone(), *xs, Some((h.clone(), *hs))),
            _ => {
                return self.error(
                    Diagnostic::new(Code::E0103, format!("`{class}` takes an input and, optionally, the initial state"), span, "wrong arguments")
                        .with_help("call it as `out, h = rnn(x)` or `rnn(x, h0)`"),
                )
            }
        };
        let Some(x) = self.expect_float_tensor(x, xs, &format!("`{class}`'s input")) else { return Value::Poison };
        let int = |v: Value| if let Value::Number(Num::Int(i)) = v { i as usize } else { 0 };
        let (input_size, hidden) = (int(get("input_size")), int(get("hidden_size")));
        let w0 = match get(if class.ends_with("Cell") { "weight_ih" } else { "weight_ih_l0" }) {
            Value::Tensor(w) => self.current(w),
            _ => return Value::Poison,
        };
        let dt = self.dtype_of(w0);
        if self.dtype_of(x) != dt {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    format!("input must have the type {}, got type {}", dt.torch_name(), self.dtype_of(x).torch_name()),
                    xs,
                    "another dtype",
                )
                .with_help("convert the input (`x.double()`, `x.float()`) or make the module in the input's dtype (`dtype=`)"),
            );
        }
        let shape = self.shape_of(x);
        let cell = class.ends_with("Cell");
        let (lo, hi) = if cell { (1, 2) } else { (2, 3) };
        if shape.len() < lo || shape.len() > hi {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("{class}: Expected input to be {lo}D or {hi}D, got {}D {} instead", shape.len(), if cell { "input" } else { "tensor" }),
                    xs,
                    "wrong rank",
                )
                .with_help(if cell {
                    "pass (batch, input_size) or (input_size)"
                } else {
                    "pass (seq, batch, input_size), (batch, seq, input_size) with `batch_first`, or (seq, input_size)"
                }),
            );
        }
        if shape[shape.len() - 1] != input_size {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("input.size(-1) must be equal to input_size. Expected {input_size}, got {}", shape[shape.len() - 1]),
                    xs,
                    "wrong size",
                )
                .with_help(format!("the module was made with input_size={input_size}")),
            );
        }
        let batched = shape.len() == hi;
        if cell {
            return self.cell_forward(class, &get, x, batched, hx, hidden, span);
        }
        let batch_first = matches!(get("batch_first"), Value::Bool(true));
        let layers = int(get("num_layers"));
        let directions = if matches!(get("bidirectional"), Value::Bool(true)) { 2 } else { 1 };
        let lstm = class == "LSTM";
        // The input as (seq, batch, features), as `_rnn_impl` reads it.
        let batch_dim = if batch_first { 0 } else { 1 };
        let mut x = x;
        if !batched {
            x = or_poison!(self.tensor_call("unsqueeze", vec![Value::Tensor(x), int_value(batch_dim)], span));
        }
        if batch_first {
            x = or_poison!(self.tensor_call("transpose", vec![Value::Tensor(x), int_value(0), int_value(1)], span));
        }
        let batch = self.shape_of(x)[1];
        let want = vec![layers * directions, batch, hidden];
        let states = or_poison!(self.initial_states(class, lstm, hx, (!batched).then_some(1), &want, dt, span));
        let (h0, c0) = (states[0], states.get(1).copied());
        let seq = self.shape_of(x)[0];
        let p = if let Value::Number(n) = get("dropout") { n.f64() } else { 0.0 };
        let training = matches!(get("training"), Value::Bool(true));
        let mut layer_input = x;
        let (mut finals_h, mut finals_c) = (Vec::new(), Vec::new());
        for layer in 0..layers {
            let mut outs = Vec::new();
            for direction in 0..directions {
                let suffix = if direction == 0 { format!("_l{layer}") } else { format!("_l{layer}_reverse") };
                let w = |name: &str| get(&format!("{name}{suffix}"));
                let xw = or_poison!(self.tensor_call("linear", vec![Value::Tensor(layer_input), w("weight_ih"), w("bias_ih")], span));
                let k = layer * directions + direction;
                let mut h = or_poison!(self.select(h0, k, span));
                let mut c = match c0 {
                    Some(c0) => Some(or_poison!(self.select(c0, k, span))),
                    None => None,
                };
                let mut steps = Vec::new();
                let order: Vec<usize> = if direction == 0 { (0..seq).collect() } else { (0..seq).rev().collect() };
                for t in order {
                    let xt = or_poison!(self.select(xw, t, span));
                    let hw = or_poison!(self.tensor_call("linear", vec![Value::Tensor(h), w("weight_hh"), w("bias_hh")], span));
                    let (nh, nc) = or_poison!(self.cell_step(class, &get, xt, hw, h, c, span));
                    h = nh;
                    c = nc;
                    steps.push(h);
                }
                if direction == 1 {
                    steps.reverse();
                }
                outs.push(or_poison!(self.stack_of(&steps, span)));
                finals_h.push(h);
                finals_c.extend(c);
            }
            let out = if outs.len() == 1 { outs[0] } else { or_poison!(self.cat_of(&outs, 2, span)) };
            layer_input = if p > 0.0 && training && layer + 1 < layers {
                let args = vec![(None, Value::Tensor(out), span), (None, Value::Number(Num::Float(p)), span), (None, Value::Bool(true), span)];
                match self.call_builtin_named(&Ident { name: "dropout".to_string(), span }, args, span) {
                    Value::Tensor(t) => t,
                    _ => return Value::Poison,
                }
            } else {
                out
            };
        }
        let mut output = layer_input;
        let mut h_n = or_poison!(self.stack_of(&finals_h, span));
        let mut c_n = if lstm { Some(or_poison!(self.stack_of(&finals_c, span))) } else { None };
        if batch_first {
            output = or_poison!(self.tensor_call("transpose", vec![Value::Tensor(output), int_value(0), int_value(1)], span));
        }
        if !batched {
            output = or_poison!(self.tensor_call("squeeze", vec![Value::Tensor(output), int_value(batch_dim)], span));
            h_n = or_poison!(self.tensor_call("squeeze", vec![Value::Tensor(h_n), int_value(1)], span));
            if let Some(c) = c_n {
                c_n = Some(or_poison!(self.tensor_call("squeeze", vec![Value::Tensor(c), int_value(1)], span)));
            }
        }
        let state = match c_n {
            Some(c) => Value::Tuple(vec![(Value::Tensor(h_n), span), (Value::Tensor(c), span)]),
            None => Value::Tensor(h_n),
        };
        Value::Tuple(vec![(Value::Tensor(output), span), (state, span)])
    }

    /// A cell module's `forward(input, hx=none)`: the next hidden state (for
    /// `LSTMCell`, the tuple of it and the next cell state).
    #[allow(clippy::too_many_arguments)]
    fn cell_forward(
        &mut self,
        class: &str,
        get: &dyn Fn(&str) -> Value,
        x: NodeId,
        batched: bool,
        hx: Option<(Value, Span)>,
        hidden: usize,
        span: Span,
    ) -> Value {
        let lstm = class == "LSTMCell";
        let dt = self.dtype_of(x);
        let x = if batched { x } else { or_poison!(self.tensor_call("unsqueeze", vec![Value::Tensor(x), int_value(0)], span)) };
        let want = vec![self.shape_of(x)[0], hidden];
        let states = or_poison!(self.initial_states(class, lstm, hx, (!batched).then_some(0), &want, dt, span));
        let xw = or_poison!(self.tensor_call("linear", vec![Value::Tensor(x), get("weight_ih"), get("bias_ih")], span));
        let hw = or_poison!(self.tensor_call("linear", vec![Value::Tensor(states[0]), get("weight_hh"), get("bias_hh")], span));
        let (h, c) = or_poison!(self.cell_step(class, get, xw, hw, states[0], states.get(1).copied(), span));
        let squeeze =
            |me: &mut Self, t: NodeId| if batched { Some(t) } else { me.tensor_call("squeeze", vec![Value::Tensor(t), int_value(0)], span) };
        let Some(h) = squeeze(self, h) else { return Value::Poison };
        match c {
            Some(c) => {
                let Some(c) = squeeze(self, c) else { return Value::Poison };
                Value::Tuple(vec![(Value::Tensor(h), span), (Value::Tensor(c), span)])
            }
            None => Value::Tensor(h),
        }
    }

    /// The initial states a recurrent module or cell is given (`hx`: a tensor,
    /// or for an LSTM a tuple `(h, c)`), each unsqueezed at `unsqueeze` for an
    /// unbatched input and checked to have shape `want`; zeros of `want` when
    /// none is given. `None` after an error.
    #[allow(clippy::too_many_arguments)]
    fn initial_states(
        &mut self,
        class: &str,
        lstm: bool,
        hx: Option<(Value, Span)>,
        unsqueeze: Option<usize>,
        want: &[usize],
        dt: DType,
        span: Span,
    ) -> Option<Vec<NodeId>> {
        let count = if lstm { 2 } else { 1 };
        let (v, vs) = match hx {
            None | Some((Value::None, _)) => {
                let z = self.zeros_of(want, dt, span)?;
                return Some(vec![z; count]);
            }
            Some(given) => given,
        };
        let parts: Vec<Value> = match (lstm, v) {
            (true, Value::Tuple(items) | Value::List(items)) if items.len() == 2 => items.into_iter().map(|(v, _)| v).collect(),
            (false, v @ Value::Tensor(_)) => vec![v],
            (_, Value::Poison) => return None,
            (_, other) => {
                self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{class}`'s state must be {}, not {}", if lstm { "a tuple (h, c)" } else { "a tensor" }, other.describe()),
                        vs,
                        "not a state",
                    )
                    .with_help(if lstm { "pass `(h0, c0)`" } else { "pass `h0`" }),
                );
                return None;
            }
        };
        let mut states = Vec::new();
        for p in parts {
            let mut t = self.expect_float_tensor(p, vs, "a recurrent state")?;
            if let Some(d) = unsqueeze {
                t = self.tensor_call("unsqueeze", vec![Value::Tensor(t), int_value(d)], span)?;
            }
            if self.shape_of(t) != want {
                let show = |s: &[usize]| s.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
                let got = self.shape_of(t);
                self.error(
                    Diagnostic::new(Code::E0202, format!("Expected hidden size ({}), got [{}]", show(want), show(&got)), vs, "wrong shape")
                        .with_help(if class.ends_with("Cell") {
                            "the state holds (batch, hidden_size)"
                        } else {
                            "the state holds (num_layers * num_directions, batch, hidden_size)"
                        }),
                );
                return None;
            }
            states.push(t);
        }
        Some(states)
    }

    /// One step of a cell from the step's input part `xw` (`linear(x, w_ih,
    /// b_ih)`) and hidden part `hw` (`linear(h, w_hh, b_hh)`), as ATen's
    /// `SimpleCell`, `GRUCell` and `LSTMCell` compute it: the next hidden
    /// state and, for an LSTM, the next cell state.
    #[allow(clippy::too_many_arguments)]
    fn cell_step(
        &mut self,
        class: &str,
        get: &dyn Fn(&str) -> Value,
        xw: NodeId,
        hw: NodeId,
        h: NodeId,
        c: Option<NodeId>,
        span: Span,
    ) -> Option<(NodeId, Option<NodeId>)> {
        let t = Value::Tensor;
        match class.trim_end_matches("Cell") {
            "LSTM" => {
                let gates = self.tensor_call("add", vec![t(hw), t(xw)], span)?;
                let parts = self.chunks(gates, 4, span)?;
                let i = self.tensor_call("sigmoid", vec![t(parts[0])], span)?;
                let f = self.tensor_call("sigmoid", vec![t(parts[1])], span)?;
                let g = self.tensor_call("tanh", vec![t(parts[2])], span)?;
                let o = self.tensor_call("sigmoid", vec![t(parts[3])], span)?;
                let fc = self.tensor_call("mul", vec![t(f), t(c?)], span)?;
                let ig = self.tensor_call("mul", vec![t(i), t(g)], span)?;
                let cy = self.tensor_call("add", vec![t(fc), t(ig)], span)?;
                let tc = self.tensor_call("tanh", vec![t(cy)], span)?;
                let hy = self.tensor_call("mul", vec![t(o), t(tc)], span)?;
                Some((hy, Some(cy)))
            }
            "GRU" => {
                let ig = self.chunks(xw, 3, span)?;
                let hg = self.chunks(hw, 3, span)?;
                let r_in = self.tensor_call("add", vec![t(hg[0]), t(ig[0])], span)?;
                let r = self.tensor_call("sigmoid", vec![t(r_in)], span)?;
                let z_in = self.tensor_call("add", vec![t(hg[1]), t(ig[1])], span)?;
                let z = self.tensor_call("sigmoid", vec![t(z_in)], span)?;
                let hr = self.tensor_call("mul", vec![t(hg[2]), t(r)], span)?;
                let n_in = self.tensor_call("add", vec![t(ig[2]), t(hr)], span)?;
                let n = self.tensor_call("tanh", vec![t(n_in)], span)?;
                let d = self.tensor_call("sub", vec![t(h), t(n)], span)?;
                let dz = self.tensor_call("mul", vec![t(d), t(z)], span)?;
                let hy = self.tensor_call("add", vec![t(dz), t(n)], span)?;
                Some((hy, None))
            }
            _ => {
                let pre = self.tensor_call("add", vec![t(hw), t(xw)], span)?;
                let act = if matches!(get("nonlinearity"), Value::Str(n) if n == "relu") { "relu" } else { "tanh" };
                Some((self.tensor_call(act, vec![t(pre)], span)?, None))
            }
        }
    }

    /// Calls builtin `name` with positional arguments; the tensor it gives.
    pub(super) fn tensor_call(&mut self, name: &str, args: Vec<Value>, span: Span) -> Option<NodeId> {
        let args = args.into_iter().map(|v| (None, v, span)).collect();
        match self.call_builtin_named(&Ident { name: name.to_string(), span }, args, span) {
            Value::Tensor(t) => Some(t),
            _ => None,
        }
    }

    /// `t[k]` along the first dimension.
    fn select(&mut self, t: NodeId, k: usize, span: Span) -> Option<NodeId> {
        match self.index_tensor(t, vec![Item::Select(k as i64, span)], 1, span) {
            Value::Tensor(t) => Some(t),
            _ => None,
        }
    }

    /// `t.unsafe_chunk(n, 1)`.
    fn chunks(&mut self, t: NodeId, n: usize, span: Span) -> Option<Vec<NodeId>> {
        let args = vec![(None, Value::Tensor(t), span), (None, int_value(n), span), (None, int_value(1), span)];
        match self.call_builtin_named(&Ident { name: "chunk".to_string(), span }, args, span) {
            Value::Tuple(items) | Value::List(items) => {
                items.into_iter().map(|(v, _)| if let Value::Tensor(t) = v { Some(t) } else { None }).collect()
            }
            _ => None,
        }
    }

    fn stack_of(&mut self, ts: &[NodeId], span: Span) -> Option<NodeId> {
        let list = Value::List(ts.iter().map(|&t| (Value::Tensor(t), span)).collect());
        self.tensor_call("stack", vec![list, int_value(0)], span)
    }

    fn cat_of(&mut self, ts: &[NodeId], dim: usize, span: Span) -> Option<NodeId> {
        let list = Value::List(ts.iter().map(|&t| (Value::Tensor(t), span)).collect());
        self.tensor_call("cat", vec![list, int_value(dim)], span)
    }

    /// Zeros of `shape` and dtype `dt` (the default initial state).
    fn zeros_of(&mut self, shape: &[usize], dt: DType, span: Span) -> Option<NodeId> {
        let mut args: CallArgs = shape.iter().map(|&d| (None, int_value(d), span)).collect();
        args.push((Some(Ident { name: "dtype".to_string(), span }), Value::DType(dt), span));
        match self.call_builtin_named(&Ident { name: "zeros".to_string(), span }, args, span) {
            Value::Tensor(t) => Some(t),
            _ => None,
        }
    }
}

fn int_value(i: usize) -> Value {
    Value::Number(Num::Int(i as i128))
}
