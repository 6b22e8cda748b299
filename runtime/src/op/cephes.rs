//! Special functions from the Cephes Math Library as ATen's `Math.h` adapts
//! them (3-clause BSD; see ATen's note on Cephes' license), element functions
//! of the unary op table: `ndtri` and the modified Bessel functions `i0`,
//! `i0e`, `i1` and `i1e`. Each runs in the dtype with Cephes' coefficients
//! rounded to it, as ATen's `static const T` arrays are, and with the
//! multiply-adds GCC fuses in PyTorch's AVX2 build.

use crate::kernels::float::Float;

/// Cephes' `polevl` as ATen writes it: Horner's rule from the leading
/// coefficient, each step one fused multiply-add in PyTorch's AVX2 build.
fn polevl<T: Float>(x: T, coefficients: &[f64]) -> T {
    coefficients.iter().fold(T::ZERO, |acc, &c| acc.mul_add(x, T::from_f64(c)))
}

/// ATen's `calc_ndtri` (`ATen/native/Math.h`, from Cephes' `ndtri`) in `T`,
/// Cephes' coefficients rounded to `T` as ATen's `static const T` arrays are.
// Cephes' decimal literals, kept as written.
#[allow(clippy::excessive_precision)]
pub(super) fn calc_ndtri<T: Float>(y0: T) -> T {
    // For 0 <= |y - 0.5| <= 3/8.
    const P0: [f64; 5] =
        [-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1, 1.39312609387279679503E1, -1.23916583867381258016E0];
    const Q0: [f64; 9] = [
        1.00000000000000000000E0,
        1.95448858338141759834E0,
        4.67627912898881538453E0,
        8.63602421390890590575E1,
        -2.25462687854119370527E2,
        2.00260212380060660359E2,
        -8.20372256168333339912E1,
        1.59056225126211695515E1,
        -1.18331621121330003142E0,
    ];
    // For z = sqrt(-2 log y) between 2 and 8, y between exp(-2) and exp(-32).
    const P1: [f64; 9] = [
        4.05544892305962419923E0,
        3.15251094599893866154E1,
        5.71628192246421288162E1,
        4.40805073893200834700E1,
        1.46849561928858024014E1,
        2.18663306850790267539E0,
        -1.40256079171354495875E-1,
        -3.50424626827848203418E-2,
        -8.57456785154685413611E-4,
    ];
    const Q1: [f64; 9] = [
        1.00000000000000000000E0,
        1.57799883256466749731E1,
        4.53907635128879210584E1,
        4.13172038254672030440E1,
        1.50425385692907503408E1,
        2.50464946208309415979E0,
        -1.42182922854787788574E-1,
        -3.80806407691578277194E-2,
        -9.33259480895457427372E-4,
    ];
    // For z between 8 and 64, y between exp(-32) and exp(-2048).
    const P2: [f64; 9] = [
        3.23774891776946035970E0,
        6.91522889068984211695E0,
        3.93881025292474443415E0,
        1.33303460815807542389E0,
        2.01485389549179081538E-1,
        1.23716634817820021358E-2,
        3.01581553508235416007E-4,
        2.65806974686737550832E-6,
        6.23974539184983293730E-9,
    ];
    const Q2: [f64; 9] = [
        1.00000000000000000000E0,
        6.02427039364742014255E0,
        3.67983563856160859403E0,
        1.37702099489081330271E0,
        2.16236993594496635890E-1,
        1.34204006088543189037E-2,
        3.28014464682127739104E-4,
        2.89247864745380683936E-6,
        6.79019408009981274425E-9,
    ];
    let (zero, one) = (T::ZERO, T::ONE);
    if y0 == zero {
        return T::from_f64(f64::NEG_INFINITY);
    }
    if y0 == one {
        return T::from_f64(f64::INFINITY);
    }
    // NaN fails both comparisons, and the comparisons below too: ATen returns it
    // from the tail's arithmetic, as graphc does.
    if y0 < zero || y0 > one {
        return T::NAN;
    }
    let exp_m2 = T::from_f64(0.13533528323661269189);
    let (mut y, mut negate) = (y0, true);
    if y > one - exp_m2 {
        y = one - y;
        negate = false;
    }
    if y > exp_m2 {
        let y = y - T::from_f64(0.5);
        let y2 = y * y;
        let x = y.mul_add(y2 * polevl(y2, &P0) / polevl(y2, &Q0), y);
        return x * T::from_f64(2.50662827463100050242E0);
    }
    // ATen calls `::log` and `::sqrt`, the C library's double functions, so
    // these two lines run in double and round to `T` at their assignments
    // (measured on f32: with `logf` and `sqrtf` 87,762 of 99,011 inputs were
    // PyTorch's bits).
    let x = T::from_f64((-2.0 * y.to_f64().ln()).sqrt());
    let xd = x.to_f64();
    let x0 = T::from_f64(xd - xd.ln() / xd);
    let z = one / x;
    let x1 = if x < T::from_f64(8.0) { z * polevl(z, &P1) / polevl(z, &Q1) } else { z * polevl(z, &P2) / polevl(z, &Q2) };
    let x = x0 - x1;
    if negate {
        -x
    } else {
        x
    }
}

