//! The microkernels: the code that computes an mr×nr tile of C, one per
//! instruction set and element type, and the choice of which runs.

// ANCHOR: kernel-enum
use std::any::Any;
use std::sync::OnceLock;

use crate::element::Element;

/// A microkernel: the code that computes the products' tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// 512-bit vectors (x86-64 with AVX-512F).
    Avx512,
    /// 256-bit vectors (x86-64 with AVX2 and FMA).
    Avx2,
    /// Rust's `mul_add`, on any CPU.
    Portable,
}
// ANCHOR_END: kernel-enum

// ANCHOR: kernel-available
impl Kernel {
    /// Every kernel, fastest first.
    pub const ALL: [Kernel; 3] = [Kernel::Avx512, Kernel::Avx2, Kernel::Portable];

    /// The name `AUTOGRAD_KERNEL` takes: `avx512`, `avx2` or `portable`.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Avx512 => "avx512",
            Kernel::Avx2 => "avx2",
            Kernel::Portable => "portable",
        }
    }

    /// Whether this CPU can run the kernel.
    pub fn is_available(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"),
            Kernel::Portable => true,
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }
}
// ANCHOR_END: kernel-available

// ANCHOR: kernel-in-use
impl Kernel {
    /// The kernel every product runs: the one `AUTOGRAD_KERNEL` names, or
    /// else the fastest this CPU has. Chosen once per process.
    ///
    /// # Panics
    /// If `AUTOGRAD_KERNEL` names no kernel, or one this CPU cannot run.
    pub fn in_use() -> Kernel {
        static CHOSEN: OnceLock<Kernel> = OnceLock::new();
        let asked = std::env::var("AUTOGRAD_KERNEL").ok();
        *CHOSEN.get_or_init(|| Kernel::asked_for(asked.as_deref()).unwrap_or_else(|message| panic!("{message}")))
    }

    /// The kernel a value of `AUTOGRAD_KERNEL` asks for (none: the
    /// fastest this CPU has), or why there is none.
    fn asked_for(name: Option<&str>) -> Result<Kernel, String> {
        let Some(name) = name else {
            return Ok(Kernel::ALL
                .into_iter()
                .find(|k| k.is_available())
                .expect("portable runs anywhere"));
        };
        match Kernel::ALL.into_iter().find(|k| k.name() == name) {
            Some(kernel) if kernel.is_available() => Ok(kernel),
            Some(_) => Err(format!("AUTOGRAD_KERNEL={name}: this CPU cannot run that kernel")),
            None => Err(format!(
                "AUTOGRAD_KERNEL={name}: no such kernel; the kernels are avx512, avx2 and portable"
            )),
        }
    }
}
// ANCHOR_END: kernel-in-use

// ANCHOR: microkernel
/// One kernel for one element type: it adds the product of an `mr`×kc
/// panel of A and a kc×`nr` panel of B to an `mr`×`nr` tile of C. A's rows
/// are `a_row` apart and its columns `a_step`; B's rows of `nr` numbers side
/// by side are `b_step` apart; C's rows are `c_row` apart.
#[derive(Clone, Copy)]
pub(super) struct Microkernel<T> {
    pub(super) mr: usize,
    pub(super) nr: usize,
    /// `run(kc, a, a_row, a_step, b, b_step, c, c_row, fresh)`, the sums
    /// starting from zero when `fresh`, from C's tile otherwise. Unsafe:
    /// the pointers must address `mr` rows of `kc` elements, `kc` rows of
    /// `nr` and `mr` rows of `nr`, and the CPU must have the kernel.
    pub(super) run: unsafe fn(usize, *const T, usize, usize, *const T, usize, *mut T, usize, bool),
}

// ANCHOR_END: microkernel

