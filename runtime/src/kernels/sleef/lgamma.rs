//! SLEEF's `lgammaf` and `lgamma` with 1.0-ulp bounds (`xlgammaf_u1`,
//! `xlgamma_u1` over `gammafk`/`gammak` and `sinpifk`/`sinpik`) on the FMA
//! path: PyTorch's `Vectorized::lgamma`, which its `lgamma` kernel applies to
//! every element through `vml::vlgamma` (the last partial vector too). SLEEF
//! computes every branch for a whole vector and selects per lane; here each
//! element computes the branch its lane selects, which gives the same bits.
//! See the module documentation for provenance and license.

// SLEEF's decimal literals, kept as written (see exp.rs).
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::atanh::{logk2_f32, logk2_f64};
use super::df::{dd, df};
use super::{cvt_i32, cvt_i32_f64};

/// `vcast_vf2_d`: a double constant as a double-float.
fn pair_f32(d: f64) -> df::P {
    let x = d as f32;
    df::P { x, y: (d - f64::from(x)) as f32 }
}

/// `sinpifk`: `sin(pi * d)` as a double-float.
#[inline(always)]
fn sinpi_f32(d: f32) -> df::P {
    let u = d * 4.0;
    let q = cvt_i32(u);
    let q = q.wrapping_add(((q as u32 >> 31) as i32) ^ 1) & !1;
    let o = q & 2 == 2;
    let s = u - q as f32;
    let t = s;
    let s = s * s;
    let s2 = df::mul_s_s(t, t);
    let sel = |a: f32, b: f32| if o { a } else { b };
    let mut u = sel(-0.243_061_180_1e-7, 0.309_384_205_4e-6);
    u = u.mul_add(s, sel(0.359_057_708_0e-5, -0.365_730_738_8e-4));
    u = u.mul_add(s, sel(-0.325_991_772_1e-3, 0.249_039_358_5e-2));
    let c = if o {
        df::P { x: 0.015_854_343_771_934_509_277, y: 4.494_005_135_403_224_281_1e-10 }
    } else {
        df::P { x: -0.080_745_510_756_969_451_904, y: -1.337_366_533_907_693_625_8e-9 }
    };
    let mut x = df::add2_s_p(u * s, c);
    let c = if o {
        df::P { x: -0.308_425_128_459_930_419_92, y: -9.072_833_903_073_392_227_7e-9 }
    } else {
        df::P { x: 0.785_398_185_253_143_310_55, y: -2.185_733_861_756_648_485_5e-8 }
    };
    x = df::add2_p_p(df::mul_p_p(s2, x), c);
    x = df::mul_p_p(x, if o { s2 } else { df::P { x: t, y: 0.0 } });
    if o {
        x = df::add2_p_s(x, 1.0);
    }
    if q & 4 == 4 {
        x = df::neg(x);
    }
    x
}