/// Cephes' `chbevl` as ATen writes it: the Chebyshev series with
/// coefficients `a` (the zero-order term last) at `x / 2`, Clenshaw's
/// recurrence `b0 = x * b1 - b2 + a[i]` with its multiply-subtract fused.
fn chbevl<T: Float>(x: T, a: &[f64]) -> T {
    let (mut b0, mut b1, mut b2) = (T::from_f64(a[0]), T::ZERO, T::ZERO);
    for &c in &a[1..] {
        b2 = b1;
        b1 = b0;
        b0 = x.mul_add(b1, -b2) + T::from_f64(c);
    }
    T::from_f64(0.5) * (b0 - b2)
}

/// `exp(-x) I0(x)` on [0, 8].
#[allow(clippy::excessive_precision)]
const I0E_A: [f64; 30] = [
    -4.41534164647933937950E-18,
    3.33079451882223809783E-17,
    -2.43127984654795469359E-16,
    1.71539128555513303061E-15,
    -1.16853328779934516808E-14,
    7.67618549860493561688E-14,
    -4.85644678311192946090E-13,
    2.95505266312963983461E-12,
    -1.72682629144155570723E-11,
    9.67580903537323691224E-11,
    -5.18979560163526290666E-10,
    2.65982372468238665035E-9,
    -1.30002500998624804212E-8,
    6.04699502254191894932E-8,
    -2.67079385394061173391E-7,
    1.11738753912010371815E-6,
    -4.41673835845875056359E-6,
    1.64484480707288970893E-5,
    -5.75419501008210370398E-5,
    1.88502885095841655729E-4,
    -5.76375574538582365885E-4,
    1.63947561694133579842E-3,
    -4.32430999505057594430E-3,
    1.05464603945949983183E-2,
    -2.37374148058994688156E-2,
    4.93052842396707084878E-2,
    -9.49010970480476444210E-2,
    1.71620901522208775349E-1,
    -3.04682672343198398683E-1,
    6.76795274409476084995E-1,
];

/// `exp(-x) sqrt(x) I0(x)` on the inverted interval [8, inf).
#[allow(clippy::excessive_precision)]
const I0E_B: [f64; 25] = [
    -7.23318048787475395456E-18,
    -4.83050448594418207126E-18,
    4.46562142029675999901E-17,
    3.46122286769746109310E-17,
    -2.82762398051658348494E-16,
    -3.42548561967721913462E-16,
    1.77256013305652638360E-15,
    3.81168066935262242075E-15,
    -9.55484669882830764870E-15,
    -4.15056934728722208663E-14,
    1.54008621752140982691E-14,
    3.85277838274214270114E-13,
    7.18012445138366623367E-13,
    -1.79417853150680611778E-12,
    -1.32158118404477131188E-11,
    -3.14991652796324136454E-11,
    1.18891471078464383424E-11,
    4.94060238822496958910E-10,
    3.39623202570838634515E-9,
    2.26666899049817806459E-8,
    2.04891858946906374183E-7,
    2.89137052083475648297E-6,
    6.88975834691682398426E-5,
    3.36911647825569408990E-3,
    8.04490411014108831608E-1,
];

