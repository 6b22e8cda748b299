//! PyTorch's CPU random number generator, reproduced exactly.
//!
//! The engine is a 32-bit Mersenne Twister (`std::mt19937`), as in PyTorch's
//! `CPUGeneratorImpl`. On top of it sit PyTorch's transformations
//! (`TransformationHelper.h`, `DistributionsHelper.h`, `DistributionTemplates.h`):
//! uniform floats from the low bits of one or two engine outputs, and normals by
//! Box-Muller, either one element at a time in double precision with a cached
//! second sample (fewer than 16 elements), or in blocks of 16 in the tensor's
//! dtype (`normal_fill`, 16 elements or more). For float32 the large path is
//! PyTorch's AVX2 `normal_fill_16_AVX2`, whose log and sincos are reproduced lane
//! by lane in [`avx_mathfun`]. See `shared/reference/torch_rng.md` for the facts
//! this file reproduces; every reference vector matches bit for bit.

use rand_mt::Mt;

use crate::tensor::{numel, DType, Tensor};

/// PyTorch's `default_rng_seed_val`: the seed of the CPU generator at start-up.
pub const DEFAULT_SEED: u64 = 67280421310721;

/// PyTorch's default CPU generator state: mt19937 plus the cached normal sample.
pub struct Generator {
    engine: Mt,
    /// The second Box-Muller sample of the small-n normal path, kept between calls
    /// exactly as PyTorch keeps `next_double_normal_sample`.
    cached_normal: Option<f64>,
}

/// 2^-24, the step of PyTorch's float32 uniform.
const F32_UNIFORM_STEP: f32 = 1.0 / (1u32 << 24) as f32;
/// 2^-53, the step of PyTorch's float64 uniform.
const F64_UNIFORM_STEP: f64 = 1.0 / (1u64 << 53) as f64;

impl Generator {
    /// A generator seeded as PyTorch's default CPU generator is at start-up.
    pub fn new() -> Generator {
        // As `manual_seed(DEFAULT_SEED)` leaves it, seeding the engine once.
        Generator { engine: Mt::new(DEFAULT_SEED as u32), cached_normal: None }
    }

    /// `torch.manual_seed(seed)`. PyTorch's `mt19937` constructor takes the seed as
    /// a `uint64_t` but only stores `seed & 0xffffffff` into the first state word,
    /// so the engine sees the low 32 bits (seed 4294967295 and the default seed
    /// 67280421310721 both depend on this).
    pub fn manual_seed(&mut self, seed: u64) {
        self.engine = Mt::new(seed as u32);
        self.cached_normal = None;
    }

    /// One 32-bit engine output (`CPUGeneratorImpl::random`).
    fn random(&mut self) -> u32 {
        self.engine.next_u32()
    }

    /// Two engine outputs, the first as the high word (`CPUGeneratorImpl::random64`).
    fn random64(&mut self) -> u64 {
        let hi = self.random() as u64;
        let lo = self.random() as u64;
        (hi << 32) | lo
    }

    /// A float32 uniform in [0, 1): the low 24 bits of one output times 2^-24.
    fn uniform_f32(&mut self) -> f32 {
        (self.random() & 0x00ff_ffff) as f32 * F32_UNIFORM_STEP
    }

    /// A float64 uniform in [0, 1): the low 53 bits of `random64` times 2^-53.
    fn uniform_f64(&mut self) -> f64 {
        (self.random64() & ((1u64 << 53) - 1)) as f64 * F64_UNIFORM_STEP
    }

    /// One standard normal in double precision (`at::normal_distribution<double>`),
    /// using and refilling the cached second sample.
    fn normal_f64(&mut self) -> f64 {
        if let Some(v) = self.cached_normal.take() {
            return v;
        }
        let u1 = self.uniform_f64();
        let u2 = self.uniform_f64();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u1;
        self.cached_normal = Some(r * theta.sin());
        r * theta.cos()
    }