/// `gammafk`: `lgamma(a)` as the sum of a double-float and the log of the
/// magnitude of the second (`(clc, clln / clld)`).
#[inline(always)]
fn gamma_f32(a: f32) -> (df::P, df::P) {
    let tiny = a.abs() < 1e-30;
    let reflect = a < 0.5;
    let mut x = if tiny {
        df::P { x: 0.0, y: 0.0 }
    } else if reflect {
        df::add2_s_s(1.0, -a)
    } else {
        df::P { x: a, y: 0.0 }
    };
    let o0 = 0.5 <= x.x && x.x <= 1.2;
    let o2 = 2.3 <= x.x;
    let mut y = df::normalize(df::mul_p_p(df::add2_p_s(x, 1.0), x));
    y = df::normalize(df::mul_p_p(df::add2_p_s(x, 2.0), y));
    let o = o2 && x.x <= 7.0;
    let mut clln = if o { y } else { df::P { x: 1.0, y: 0.0 } };
    if o {
        x = df::add2_p_s(x, 3.0);
    }
    let t = if o2 { 1.0 / x.x } else { df::normalize(df::add2_p_s(x, if o0 { -1.0 } else { -2.0 })).x };
    // `vsel_vf_vo_vo_f_f_f(o2, o0, ...)`: the asymptotic series, or the
    // expansions about 1 and about 2.
    const U: [[f32; 3]; 9] = [
        [0.000_839_498_720_672_087_279_971_000_786, 0.943_515_777_6, 0.110_248_955_0e-3],
        [-5.171_790_908_260_592_193_293_944_22e-05, 0.867_006_361_5, 0.816_001_993_4e-4],
        [-0.000_592_166_437_353_693_882_857_342_347, 0.482_670_247_6, 0.152_846_885_6e-3],
        [6.972_813_758_365_857_774_037_435_39e-05, -0.885_512_977_8e-1, -0.235_506_871_8e-3],
        [0.000_784_039_221_720_066_627_493_314_301, 0.101_382_523_8, 0.496_224_209_2e-3],
        [-0.000_229_472_093_621_399_176_949_318_732, -0.149_340_897_8, -0.119_348_801_7e-2],
        [-0.002_681_327_160_493_827_160_473_958_490, 0.169_750_914_0, 0.289_159_943_3e-2],
        [0.003_472_222_222_222_222_222_175_164_840, -0.207_245_454_2, -0.738_545_181_2e-2],
        [0.083_333_333_333_333_333_335_592_087_900, 0.270_587_235_7, 0.205_807_704_5e-1],
    ];
    let pick = |row: &[f32; 3]| {
        if o2 {
            row[0]
        } else if o0 {
            row[1]
        } else {
            row[2]
        }
    };
    let mut u = pick(&U[0]);
    for row in &U[1..] {
        u = u.mul_add(t, pick(row));
    }
    let clc = if o2 {
        let mut y = df::mul_p_p(df::add2_p_s(x, -0.5), logk2_f32(x));
        y = df::add2_p_p(y, df::neg(x));
        df::add2_p_p(y, pair_f32(0.918_938_533_204_672_780_56))
    } else {
        let sel = |a: f32, b: f32| if o0 { a } else { b };
        let mut z = df::add2_p_s(df::mul_s_s(u, t), sel(-0.400_686_534_596_170_958_447_352_690_395, -0.673_523_028_297_382_446_749_257_758_235e-1));
        z = df::add2_p_s(df::mul_p_s(z, t), sel(0.822_466_960_142_643_054_450_325_495_997, 0.322_467_033_928_981_157_743_538_726_901));
        z = df::add2_p_s(df::mul_p_s(z, t), sel(-0.577_215_665_946_766_039_837_398_973_297, 0.422_784_335_087_484_338_986_941_629_852));
        df::mul_p_s(z, t)
    };
    let clld = if o2 { df::add2_p_s(df::mul_s_s(u, t), 1.0) } else { df::P { x: 1.0, y: 0.0 } };
    let y = clln;
    let clc = if tiny {
        pair_f32(41.588_830_833_596_718_565_03)
    } else if reflect {
        df::add2_p_p(pair_f32(1.144_729_885_849_400_163_9), df::neg(clc))
    } else {
        clc
    };
    clln = if tiny {
        df::P { x: 1.0, y: 0.0 }
    } else if reflect {
        clln
    } else {
        clld
    };
    let clld = if tiny {
        df::P { x: a * ((1u64 << 30) as f32 * (1u64 << 30) as f32), y: 0.0 }
    } else if reflect {
        let t = a - 4096.0 * cvt_i32(a * (1.0 / 4096.0)) as f32;
        df::mul_p_p(clld, sinpi_f32(t))
    } else {
        y
    };
    (clc, df::div(clln, clld))
}

/// SLEEF's `xlgammaf_u1` (`Sleef_lgammaf8_u10`): `log|gamma(a)|` in f32.
#[inline(always)]
pub fn lgamma_f32(a: f32) -> f32 {
    let (c, d) = gamma_f32(a);
    let y = df::add2_p_p(c, logk2_f32(df::abs(d)));
    let r = y.x + y.y;
    if a.is_infinite() || (a <= 0.0 && a.trunc() == a) || (a.is_finite() && r.is_nan()) {
        f32::INFINITY
    } else {
        r
    }
}

