//! tanh for `f32` tensors: computed in `f64` and rounded once, and
//! vectorized with AVX-512 or AVX2 where the CPU has it.
//!
//! glibc's `tanhf` is scalar, takes about 22 ns per element on the project's
//! machine and is up to 2 ulps off. Here each element goes through `f64`:
//! `e = exp(2|x|)` by range reduction (`2^n · e^r`, `|r| ≤ ln 2 / 2`) and a
//! degree-11 Taylor polynomial, then `tanh = 1 − 2/(e + 1)`, or an odd
//! Taylor polynomial below 0.004, where that formula would cancel. The `f64`
//! result is within about 1e-15 of tanh, far inside half an `f32` ulp, so the
//! one rounding gives the correctly rounded `f32` on every input the tests
//! sweep. Only `+`, `*`, `/`, comparisons and bit operations are used, with
//! no libm call, so the compiler can vectorize the loop. The AVX-512 and
//! AVX2 copies of the loop are the same Rust code compiled for those
//! instructions (Rust never fuses `a*b + c` on its own), so every path gives
//! the same bits.

// ANCHOR: tanh-f32
/// tanh of one `f32`.
#[inline(always)]
pub(crate) fn tanh_f32(x: f32) -> f32 {
    let a = f64::from(x).abs();
    // e^(2a) = 2^n · e^r. Adding 1.5·2^52 rounds to an integer and leaves n
    // in the low bits, where it becomes the exponent of 2^n below.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    // ln 2 in two parts (fdlibm's): n · LN2_HI is exact for the n used here.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    // Beyond |x| = 9.1, tanh rounds to ±1 in f32; the clamp keeps 2^n finite.
    let y = 2.0 * a.min(10.0);
    let shifted = y * std::f64::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = (y - n * LN2_HI) - n * LN2_LO;
    // e^r = Σ r^k/k!, k ≤ 11: the first term left out is below 1e-14.
    let mut p = 1.0 / 39_916_800.0;
    for c in [
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + c;
    }
    let e = p * f64::from_bits((shifted.to_bits() + 1023) << 52);
    let large = 1.0 - 2.0 / (e + 1.0);
    // tanh a = a − a³/3 + 2a⁵/15 − …: the next term is below 1e-17 · a here.
    let a2 = a * a;
    let small = a - a * a2 * (1.0 / 3.0 - a2 * (2.0 / 15.0));
    let t = (if a < 0.004 { small } else { large }) as f32;
    if x.is_nan() { x } else { t.copysign(x) }
}
// ANCHOR_END: tanh-f32

// ANCHOR: tanh-slice
/// `out[i] = tanh(input[i])`, with AVX-512 or AVX2 when the CPU has it.
pub(crate) fn tanh_f32_slice(input: &[f32], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU supports AVX-512, checked just above.
        unsafe { tanh_f32_slice_avx512(input, out) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { tanh_f32_slice_avx2(input, out) };
        return;
    }
    tanh_f32_slice_portable(input, out);
}

fn tanh_f32_slice_portable(input: &[f32], out: &mut [f32]) {
    for (y, &x) in out.iter_mut().zip(input) {
        *y = tanh_f32(x);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn tanh_f32_slice_avx512(input: &[f32], out: &mut [f32]) {
    for (y, &x) in out.iter_mut().zip(input) {
        *y = tanh_f32(x);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn tanh_f32_slice_avx2(input: &[f32], out: &mut [f32]) {
    for (y, &x) in out.iter_mut().zip(input) {
        *y = tanh_f32(x);
    }
}
// ANCHOR_END: tanh-slice

#[cfg(test)]
mod tests {
    use super::*;

    /// The correctly rounded f32 tanh, up to the negligible chance that f64's
    /// own tanh is off by enough to round the other way.
    fn reference(x: f32) -> f32 {
        f64::from(x).tanh() as f32
    }

    #[test]
    fn tanh_is_the_rounded_f64_tanh_on_every_path_across_the_range() {
        // Every 1021st bit pattern of the finite positive floats, and its negative.
        let input: Vec<f32> = (0..f32::MAX.to_bits())
            .step_by(1021)
            .flat_map(|bits| [f32::from_bits(bits), -f32::from_bits(bits)])
            .collect();
        assert!(input.len() > 4_000_000);
        let mut portable = vec![0.0; input.len()];
        tanh_f32_slice_portable(&input, &mut portable);
        for (&x, &p) in input.iter().zip(&portable) {
            assert_eq!(p.to_bits(), reference(x).to_bits(), "tanh({x:e})");
        }
        type Path = fn(&[f32], &mut [f32]);
        let mut paths: Vec<(&str, Path)> = vec![("the dispatched", tanh_f32_slice)];
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY (both): called only when the CPU has the instructions.
            if std::arch::is_x86_feature_detected!("avx512f") {
                paths.push(("AVX-512", |input, out| unsafe { tanh_f32_slice_avx512(input, out) }));
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                paths.push(("AVX2", |input, out| unsafe { tanh_f32_slice_avx2(input, out) }));
            }
        }
        for (name, path) in paths {
            let mut out = vec![0.0; input.len()];
            path(&input, &mut out);
            for ((&x, &y), &p) in input.iter().zip(&out).zip(&portable) {
                assert_eq!(y.to_bits(), p.to_bits(), "the {name} path differs at tanh({x:e})");
            }
        }
    }

    #[test]
    fn tanh_keeps_signed_zeros_saturates_and_passes_nan() {
        assert_eq!(tanh_f32(0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(tanh_f32(-0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
        assert_eq!(tanh_f32(9.5), 1.0);
        assert_eq!(tanh_f32(-f32::MAX), -1.0);
        assert!(tanh_f32(f32::NAN).is_nan());
        let tiny = f32::from_bits(1); // the smallest subnormal
        assert_eq!(tanh_f32(tiny), tiny);
    }
}