    /// `torch.randn(*shape, dtype=dtype)`.
    pub fn randn(&mut self, dtype: DType, shape: &[usize]) -> Tensor {
        let n = numel(shape);
        if n < 16 {
            // `normal_kernel`'s serial path: each element drawn in double, then cast.
            let values: Vec<f64> = (0..n).map(|_| self.normal_f64()).collect();
            return Tensor::from_f64_values(dtype, shape.to_vec(), values);
        }
        match dtype {
            DType::F32 => {
                let mut d: Vec<f32> = (0..n).map(|_| self.uniform_f32()).collect();
                normal_fill(&mut d, || self.uniform_f32());
                Tensor::from_f32(shape.to_vec(), d)
            }
            DType::F64 => {
                let mut d: Vec<f64> = (0..n).map(|_| self.uniform_f64()).collect();
                normal_fill(&mut d, || self.uniform_f64());
                Tensor::from_f64(shape.to_vec(), d)
            }
            DType::I64 | DType::Bool => panic!("randn of {dtype}: the compiler allows only float dtypes"),
        }
    }

    /// `torch.rand(*shape, dtype=dtype)`: uniforms of the dtype's precision, in order.
    pub fn rand(&mut self, dtype: DType, shape: &[usize]) -> Tensor {
        let n = numel(shape);
        match dtype {
            DType::F32 => Tensor::from_f32(shape.to_vec(), (0..n).map(|_| self.uniform_f32()).collect()),
            DType::F64 => Tensor::from_f64(shape.to_vec(), (0..n).map(|_| self.uniform_f64()).collect()),
            DType::I64 | DType::Bool => panic!("rand of {dtype}: the compiler allows only float dtypes"),
        }
    }
}

impl Generator {
    /// `x.exponential_(lambd)` of a float tensor, as PyTorch's default CPU
    /// kernel (`exponential_kernel_default`) draws it, element by element: a
    /// uniform double `u` as `rand`'s f64 draws it, then `-1 / lambd *
    /// log1p(-u)` in double with libm's `log1p`, rounded to the dtype.
    pub fn exponential(&mut self, dtype: DType, shape: &[usize], lambda: f64) -> Tensor {
        let n = numel(shape);
        let mut draw = || (-1.0 / lambda) * (-self.uniform_f64()).ln_1p();
        match dtype {
            DType::F32 => Tensor::from_f32(shape.to_vec(), (0..n).map(|_| draw() as f32).collect()),
            DType::F64 => Tensor::from_f64(shape.to_vec(), (0..n).map(|_| draw()).collect()),
            DType::I64 | DType::Bool => panic!("exponential of {dtype}: the compiler allows only float dtypes"),
        }
    }

    /// `x.normal_(mean, std)` of a float tensor: `randn`'s draws times `std`
    /// plus `mean` in one rounding, in f64 for fewer than 16 elements (whose
    /// draws are doubles) and in the dtype otherwise, as PyTorch's
    /// `normal_kernel` computes them (the compiler's `normal_values` makes the
    /// same nodes).
    pub fn normal(&mut self, dtype: DType, shape: &[usize], mean: f64, std: f64) -> Vec<f64> {
        let small = numel(shape) < 16;
        let work = if small { DType::F64 } else { dtype };
        let z = self.randn(work, shape);
        match (z.as_f32(), z.as_f64()) {
            (Some(v), _) => v.iter().map(|&x| f64::from(x.mul_add(std as f32, mean as f32))).collect(),
            (_, Some(v)) => {
                let out = v.iter().map(|&x| x.mul_add(std, mean));
                if dtype == DType::F32 {
                    out.map(|x| f64::from(x as f32)).collect()
                } else {
                    out.collect()
                }
            }
            _ => unreachable!("randn draws floats"),
        }
    }

