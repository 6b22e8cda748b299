//! Criterion benches: the convolution kernels at the sizes of
//! `examples/mnist_cnn.act` (a batch of 64 8x8 digits through a 1->32 and a
//! 32->64 3x3 convolution): the forward, the transpose (the input's gradient)
//! and the weight gradient, in f32 on rayon's pool as `graphc bench` runs
//! them. Run with `cargo bench --bench conv`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

use graphc_runtime::exec::on_pool;

use graphc_runtime::kernels::conv;
use graphc_runtime::op::{Conv, ConvPart};

fn values(len: usize, seed: u32) -> Vec<f32> {
    (0..len).map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(seed * 40503) % 1000) as f32 / 500.0 - 1.0).collect()
}

/// One layer: input `[n, c, h, h]`, weight `[o, c, k, k]`, stride 1, no padding.
fn layer(cr: &mut Criterion, name: &str, [n, c, h, o, k]: [usize; 5]) {
    let p = Conv { stride: [1; 2], padding: [0; 2], dilation: [1; 2], groups: 1, part: ConvPart::Forward { bias: true } };
    let oh = h - k + 1;
    let (xs, ws, os) = ([n, c, h, h], [o, c, k, k], [n, o, oh, oh]);
    let x = values(xs.iter().product(), 1);
    let w = values(ws.iter().product(), 2);
    let b = values(o, 3);
    let g = values(os.iter().product(), 4);
    let mut group = cr.benchmark_group(name);
    group.bench_function("forward", |bn| bn.iter_custom(|iters| timed(iters, || conv::conv2d(&p, &x, &xs, &w, &ws, Some(&b), &os))));
    group.bench_function("transpose", |bn| bn.iter_custom(|iters| timed(iters, || conv::conv_transpose2d(&p, &g, &os, &w, &ws, None, &xs))));
    group.bench_function("weight_grad", |bn| bn.iter_custom(|iters| timed(iters, || conv::weight_grad(&p, &g, &os, &x, &xs, &ws))));
    group.finish();
}

/// Runs `kernel` `iters` times on a thread of rayon's pool with the other
/// threads spinning for work, as a plan's kernels run (`exec::pool::on_pool`).
fn timed(iters: u64, kernel: impl Fn() -> Vec<f32> + Sync) -> Duration {
    on_pool(|| {
        let start = Instant::now();
        for _ in 0..iters {
            black_box(kernel());
        }
        start.elapsed()
    })
}

fn mnist_cnn(c: &mut Criterion) {
    layer(c, "conv1 64x1x8x8 by 32x1x3x3", [64, 1, 8, 32, 3]);
    layer(c, "conv2 64x32x6x6 by 64x32x3x3", [64, 32, 6, 64, 3]);
}

criterion_group!(benches, mnist_cnn, pool);
criterion_main!(benches);

fn pool(c: &mut Criterion) {
    use graphc_runtime::op::MaxPool;
    let p = MaxPool { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] };
    let x = values(64 * 64 * 16, 5);
    c.bench_function("max_pool2d 64x64x4x4", |b| {
        b.iter_custom(|iters| {
            on_pool(|| {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(graphc_runtime::kernels::pool::max_indices(&p, &x, &[64, 64, 4, 4], &[64, 64, 2, 2]));
                }
                start.elapsed()
            })
        })
    });
}