/// `sinpik`: `sin(pi * d)` as a double-double.
#[inline(always)]
fn sinpi_f64(d: f64) -> dd::P {
    let u = d * 4.0;
    let q = cvt_i32_f64(u);
    let q = q.wrapping_add(((q as u32 >> 31) as i32) ^ 1) & !1;
    let o = q & 2 == 2;
    let s = u - f64::from(q);
    let t = s;
    let s = s * s;
    let s2 = dd::mul_s_s(t, t);
    let sel = |a: f64, b: f64| if o { a } else { b };
    let mut u = sel(9.944_803_876_268_437_740_902_08e-16, -2.024_611_207_851_823_992_958_68e-14);
    u = u.mul_add(s, sel(-3.897_962_260_629_327_991_640_47e-13, 6.948_218_305_801_794_613_277_840e-12));
    u = u.mul_add(s, sel(1.150_115_825_399_960_352_669_010e-10, -1.757_247_499_528_531_799_526_64e-09));
    u = u.mul_add(s, sel(-2.461_136_950_104_469_749_535_90e-08, 3.133_616_889_668_683_928_784_220e-07));
    u = u.mul_add(s, sel(3.590_860_448_590_527_540_050_620e-06, -3.657_620_418_216_155_192_036_10e-05));
    u = u.mul_add(s, sel(-0.000_325_991_886_927_389_905_997_954, 0.002_490_394_570_192_718_502_743_560_0));
    let c = if o {
        dd::P { x: 0.015_854_344_243_815_501_891_425_9, y: -1.046_932_722_806_315_219_088_45e-18 }
    } else {
        dd::P { x: -0.080_745_512_188_280_785_248_473_1, y: 3.618_524_750_670_371_048_499_87e-18 }
    };
    let mut x = dd::add2_s_p(u * s, c);
    let c = if o {
        dd::P { x: -0.308_425_137_534_042_437_259_529, y: -1.956_984_921_336_335_503_383_45e-17 }
    } else {
        dd::P { x: 0.785_398_163_397_448_278_999_491, y: 3.062_871_137_271_550_026_071_05e-17 }
    };
    x = dd::add2_p_p(dd::mul_p_p(s2, x), c);
    x = dd::mul_p_p(x, if o { s2 } else { dd::P { x: t, y: 0.0 } });
    if o {
        x = dd::add2_p_s(x, 1.0);
    }
    if q & 4 == 4 {
        x = dd::neg(x);
    }
    x
}