/// `exp(-x) I1(x)` on [0, 8], for double; ATen's float table is its last 17.
#[allow(clippy::excessive_precision)]
const I1E_A: [f64; 29] = [
    2.77791411276104639959E-18,
    -2.11142121435816608115E-17,
    1.55363195773620046921E-16,
    -1.10559694773538630805E-15,
    7.60068429473540693410E-15,
    -5.04218550472791168711E-14,
    3.22379336594557470981E-13,
    -1.98397439776494371520E-12,
    1.17361862988909016308E-11,
    -6.66348972350202774223E-11,
    3.62559028155211703701E-10,
    -1.88724975172282928790E-9,
    9.38153738649577178388E-9,
    -4.44505912879632808065E-8,
    2.00329475355213526229E-7,
    -8.56872026469545474066E-7,
    3.47025130813767847674E-6,
    -1.32731636560394358279E-5,
    4.78156510755005422638E-5,
    -1.61760815825896745588E-4,
    5.12285956168575772895E-4,
    -1.51357245063125314899E-3,
    4.15642294431288815669E-3,
    -1.05640848946261981558E-2,
    2.47264490306265168283E-2,
    -5.29459812080949914269E-2,
    1.02643658689847095384E-1,
    -1.76416518357834055153E-1,
    2.52587186443633654823E-1,
];

/// `exp(-x) sqrt(x) I1(x)` on [8, inf), for double; ATen's float table is its last 7.
#[allow(clippy::excessive_precision)]
const I1E_B: [f64; 25] = [
    7.51729631084210481353E-18,
    4.41434832307170791151E-18,
    -4.65030536848935832153E-17,
    -3.20952592199342395980E-17,
    2.96262899764595013876E-16,
    3.30820231092092828324E-16,
    -1.88035477551078244854E-15,
    -3.81440307243700780478E-15,
    1.04202769841288027642E-14,
    4.27244001671195135429E-14,
    -2.10154184277266431302E-14,
    -4.08355111109219731823E-13,
    -7.19855177624590851209E-13,
    2.03562854414708950722E-12,
    1.41258074366137813316E-11,
    3.25260358301548823856E-11,
    -1.89749581235054123450E-11,
    -5.58974346219658380687E-10,
    -3.83538038596423702205E-9,
    -2.63146884688951950684E-8,
    -2.51223623787020892529E-7,
    -3.88256480887769039346E-6,
    -1.10588938762623716291E-4,
    -9.76109749136146840777E-3,
    7.78576235018280120474E-1,
];

/// The `i1e` tables ATen uses for `T`: float's are the double tables' tails.
fn i1e_tables<T: Float>() -> (&'static [f64], &'static [f64]) {
    if std::mem::size_of::<T>() == 4 {
        (&I1E_A[12..], &I1E_B[18..])
    } else {
        (&I1E_A, &I1E_B)
    }
}

/// ATen's `calc_i0`: `exp(x)` (the C library's) times the scaled series of |x|.
pub(super) fn calc_i0<T: Float>(x: T) -> T {
    let x = x.abs();
    if x <= T::from_f64(8.0) {
        let y = x / T::from_f64(2.0) - T::from_f64(2.0);
        return x.exp() * chbevl(y, &I0E_A);
    }
    x.exp() * chbevl(T::from_f64(32.0) / x - T::from_f64(2.0), &I0E_B) / x.sqrt()
}

/// ATen's `calc_i0e`: `exp(-|x|) I0(x)`, the series alone.
pub(super) fn calc_i0e<T: Float>(x: T) -> T {
    let x = x.abs();
    if x <= T::from_f64(8.0) {
        let y = x / T::from_f64(2.0) - T::from_f64(2.0);
        return chbevl(y, &I0E_A);
    }
    chbevl(T::from_f64(32.0) / x - T::from_f64(2.0), &I0E_B) / x.sqrt()
}

/// ATen's `calc_i1`, odd in `x`.
pub(super) fn calc_i1<T: Float>(x0: T) -> T {
    let (a, b) = i1e_tables::<T>();
    let x = x0.abs();
    let out = if x <= T::from_f64(8.0) {
        let y = x / T::from_f64(2.0) - T::from_f64(2.0);
        x.exp() * x * chbevl(y, a)
    } else {
        x.exp() * chbevl(T::from_f64(32.0) / x - T::from_f64(2.0), b) / x.sqrt()
    };
    if x0 < T::ZERO {
        -out
    } else {
        out
    }
}

/// ATen's `calc_i1e`: `exp(-|x|) I1(x)`, odd in `x`.
pub(super) fn calc_i1e<T: Float>(x0: T) -> T {
    let (a, b) = i1e_tables::<T>();
    let x = x0.abs();
    let out = if x <= T::from_f64(8.0) {
        let y = x / T::from_f64(2.0) - T::from_f64(2.0);
        chbevl(y, a) * x
    } else {
        chbevl(T::from_f64(32.0) / x - T::from_f64(2.0), b) / x.sqrt()
    };
    if x0 < T::ZERO {
        -out
    } else {
        out
    }
}