// ANCHOR: portable-kernel
/// The portable kernel, for any `mr`×`nr`: one `mul_add` per term.
///
/// # Safety
/// As [`Microkernel::run`].
#[allow(clippy::too_many_arguments)]
unsafe fn portable<T: Element, const MR: usize, const NR: usize>(
    kc: usize,
    a: *const T,
    a_row: usize,
    a_step: usize,
    b: *const T,
    b_step: usize,
    c: *mut T,
    c_row: usize,
    fresh: bool,
) {
    // SAFETY: the caller passes pointers to that many elements.
    let b = |p: usize| unsafe { std::slice::from_raw_parts(b.add(p * b_step), NR) };
    let a = |i: usize, p: usize| unsafe { *a.add(i * a_row + p * a_step) };
    let row_of_c = |i: usize| unsafe { std::slice::from_raw_parts_mut(c.add(i * c_row), NR) };
    let mut sums = [[T::zero(); NR]; MR];
    if !fresh {
        for (i, row) in sums.iter_mut().enumerate() {
            row.copy_from_slice(row_of_c(i));
        }
    }
    for p in 0..kc {
        let b = b(p);
        for (i, row) in sums.iter_mut().enumerate() {
            let a = a(i, p);
            for (sum, &b) in row.iter_mut().zip(b) {
                *sum = a.mul_add(b, *sum);
            }
        }
    }
    for (i, row) in sums.iter().enumerate() {
        row_of_c(i).copy_from_slice(row);
    }
}
// ANCHOR_END: portable-kernel

// ANCHOR: simd-kernel
/// A kernel of `$mr` rows and `$vectors` vectors of `$lanes` numbers: the
/// portable kernel's loop, on whole vectors of B's row at a time, the
/// number of A broadcast to every lane.
macro_rules! simd_kernel {
    ($name:ident, $t:ty, $feature:literal, rows $mr:literal, vectors $vectors:literal of $lanes:literal,
     $zero:ident, $load:ident, $store:ident, $splat:ident, $fma:ident) => {
        /// # Safety
        /// As [`Microkernel::run`].
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feature)]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $name(
            kc: usize,
            a: *const $t,
            a_row: usize,
            a_step: usize,
            b: *const $t,
            b_step: usize,
            c: *mut $t,
            c_row: usize,
            fresh: bool,
        ) {
            use std::arch::x86_64::*;
            // SAFETY: the caller passes pointers to that many elements,
            // and runs this only on a CPU with the feature.
            unsafe {
                let mut sums = [[$zero(); $vectors]; $mr];
                if !fresh {
                    for i in 0..$mr {
                        for v in 0..$vectors {
                            sums[i][v] = $load(c.add(i * c_row + v * $lanes));
                        }
                    }
                }
                // ANCHOR_END: simd-kernel
                // ANCHOR: simd-kernel-steps
                for p in 0..kc {
                    let (a, b) = (a.add(p * a_step), b.add(p * b_step));
                    let mut row = [$zero(); $vectors];
                    for v in 0..$vectors {
                        row[v] = $load(b.add(v * $lanes));
                    }
                    for i in 0..$mr {
                        let a = $splat(*a.add(i * a_row));
                        for v in 0..$vectors {
                            sums[i][v] = $fma(a, row[v], sums[i][v]);
                        }
                    }
                }
                for i in 0..$mr {
                    for v in 0..$vectors {
                        $store(c.add(i * c_row + v * $lanes), sums[i][v]);
                    }
                }
            }
        }
    };
}
// ANCHOR_END: simd-kernel-steps

// ANCHOR: simd-kernels
simd_kernel!(avx512_f32, f32, "avx512f", rows 8, vectors 2 of 16,
    _mm512_setzero_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps, _mm512_fmadd_ps);
simd_kernel!(avx512_f64, f64, "avx512f", rows 8, vectors 2 of 8,
    _mm512_setzero_pd, _mm512_loadu_pd, _mm512_storeu_pd, _mm512_set1_pd, _mm512_fmadd_pd);
simd_kernel!(avx2_f32, f32, "avx2,fma", rows 6, vectors 2 of 8,
    _mm256_setzero_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_fmadd_ps);
simd_kernel!(avx2_f64, f64, "avx2,fma", rows 6, vectors 2 of 4,
    _mm256_setzero_pd, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_set1_pd, _mm256_fmadd_pd);
// ANCHOR_END: simd-kernels