/// `gammak`: [`gamma_f32`] in f64, with a longer series.
#[inline(always)]
fn gamma_f64(a: f64) -> (dd::P, dd::P) {
    let tiny = a.abs() < 1e-306;
    let reflect = a < 0.5;
    let mut x = if tiny {
        dd::P { x: 0.0, y: 0.0 }
    } else if reflect {
        dd::add2_s_s(1.0, -a)
    } else {
        dd::P { x: a, y: 0.0 }
    };
    let o0 = 0.5 <= x.x && x.x <= 1.1;
    let o2 = 2.3 <= x.x;
    let mut y = dd::normalize(dd::mul_p_p(dd::add2_p_s(x, 1.0), x));
    y = dd::normalize(dd::mul_p_p(dd::add2_p_s(x, 2.0), y));
    y = dd::normalize(dd::mul_p_p(dd::add2_p_s(x, 3.0), y));
    y = dd::normalize(dd::mul_p_p(dd::add2_p_s(x, 4.0), y));
    let o = o2 && x.x <= 7.0;
    let mut clln = if o { y } else { dd::P { x: 1.0, y: 0.0 } };
    if o {
        x = dd::add2_p_s(x, 5.0);
    }
    let t = if o2 { 1.0 / x.x } else { dd::normalize(dd::add2_p_s(x, if o0 { -1.0 } else { -2.0 })).x };
    const U: [[f64; 3]; 23] = [
        [-156.801_412_704_022_726_379_848_862, 0.294_791_677_282_761_419_6e2, 0.707_481_600_086_460_927_9e-7],
        [1.120_804_464_289_911_606_838_558_160_000, 0.128_145_969_182_782_010_9e3, 0.400_924_433_300_873_044_3e-6],
        [13.397_985_455_142_589_218_333_060_200_00, 0.261_754_402_578_451_504_3e3, 0.104_011_464_162_824_694_6e-5],
        [-0.116_546_276_599_463_200_848_033_357_000, 0.328_702_285_568_579_043_2e3, 0.150_834_915_073_332_916_7e-5],
        [-1.391_801_093_265_337_481_495_562_410_000, 0.281_814_586_773_034_818_6e3, 0.128_814_307_493_390_102_0e-5],
        [0.015_056_113_040_026_424_412_918_973_400, 0.172_867_041_467_355_960_5e3, 0.474_416_774_988_499_393_7e-6],
        [0.179_540_117_061_234_856_098_844_714_000, 0.774_873_576_403_041_681_7e2, -0.655_481_630_654_248_990_2e-7],
        [-0.002_481_743_600_264_997_730_942_489_280, 0.251_285_664_308_093_075_2e2, -0.318_925_247_145_259_984_4e-6],
        [-0.029_527_880_945_699_120_504_851_034_100, 0.576_679_210_614_007_686_8e1, 0.135_888_382_147_035_537_7e-6],
        [0.000_540_164_767_892_604_515_196_325_186, 0.727_027_547_399_618_057_1, -0.434_393_127_715_733_604_0e-6],
        [0.006_403_362_833_808_069_794_787_256_200, 0.839_670_912_457_914_780_9e-1, 0.972_478_589_740_677_955_5e-6],
        [-0.000_162_516_262_783_915_816_896_611_252, -0.821_155_866_974_680_459_5e-1, -0.203_688_605_722_596_601_1e-5],
        [-0.001_914_438_498_565_477_526_465_972_390, 0.682_883_182_834_188_445_8e-1, 0.437_336_314_181_972_581_5e-5],
        [7.204_895_416_020_010_558_983_115_17e-05, -0.771_248_133_996_167_151_1e-1, -0.943_995_126_830_400_867_7e-5],
        [0.000_839_498_720_672_087_279_971_000_786, 0.833_749_202_301_731_495_7e-1, 0.205_072_703_037_638_980_4e-4],
        [-5.171_790_908_260_592_193_293_944_22e-05, -0.909_496_493_145_624_251_8e-1, -0.449_262_018_343_118_401_8e-4],
        [-0.000_592_166_437_353_693_882_857_342_347, 0.100_099_631_357_592_935_8, 0.994_575_123_607_187_593_1e-4],
        [6.972_813_758_365_857_774_037_435_39e-05, -0.111_334_286_154_420_772_4, -0.223_154_759_903_498_319_6e-3],
        [0.000_784_039_221_720_066_627_493_314_301, 0.125_509_667_321_302_087_5, 0.509_669_524_710_196_762_2e-3],
        [-0.000_229_472_093_621_399_176_949_318_732, -0.144_049_896_784_305_436_8, -0.119_275_391_166_788_697_1e-2],
        [-0.002_681_327_160_493_827_160_473_958_490, 0.169_557_177_004_194_981_1, 0.289_051_033_074_221_031_0e-2],
        [0.003_472_222_222_222_222_222_175_164_840, -0.207_385_551_028_409_276_2, -0.738_555_102_867_446_185_8e-2],
        [0.083_333_333_333_333_333_335_592_087_900, 0.270_580_808_427_781_593_9, 0.205_808_084_277_845_533_5e-1],
    ];
    let pick = |row: &[f64; 3]| {
        if o2 {
            row[0]
        } else if o0 {
            row[1]
        } else {
            row[2]
        }
    };
    let mut u = pick(&U[0]);
    for row in &U[1..] {
        u = u.mul_add(t, pick(row));
    }
    let clc = if o2 {
        let mut y = dd::mul_p_p(dd::add2_p_s(x, -0.5), logk2_f64(x));
        y = dd::add2_p_p(y, dd::neg(x));
        dd::add2_p_p(y, dd::P { x: 0.918_938_533_204_672_780_56, y: -3.878_294_158_067_241_449_8e-17 })
    } else {
        let sel = |a: f64, b: f64| if o0 { a } else { b };
        let mut z = dd::add2_p_s(dd::mul_s_s(u, t), sel(-0.400_685_634_386_531_486_2, -0.673_523_010_531_981_020_1e-1));
        z = dd::add2_p_s(dd::mul_p_s(z, t), sel(0.822_467_033_424_113_203_0, 0.322_467_033_424_113_203_0));
        z = dd::add2_p_s(dd::mul_p_s(z, t), sel(-0.577_215_664_901_532_865_5, 0.422_784_335_098_467_134_5));
        dd::mul_p_s(z, t)
    };
    let clld = if o2 { dd::add2_p_s(dd::mul_s_s(u, t), 1.0) } else { dd::P { x: 1.0, y: 0.0 } };
    let y = clln;
    let clc = if tiny {
        dd::P { x: 83.177_661_667_193_433_459_033_3, y: 3.671_034_596_315_685_072_218_78e-15 }
    } else if reflect {
        dd::add2_p_p(dd::P { x: 1.144_729_885_849_400_163_9, y: 1.026_595_116_270_782_638e-17 }, dd::neg(clc))
    } else {
        clc
    };
    clln = if tiny {
        dd::P { x: 1.0, y: 0.0 }
    } else if reflect {
        clln
    } else {
        clld
    };
    let clld = if tiny {
        dd::P { x: a * ((1u64 << 60) as f64 * (1u64 << 60) as f64), y: 0.0 }
    } else if reflect {
        let t = a - (1u64 << 28) as f64 * f64::from(cvt_i32_f64(a * (1.0 / (1u64 << 28) as f64)));
        dd::mul_p_p(clld, sinpi_f64(t))
    } else {
        y
    };
    (clc, dd::div(clln, clld))
}

/// SLEEF's `xlgamma_u1` (`Sleef_lgammad4_u10`): `log|gamma(a)|` in f64.
#[inline(always)]
pub fn lgamma_f64(a: f64) -> f64 {
    let (c, d) = gamma_f64(a);
    let y = dd::add2_p_p(c, logk2_f64(dd::abs(d)));
    let r = y.x + y.y;
    if a.is_infinite() || (a <= 0.0 && a.trunc() == a) || (a.is_finite() && r.is_nan()) {
        f64::INFINITY
    } else {
        r
    }
}