    /// `nn.init.trunc_normal_` of PyTorch 2.15 where the bounds keep more than
    /// 30% of the distribution (`_no_grad_trunc_normal_`'s first branch): the
    /// tensor filled by `normal_(mean, std)`, then, while any value lies
    /// outside `[lo, hi]`, a whole tensor more of normal draws
    /// (`empty_like(result).normal_(mean, std)`) taking the places of those
    /// outside. The bounds are the dtype's values of `a` and `b`; each pass
    /// keeps a fixed share of the distribution, so the loop ends after a few
    /// passes (at most 10,000 are run, against a chance below 0.7^10000).
    pub fn trunc_normal(&mut self, dtype: DType, shape: &[usize], (mean, std): (f64, f64), (lo, hi): (f64, f64)) -> Tensor {
        let mut result = self.normal(dtype, shape, mean, std);
        for _ in 0..10_000 {
            let outside: Vec<bool> = result.iter().map(|&v| v < lo || v > hi).collect();
            if !outside.contains(&true) {
                break;
            }
            let fresh = self.normal(dtype, shape, mean, std);
            for ((r, f), o) in result.iter_mut().zip(fresh).zip(outside) {
                if o {
                    *r = f;
                }
            }
        }
        Tensor::from_f64_values(dtype, shape.to_vec(), result)
    }

    /// `torch.randperm(n)` (int64), as `randperm_cpu` in PyTorch's
    /// `TensorFactories.cpp` computes it. Below `u32::MAX / 20` elements: the
    /// identity, then for each position i but the last a swap with position
    /// `i + random() % (n - i)`. From there on, where one 32-bit output would skew
    /// the choice, the "inside-out" Fisher-Yates shuffle with `random64() % (i + 1)`.
    pub fn randperm(&mut self, n: usize) -> Tensor {
        let mut v: Vec<i64> = Vec::with_capacity(n);
        if (n as u64) < u64::from(u32::MAX / 20) {
            v.extend(0..n as i64);
            for i in 0..n.saturating_sub(1) {
                let z = (u64::from(self.random()) % (n - i) as u64) as usize;
                v.swap(i, i + z);
            }
        } else {
            for i in 0..n {
                let z = (self.random64() % (i as u64 + 1)) as usize;
                v.push(i as i64);
                v[i] = v[z];
                v[z] = i as i64;
            }
        }
        Tensor::from_i64(vec![n], v)
    }

    /// `torch.randint(low, high, shape)` (int64): each element in order is
    /// `low + random() % (high - low)`, or `random64()` in place of `random()` when
    /// the range is 2^32 or more (`uniform_int_from_to_distribution`). The compiler
    /// guarantees `low < high`.
    pub fn randint(&mut self, low: i64, high: i64, shape: &[usize]) -> Tensor {
        let range = high.wrapping_sub(low) as u64;
        let values = (0..numel(shape))
            .map(|_| {
                let r = if range >= 1 << 32 { self.random64() } else { u64::from(self.random()) };
                (r % range).wrapping_add(low as u64) as i64
            })
            .collect();
        Tensor::from_i64(shape.to_vec(), values)
    }
}

impl Generator {
    /// `torch.empty((), dtype=torch.int64).random_()`: `random64()` reduced to
    /// `0..2^63` (`uniform_int<int64_t>`).
    fn random_i64(&mut self) -> u64 {
        self.random64() % (1u64 << 63)
    }

    /// The sample order of one pass over a `DataLoader` of `n` samples, with the
    /// draws PyTorch makes from the default generator. Creating the iterator
    /// draws its `_base_seed` (one `random_()`, kept for worker processes and
    /// unused in-process, but it advances the generator with or without
    /// shuffling). A `RandomSampler` without a generator of its own then draws
    /// a seed the same way, seeds a fresh `torch.Generator` with it, and visits
    /// `randperm(n)` of that generator; a `SequentialSampler` visits `0..n`.
    pub fn loader_order(&mut self, n: usize, shuffle: bool) -> Tensor {
        let _base_seed = self.random_i64();
        if !shuffle {
            return Tensor::from_i64(vec![n], (0..n as i64).collect());
        }
        let seed = self.random_i64();
        let mut sampler = Generator::new();
        sampler.manual_seed(seed);
        sampler.randperm(n)
    }
}