// ANCHOR: narrow-kernels
simd_kernel!(avx512_f32_narrow, f32, "avx512f", rows 16, vectors 1 of 16,
    _mm512_setzero_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps, _mm512_fmadd_ps);
simd_kernel!(avx512_f64_narrow, f64, "avx512f", rows 16, vectors 1 of 8,
    _mm512_setzero_pd, _mm512_loadu_pd, _mm512_storeu_pd, _mm512_set1_pd, _mm512_fmadd_pd);
simd_kernel!(avx2_f32_narrow, f32, "avx2,fma", rows 12, vectors 1 of 8,
    _mm256_setzero_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_fmadd_ps);
simd_kernel!(avx2_f64_narrow, f64, "avx2,fma", rows 12, vectors 1 of 4,
    _mm256_setzero_pd, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_set1_pd, _mm256_fmadd_pd);
// ANCHOR_END: narrow-kernels

// ANCHOR: kernels
/// Each kernel's tile for `f32`: rows, columns and the code; a narrow
/// one, of one vector, for a product with few columns.
fn for_f32(kernel: Kernel, narrow: bool) -> Microkernel<f32> {
    let (mr, nr, run): (_, _, unsafe fn(_, _, _, _, _, _, _, _, _)) = match (kernel, narrow) {
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx512, false) => (8, 32, avx512_f32),
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx512, true) => (16, 16, avx512_f32_narrow),
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2, false) => (6, 16, avx2_f32),
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2, true) => (12, 8, avx2_f32_narrow),
        _ => (4, 8, portable::<f32, 4, 8>),
    };
    Microkernel { mr, nr, run }
}

/// Each kernel's tile for `f64`, half as many numbers to a vector.
fn for_f64(kernel: Kernel, narrow: bool) -> Microkernel<f64> {
    let (mr, nr, run): (_, _, unsafe fn(_, _, _, _, _, _, _, _, _)) = match (kernel, narrow) {
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx512, false) => (8, 16, avx512_f64),
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx512, true) => (16, 8, avx512_f64_narrow),
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2, false) => (6, 8, avx2_f64),
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2, true) => (12, 4, avx2_f64_narrow),
        _ => (4, 4, portable::<f64, 4, 4>),
    };
    Microkernel { mr, nr, run }
}
// ANCHOR_END: kernels

// ANCHOR: kernel-for-type
/// The microkernel of `kernel` for the element type `T`, `f32` or `f64`,
/// and a product of `n` columns: the narrow tile when the wide one would
/// leave half its columns or more empty.
pub(super) fn microkernel<T: Element>(kernel: Kernel, n: usize) -> Microkernel<T> {
    let find = |narrow: bool| {
        let (for_f32, for_f64) = (for_f32(kernel, narrow), for_f64(kernel, narrow));
        let kernels: [&dyn Any; 2] = [&for_f32, &for_f64];
        kernels
            .into_iter()
            .find_map(|kernel| kernel.downcast_ref::<Microkernel<T>>())
            .copied()
            .expect("the engine's elements are f32 and f64")
    };
    let wide = find(false);
    if 2 * n <= wide.nr { find(true) } else { wide }
}
// ANCHOR_END: kernel-for-type

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autograd_kernel_names_a_kernel_or_the_message_says_what_is_wrong() {
        assert_eq!(Kernel::asked_for(Some("portable")), Ok(Kernel::Portable));
        let fastest = Kernel::asked_for(None).unwrap();
        assert!(fastest.is_available());
        assert!(
            Kernel::ALL
                .iter()
                .take_while(|&&k| k != fastest)
                .all(|k| !k.is_available())
        );
        assert_eq!(
            Kernel::asked_for(Some("sse2")),
            Err("AUTOGRAD_KERNEL=sse2: no such kernel; the kernels are avx512, avx2 and portable".to_string())
        );
        for kernel in Kernel::ALL.into_iter().filter(|k| !k.is_available()) {
            let message = Kernel::asked_for(Some(kernel.name())).unwrap_err();
            assert!(message.contains("this CPU cannot run"), "{message}");
        }
    }
}
