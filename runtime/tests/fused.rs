//! The fused executor against the one-op kernels: every elementwise op, with
//! streamed, scalar and constant operands, over lengths that end inside a
//! chunk, on one thread and on several, must give the one-op kernel's bits.

use graphc_runtime::fused::{self, CHUNK};
use graphc_runtime::kernels;
use graphc_runtime::op::{Activation, Binary, Cmp, F64Bits, Op, Unary};
use graphc_runtime::plan::{Dst, FusedKernel, Instr, Src, ValueId};
use graphc_runtime::rng::Generator;
use graphc_runtime::{DType, Tensor};

fn ops() -> Vec<Op> {
    // Every op of the two tables, so that a new row is checked here too.
    let mut v: Vec<Op> = Unary::ALL.iter().map(|&u| Op::Unary(u)).chain(Binary::ALL.iter().map(|&b| Op::Binary(b))).collect();
    v.extend([0.0, 1.0, 0.5, -0.5, -1.0, 2.0, 3.0, -2.0, 1.7].map(|c| Op::PowScalar(F64Bits::new(c))));
    v.extend([Cmp::Lt, Cmp::Le, Cmp::Eq, Cmp::Gt, Cmp::Ge].map(Op::Where));
    let b = F64Bits::new;
    v.extend(
        [
            Activation::Clamp { min: Some(b(-0.5)), max: Some(b(0.5)) },
            Activation::Clamp { min: Some(b(0.3)), max: None },
            Activation::Clamp { min: None, max: Some(b(-0.2)) },
            Activation::Hardtanh { min: b(-1.0), max: b(1.0) },
            Activation::LeakyRelu { slope: b(0.01) },
            Activation::Elu { alpha: b(1.5) },
            Activation::Softplus { beta: b(2.0), threshold: b(3.0) },
        ]
        .map(Op::Activation),
    );
    v
}

fn same_bits(a: &Tensor, b: &Tensor) -> bool {
    a.to_f64_vec().iter().zip(b.to_f64_vec()).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Operand `i` of an op in the test: streamed input 0 or 1, the scalar, or a constant.
fn operand(i: usize, variant: usize) -> Src {
    match (i + variant) % 4 {
        0 => Src::In(0),
        1 => Src::In(1),
        2 => Src::Scalar(0),
        _ => Src::Const(F64Bits::new(0.25)),
    }
}

fn check(dtype: DType, len: usize) {
    let mut g = Generator::new();
    g.manual_seed(len as u64);
    let a = g.randn(dtype, &[len]);
    // Some equal elements, so that `where(==)` and max/min ties are exercised.
    let b =
        Tensor::from_f64_values(dtype, vec![len], a.to_f64_vec().iter().enumerate().map(|(i, x)| if i % 3 == 0 { *x } else { x * -1.5 }).collect());
    let s = Tensor::from_f64_values(dtype, vec![], vec![0.75]);
    let c = Tensor::from_f64_values(dtype, vec![], vec![0.25]);
    let value_of = |src: Src| -> &Tensor {
        match src {
            Src::In(0) => &a,
            Src::In(_) => &b,
            Src::Scalar(_) => &s,
            _ => &c,
        }
    };
    for op in ops() {
        for variant in 0..4 {
            let args: Vec<Src> = (0..op.arity()).map(|i| operand(i, variant)).collect();
            // At least one streamed operand, as in every kernel the compiler makes.
            if !args.iter().any(|s| matches!(s, Src::In(_))) {
                continue;
            }
            let tensors: Vec<&Tensor> = args.iter().map(|&s| value_of(s)).collect();
            let want = kernels::eval(&op, &tensors, dtype, &[len]);
            // Through a register first, then to the output, so both paths are used.
            let k = FusedKernel {
                dtype,
                len,
                inputs: vec![ValueId(0), ValueId(1)],
                scalars: vec![ValueId(2)],
                outputs: vec![ValueId(3)],
                instrs: vec![
                    Instr { op: op.clone(), args: args.clone(), dst: Dst::Reg(0), fast: false },
                    Instr { op: Op::Unary(Unary::Detach), args: vec![Src::Reg(0)], dst: Dst::Out(0), fast: false },
                ],
                regs: 1,
            };
            for threads in [1, 2] {
                let mut out = vec![Tensor::full(dtype, vec![len], f64::NAN)];
                rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| fused::run(&k, &[&a, &b], &[&s], &mut out));
                assert!(same_bits(&out[0], &want), "{} ({args:?}, {dtype}, n = {len}, {threads} threads) differs from the one-op kernel", op.name());
            }
        }
    }
}

#[test]
fn every_fused_op_matches_its_one_op_kernel() {
    for len in [1, 7, CHUNK, CHUNK + 1, 2 * CHUNK + 13] {
        check(DType::F32, len);
        check(DType::F64, len);
    }
}

#[test]
fn streamed_outputs_match_plain_stores() {
    // A kernel at least `STREAM_MIN` long computes its outputs in scratch rows and
    // streams them out; one output is also read back by a later instruction.
    let len = fused::STREAM_MIN + 3;
    for dtype in [DType::F32, DType::F64] {
        let mut g = Generator::new();
        g.manual_seed(3);
        let a = g.randn(dtype, &[len]);
        let k = FusedKernel {
            dtype,
            len,
            inputs: vec![ValueId(0)],
            scalars: vec![],
            outputs: vec![ValueId(1), ValueId(2)],
            instrs: vec![
                Instr { op: Op::Binary(Binary::Mul), args: vec![Src::In(0), Src::In(0)], dst: Dst::Out(0), fast: false },
                Instr { op: Op::Binary(Binary::Add), args: vec![Src::Out(0), Src::Const(F64Bits::new(1.0))], dst: Dst::Reg(0), fast: false },
                Instr { op: Op::Binary(Binary::Div), args: vec![Src::In(0), Src::Reg(0)], dst: Dst::Out(1), fast: false },
            ],
            regs: 1,
        };
        let sq = kernels::eval(&Op::Binary(Binary::Mul), &[&a, &a], dtype, &[len]);
        let one = Tensor::from_f64_values(dtype, vec![], vec![1.0]);
        let den = kernels::eval(&Op::Binary(Binary::Add), &[&sq, &one], dtype, &[len]);
        let q = kernels::eval(&Op::Binary(Binary::Div), &[&a, &den], dtype, &[len]);
        for threads in [1, 2] {
            let mut out = vec![Tensor::full(dtype, vec![len], f64::NAN), Tensor::full(dtype, vec![len], f64::NAN)];
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| fused::run(&k, &[&a], &[], &mut out));
            assert!(same_bits(&out[0], &sq) && same_bits(&out[1], &q), "{dtype}, {threads} threads");
        }
    }
}