impl Default for Generator {
    fn default() -> Self {
        Generator::new()
    }
}

/// The arithmetic `normal_fill_16` needs, in one float type.
trait BoxMuller: Copy {
    fn one_minus(self) -> Self;
    /// `radius * cos(theta)` and `radius * sin(theta)` for the uniforms `u1`, `u2`.
    fn pair(u1: Self, u2: Self) -> (Self, Self);
}

impl BoxMuller for f32 {
    fn one_minus(self) -> f32 {
        1.0 - self
    }
    fn pair(u1: f32, u2: f32) -> (f32, f32) {
        let radius = (-2.0 * avx_mathfun::log(u1)).sqrt();
        // PyTorch's float32 path is `normal_fill_16_AVX2`, which multiplies by
        // the float constant `2.0f * pi` in float.
        let theta = (2.0 * std::f64::consts::PI) as f32 * u2;
        let (sin, cos) = avx_mathfun::sincos(theta);
        (radius * cos, radius * sin)
    }
}

impl BoxMuller for f64 {
    fn one_minus(self) -> f64 {
        1.0 - self
    }
    fn pair(u1: f64, u2: f64) -> (f64, f64) {
        let radius = (-2.0 * u1.ln()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u2;
        (radius * theta.cos(), radius * theta.sin())
    }
}

/// Transforms 16 uniforms in place into 16 normals (`normal_fill_16`): element j
/// pairs with element j + 8.
fn normal_fill_16<T: BoxMuller>(d: &mut [T]) {
    for j in 0..8 {
        let u1 = d[j].one_minus();
        let u2 = d[j + 8];
        let (c, s) = T::pair(u1, u2);
        d[j] = c;
        d[j + 8] = s;
    }
}

/// PyTorch's `normal_fill` on uniforms already drawn into `d` (at least 16):
/// full blocks of 16 in place, then, if a tail remains, 16 fresh uniforms
/// transformed as one block and written over the last 16 elements.
fn normal_fill<T: BoxMuller>(d: &mut [T], mut uniform: impl FnMut() -> T) {
    let n = d.len();
    debug_assert!(n >= 16);
    let mut i = 0;
    while i + 16 <= n {
        normal_fill_16(&mut d[i..i + 16]);
        i += 16;
    }
    if !n.is_multiple_of(16) {
        let tail = &mut d[n - 16..];
        for x in tail.iter_mut() {
            *x = uniform();
        }
        normal_fill_16(tail);
    }
}

/// Scalar copies of the Cephes-style `log256_ps` and `sincos256_ps` that PyTorch's
/// float32 `normal_fill_16_AVX2` calls (`aten/src/ATen/native/cpu/avx_mathfun.h`,
/// after Julien Pommier's `sse_mathfun`). They are not libm's functions and differ
/// from them in the last bits, so `randn` of 16 or more float32 elements needs them
/// to reproduce PyTorch bit for bit. Each vector lane is computed independently, so
/// one lane at a time gives the same results.
// The constants are Cephes' decimal literals exactly as avx_mathfun.h writes them,
// so that a reader can compare them with PyTorch's source; they round to the same
// f32 values as the shorter forms clippy would suggest.
#[allow(clippy::excessive_precision, clippy::approx_constant)]
mod avx_mathfun {
    /// `a * b + c` with one rounding. GCC, which builds PyTorch for Linux, contracts
    /// the intrinsics' separate multiplies and adds into fused multiply-adds (the
    /// AVX2 kernels are built with `-mfma`, and GCC's default is
    /// `-ffp-contract=fast`). Where a sum has two products, GCC fuses the first
    /// and rounds the second; `randn(100000)` of PyTorch 2.15 settles each
    /// choice bit for bit (tools/numerics, docs/NUMERICS.md).
    #[inline]
    fn madd(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }

    const SQRTHF: f32 = 0.707106781186547524;
    const LOG_P: [f32; 9] = [
        7.0376836292E-2,
        -1.1514610310E-1,
        1.1676998740E-1,
        -1.2420140846E-1,
        1.4249322787E-1,
        -1.6668057665E-1,
        2.0000714765E-1,
        -2.4999993993E-1,
        3.3333331174E-1,
    ];
    const LOG_Q1: f32 = -2.12194440e-4;
    const LOG_Q2: f32 = 0.693359375;

    /// `log256_ps` for one lane: NaN for x <= 0; denormals are flushed to the
    /// smallest normal first.
    pub fn log(x: f32) -> f32 {
        let invalid = x <= 0.0;
        // `_mm256_max_ps(x, min_norm)` returns the second operand for NaN.
        let x = if x > f32::MIN_POSITIVE { x } else { f32::MIN_POSITIVE };
        let bits = x.to_bits();
        let mut e = ((bits >> 23) as i32 - 0x7f) as f32 + 1.0;
        // Keep the mantissa, with the exponent of 0.5: m in [0.5, 1).
        let m = f32::from_bits((bits & !0x7f80_0000) | 0.5f32.to_bits());
        let mut x = m - 1.0;
        if m < SQRTHF {
            e -= 1.0;
            x += m;
        }
        let z = x * x;
        let mut y = LOG_P[0];
        for &p in &LOG_P[1..] {
            y = madd(y, x, p);
        }
        y *= x;
        // `y*z + e*q1`: GCC fuses the first product and rounds the second
        // (measured: the other pairing misses 17 of 100,000 elements).
        y = madd(y, z, e * LOG_Q1);
        y = madd(-z, 0.5, y);
        let r = madd(e, LOG_Q2, x + y);
        if invalid {
            f32::NAN
        } else {
            r
        }
    }

    const DP1: f32 = -0.78515625;
    const DP2: f32 = -2.4187564849853515625e-4;
    const DP3: f32 = -3.77489497744594108e-8;
    const SINCOF: [f32; 3] = [-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1];
    const COSCOF: [f32; 3] = [2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002];
    const FOPI: f32 = 1.27323954473516;

    /// `sincos256_ps` for one lane: `(sin x, cos x)`.
    pub fn sincos(x: f32) -> (f32, f32) {
        let sign_sin = x.is_sign_negative();
        let mut x = x.abs();
        // Octant: the integer part of x * 4/pi, rounded up to even (`cvttps` truncates).
        let j = (((x * FOPI) as i32).wrapping_add(1)) & !1;
        let y = j as f32;
        let swap_sin = j & 4 != 0;
        let poly_sin = j & 2 == 0;
        let swap_cos = (j.wrapping_sub(2)) & 4 == 0;
        // Extended-precision reduction: x = ((x - y*DP1) - y*DP2) - y*DP3.
        x = madd(y, DP1, x);
        x = madd(y, DP2, x);
        x = madd(y, DP3, x);
        let z = x * x;
        let mut c = COSCOF[0];
        c = madd(c, z, COSCOF[1]);
        c = madd(c, z, COSCOF[2]);
        c *= z;
        // `c*z - z*0.5`: again the first product is fused, the second rounded
        // (the other pairing misses 105 of 100,000 elements).
        c = madd(c, z, -(z * 0.5));
        c += 1.0;
        let mut s = SINCOF[0];
        s = madd(s, z, SINCOF[1]);
        s = madd(s, z, SINCOF[2]);
        s *= z;
        s = madd(s, x, x);
        // Where `poly_sin`, sine takes the sine polynomial and cosine the cosine one;
        // elsewhere they swap.
        let (sin_v, cos_v) = if poly_sin { (s, c) } else { (c, s) };
        let sin_v = if sign_sin != swap_sin { -sin_v } else { sin_v };
        let cos_v = if swap_cos { -cos_v } else { cos_v };
        (sin_v, cos_v)
    }
}
