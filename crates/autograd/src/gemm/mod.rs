//! The matrix product every `matmul` runs: C = A·B, the same bits on every
//! CPU, and near the machine's limit on x86-64.
//!
//! Each element of C is one chain of fused multiply-adds taken in order,
//! `c = fma(a[i,p], b[p,j], c)` for p = 0, 1, …, k−1, starting from +0. A
//! fused multiply-add rounds once, whatever the instruction that computes
//! it, so three kernels compute that same chain: one with AVX-512, one with
//! AVX2 and FMA, and a portable one with Rust's `mul_add`. They agree bit
//! for bit on every input; which one runs is a matter of speed only. The
//! fastest the CPU has is chosen at run time, and the environment variable
//! `AUTOGRAD_KERNEL` (`avx512`, `avx2` or `portable`) forces one, so that CI
//! proves the book's outputs with each.
//!
//! The layout is that of fast matrix products: a block of kc rows of B is
//! copied into panels nr columns wide, in the order the kernel loads them,
//! and the kernel multiplies mr rows of A, read in place through their
//! strides, by one panel into an mr×nr tile of sums held in registers. The
//! copy reads B through its strides, so a transposed operand costs no copy
//! of its own, and pads the last panel with zeros, as it does A's last rows
//! when fewer than mr are left, so the kernel only ever sees whole tiles.
//! A B stored row after row in whole panels already is what the kernel
//! reads, so it is read where it is; one stored in columns is turned into
//! one stored in rows, Cᵀ = Bᵀ·Aᵀ, when that copies fewer numbers.
//! Blocks of rows go to both cores when the product is large enough to pay
//! for it; each element is still computed by one chain, so the threads
//! change no bit.

// ANCHOR: gemm-modules
use std::mem::MaybeUninit;
use std::ops::Range;
use std::sync::{Mutex, OnceLock};

use ndarray::{Array2, ArrayView2, s};

use crate::element::Element;

mod kernels;
pub(crate) mod team;

pub use kernels::Kernel;
use kernels::{Microkernel, microkernel};
// ANCHOR_END: gemm-modules

// ANCHOR: product
/// The rows of B copied per block: a kc×nr panel of B stays in the
/// core's first-level cache while the kernel runs over a block of A.
const KC: usize = 256;
/// The most rows of C in one block, one task of the threads.
const MC: usize = 256;
/// The panels of B in one piece copied by one thread.
const PIECE_PANELS: usize = 4;
/// Below this many multiply-adds, one core does the product: handing
/// blocks to another costs more than it saves.
const PARALLEL_FROM: usize = 2_000_000;

/// A·B with the kernel in use ([`Kernel::in_use`]).
pub fn product<T: Element>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Array2<T> {
    product_with(Kernel::in_use(), a, b)
}

/// A·B with the given kernel.
///
/// # Panics
/// If the shapes do not chain (`a` is m×k, `b` must be k×n), or if this
/// CPU cannot run `kernel`.
pub fn product_with<T: Element>(kernel: Kernel, a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Array2<T> {
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    assert_eq!(k, k2, "product: {m}x{k} and {k2}x{n} do not chain");
    assert!(
        kernel.is_available(),
        "product: this CPU cannot run the {} kernel",
        kernel.name()
    );
    // ANCHOR: product-turned
    // B in columns, as the transposed weights of `matmul`'s backward rule,
    // would be copied in panels; Cᵀ = Bᵀ·Aᵀ reads it where it is and copies
    // A instead, then C. Worth it when that is fewer numbers. fma(a, b, c)
    // is fma(b, a, c), so every chain gives the same bits.
    let b_in_columns = b.t().is_standard_layout() && !b.is_standard_layout();
    if b_in_columns && m * (k + n) < k * n {
        return product_with(kernel, b.t(), a.t())
            .reversed_axes()
            .as_standard_layout()
            .into_owned();
    }
    // ANCHOR_END: product-turned
    let mut c = vec![T::zero(); m * n];
    if m > 0 && n > 0 && k > 0 {
        multiply(microkernel::<T>(kernel, n), a, b, &mut c);
    }
    Array2::from_shape_vec((m, n), c).expect("m·n elements")
}

// ANCHOR_END: product

// ANCHOR: multiply
/// C = A·B into `c`, m×n row after row and all zeros.
fn multiply<T: Element>(micro: Microkernel<T>, a: ArrayView2<'_, T>, b: ArrayView2<'_, T>, c: &mut [T]) {
    let ((m, k), n) = (a.dim(), b.ncols());
    let threads = if m * n * k >= PARALLEL_FROM { team::threads() } else { 1 };
    // Blocks of k as even as can be: 784 is 4 blocks of 196, not 3 of 256 and one of 16.
    let kc = k.div_ceil(k.div_ceil(KC));
    let depths: Vec<Range<usize>> = (0..k).step_by(kc).map(|p0| p0..(p0 + kc).min(k)).collect();
    let mut room = Vec::new();
    let b_blocks = match b.as_slice() {
        // B row after row, in whole panels, is already what the kernel reads.
        Some(b) if n % micro.nr == 0 => in_place(b, n, micro.nr, &depths),
        _ => {
            room.reserve(n.next_multiple_of(micro.nr) * k);
            pack_b(b, micro.nr, &depths, threads, room.spare_capacity_mut())
        }
    };
    multiply_rows(micro, a, &depths, &b_blocks, threads, c);
}

/// Runs `task(i)` for each `i < tasks`, on the team when `threads > 1`.
fn share(threads: usize, tasks: usize, task: &(dyn Fn(usize) + Sync)) {
    if threads > 1 {
        team::run(tasks, task);
    } else {
        (0..tasks).for_each(task);
    }
}
// ANCHOR_END: multiply

// ANCHOR: panel
/// A kc×nr panel of B, as the kernel reads it: its rows are `step`
/// elements apart in `data`, which starts at the panel's first element.
#[derive(Clone, Copy)]
struct Panel<'b, T> {
    data: &'b [T],
    step: usize,
}
// ANCHOR_END: panel

// ANCHOR: pack-b
/// Copies B into `out`, block of k after block, each block in panels `nr`
/// columns wide, in pieces of a few panels, which the threads copy, and
/// returns each block's panels.
fn pack_b<'o, T: Element>(
    b: ArrayView2<'_, T>,
    nr: usize,
    depths: &[Range<usize>],
    threads: usize,
    out: &'o mut [MaybeUninit<T>],
) -> Vec<Vec<Panel<'o, T>>> {
    let (n, columns) = (b.ncols(), PIECE_PANELS * nr);
    let mut pieces = Vec::new();
    let mut rest = out;
    for depth in depths {
        for j0 in (0..n).step_by(columns) {
            let j1 = (j0 + columns).min(n);
            let (piece, after) = rest.split_at_mut((j1 - j0).next_multiple_of(nr) * depth.len());
            pieces.push((b.slice(s![depth.clone(), j0..j1]), Mutex::new(piece)));
            rest = after;
        }
    }
    let packed: Vec<OnceLock<&[T]>> = pieces.iter().map(|_| OnceLock::new()).collect();
    share(threads, pieces.len(), &|index| {
        let (part, piece) = &pieces[index];
        let piece = std::mem::take(&mut *piece.lock().expect("each piece is copied once"));
        packed[index]
            .set(pack(part.t(), nr, piece))
            .expect("each piece is copied once");
    });
    // Each block of k: its pieces' panels, left to right.
    let mut packed = packed.into_iter().map(|piece| piece.into_inner().expect("copied"));
    let panels = |depth: &Range<usize>| {
        let pieces = packed.by_ref().take(n.div_ceil(columns));
        let panels = pieces.flat_map(|piece| piece.chunks_exact(depth.len() * nr));
        panels.map(|data| Panel { data, step: nr }).collect()
    };
    depths.iter().map(panels).collect()
}
// ANCHOR_END: pack-b

// ANCHOR: b-in-place
/// B's panels where B is, for each block of k: B is stored row after row,
/// `n` wide, a whole number of panels.
fn in_place<'b, T>(b: &'b [T], n: usize, nr: usize, depths: &[Range<usize>]) -> Vec<Vec<Panel<'b, T>>> {
    let panels = |p0: usize| {
        (0..n).step_by(nr).map(move |j0| Panel {
            data: &b[p0 * n + j0..],
            step: n,
        })
    };
    depths.iter().map(|depth| panels(depth.start).collect()).collect()
}
// ANCHOR_END: b-in-place

// ANCHOR: multiply-rows
/// C's rows, block after block, each a task; the kernel reads A in place.
fn multiply_rows<T: Element>(
    micro: Microkernel<T>,
    a: ArrayView2<'_, T>,
    depths: &[Range<usize>],
    b_blocks: &[Vec<Panel<'_, T>>],
    threads: usize,
    c: &mut [T],
) {
    let (m, mr, n) = (a.nrows(), micro.mr, c.len() / a.nrows());
    // The kernel steps through A by strides that cannot be negative.
    let copied = a
        .strides()
        .iter()
        .any(|&s| s < 0)
        .then(|| a.as_standard_layout().into_owned());
    let a = copied.as_ref().map_or(a, |copy| copy.view());
    // Alone, as few blocks as the cache allows; shared, several per thread,
    // so that a thread that starts late takes fewer.
    let shared = if threads > 1 { 4 * threads } else { 1 };
    let blocks = m.div_ceil(MC).max(shared).min(m.div_ceil(mr));
    let mc = m.div_ceil(blocks).next_multiple_of(mr);
    let tasks: Vec<_> = c.chunks_mut(mc * n).map(Mutex::new).collect();
    share(threads, tasks.len(), &|index| {
        let rows = &mut *tasks[index].lock().expect("each block is taken once");
        let a_rows = a.slice(s![index * mc..index * mc + rows.len() / n, ..]);
        for (depth, b_panels) in depths.iter().zip(b_blocks) {
            let fresh = depth.start == 0;
            multiply_block(micro, a_rows.slice(s![.., depth.clone()]), b_panels, fresh, rows);
        }
    });
}
// ANCHOR_END: multiply-rows

// ANCHOR: packing
/// Copies `x` (lanes × depth) into `out`, which it fills, in panels of
/// `width` lanes, one after the other: in each, the lanes of column 0, then
/// those of column 1, and so on. The last panel is padded with zeros. For A
/// the lanes are rows, for B (passed transposed) columns. `out` need not be
/// initialized: the copy returns it, every element written.
fn pack<'o, T: Element>(x: ArrayView2<'_, T>, width: usize, out: &'o mut [MaybeUninit<T>]) -> &'o [T] {
    let (lanes, depth) = x.dim();
    let (lane_stride, depth_stride) = (x.strides()[0], x.strides()[1]);
    assert_eq!(out.len(), lanes.next_multiple_of(width) * depth, "room for the panels");
    for (panel, l0) in out.chunks_exact_mut(width * depth).zip((0..lanes).step_by(width)) {
        let valid = width.min(lanes - l0);
        // SAFETY: every offset below is of an element of `x`, lanes
        // l0..l0 + valid and columns 0..depth, which its strides address.
        let first = x.as_ptr().wrapping_offset(l0 as isize * lane_stride);
        let at = |l: usize, p: usize| unsafe { *first.offset(l as isize * lane_stride + p as isize * depth_stride) };
        // Written in order, column after column: when the lanes lie along
        // the depth, the reads follow `width` lanes at once, which the
        // cache's prefetcher tracks.
        for (p, column) in panel.chunks_exact_mut(width).enumerate() {
            for (l, to) in column[..valid].iter_mut().enumerate() {
                to.write(at(l, p));
            }
        }
        for to in panel.chunks_exact_mut(width).flat_map(|column| &mut column[valid..]) {
            to.write(T::zero());
        }
    }
    // SAFETY: the loops above wrote every element of `out`: each panel's
    // columns, lanes 0..valid from `x` and the rest zeros.
    unsafe { &*(out as *const [MaybeUninit<T>] as *const [T]) }
}
// ANCHOR_END: packing

// ANCHOR: multiply-block
/// One block of C's rows (`rows`) gets the products of its rows of A
/// (`a`, one block of k) and every B panel of that block of k, tile by
/// tile. Each tile's sums start from zero in the first block of k
/// (`fresh`) and from C's after it, and go back to C, so every element's
/// chain goes on in order.
fn multiply_block<T: Element>(
    micro: Microkernel<T>,
    a: ArrayView2<'_, T>,
    b_panels: &[Panel<'_, T>],
    fresh: bool,
    rows: &mut [T],
) {
    let ((m, depth), (mr, nr)) = (a.dim(), (micro.mr, micro.nr));
    let (n, a_row, a_step) = (rows.len() / m, a.strides()[0] as usize, a.strides()[1] as usize);
    // Rows of A copied into panels of mr, zeros after the last: the last
    // rows if fewer than mr, and all of them when A is stored in columns
    // (the transposed inputs of `matmul`'s backward rule) and B has more
    // than one panel to use them: in place, each step of the kernel would
    // read its few numbers far from the last step's.
    let packed_from = if a_step == 1 || n <= nr { m - m % mr } else { 0 };
    let mut room = Vec::new();
    let packed = (packed_from < m).then(|| {
        let len = (m - packed_from).next_multiple_of(mr) * depth;
        room.reserve(len);
        pack(
            a.slice(s![packed_from.., ..]),
            mr,
            &mut room.spare_capacity_mut()[..len],
        )
    });
    // ANCHOR_END: multiply-block
    // ANCHOR: multiply-tiles
    for (b_panel, j0) in b_panels.iter().zip((0..n).step_by(nr)) {
        let width = nr.min(n - j0);
        for i0 in (0..m).step_by(mr) {
            let height = mr.min(m - i0);
            let (a, a_row, a_step) = match packed {
                Some(panels) if i0 >= packed_from => (panels[(i0 - packed_from) * depth..].as_ptr(), 1, mr),
                _ => (a.as_ptr().wrapping_add(i0 * a_row), a_row, a_step),
            };
            let (b, b_step) = (b_panel.data.as_ptr(), b_panel.step);
            if height == mr && width == nr {
                // SAFETY: A's rows i0..i0 + mr and B's panel hold what the
                // kernel reads, the tile's rows are inside `rows`, and
                // `product_with` checked that the CPU has the kernel.
                unsafe {
                    (micro.run)(
                        depth,
                        a,
                        a_row,
                        a_step,
                        b,
                        b_step,
                        rows[i0 * n + j0..].as_mut_ptr(),
                        n,
                        fresh,
                    )
                };
                continue;
            }
            // ANCHOR_END: multiply-tiles
            // ANCHOR: edge-tile
            // A tile on C's edge: its sums go through a whole tile.
            let mut edge = [T::zero(); 256];
            let edge = &mut edge[..mr * nr];
            for (i, edge_row) in edge.chunks_exact_mut(nr).take(height).enumerate() {
                edge_row[..width].copy_from_slice(&rows[(i0 + i) * n + j0..][..width]);
            }
            // SAFETY: as above, with the edge tile's rows `nr` apart.
            unsafe { (micro.run)(depth, a, a_row, a_step, b, b_step, edge.as_mut_ptr(), nr, fresh) };
            for (i, edge_row) in edge.chunks_exact(nr).take(height).enumerate() {
                rows[(i0 + i) * n + j0..][..width].copy_from_slice(&edge_row[..width]);
            }
        }
    }
}
// ANCHOR_END: edge-tile

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ShapeBuilder};

    /// Each element's chain of `mul_add`s, written out.
    fn chain<T: Element>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Array2<T> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            (0..a.ncols()).fold(T::zero(), |sum, p| a[[i, p]].mul_add(b[[p, j]], sum))
        })
    }

    /// Numbers from a fixed sequence, with every exponent from 2⁻⁸ to 2⁸ so
    /// that the order of the sums shows in the last bits.
    fn filled<T: Element>(shape: (usize, usize), seed: u64) -> Array2<T> {
        let mut state = seed;
        Array2::from_shape_simple_fn(shape, || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let x = (state >> 40) as f64 / (1u64 << 24) as f64 - 0.5;
            T::from(x * f64::powi(2.0, (state >> 32) as i32 % 17 - 8)).unwrap()
        })
    }

    fn every_kernel_gives_the_chain<T: Element + BitsEq>() {
        let shapes = [
            (1, 1, 1),
            (3, 5, 2),
            (8, 32, 32),
            (13, 300, 37),
            (128, 784, 10),
            (70, 513, 65),
            (40, 600, 64),
            (20, 40, 16),
            (5, 0, 4),
        ];
        for (m, k, n) in shapes {
            let (a, b) = (filled::<T>((m, k), 1), filled::<T>((k, n), 2));
            // The same numbers in columns: B transposed twice is B, read through other strides.
            let b_columns = {
                let mut t = Array2::zeros((k, n).f());
                t.assign(&b);
                t
            };
            let a_columns = {
                let mut t = Array2::zeros((m, k).f());
                t.assign(&a);
                t
            };
            // A's rows last to first: a view with a negative stride.
            let a_reversed = a.slice(ndarray::s![..;-1, ..]);
            let (expected, expected_reversed) = (chain(a.view(), b.view()), chain(a_reversed, b.view()));
            for kernel in Kernel::ALL.into_iter().filter(|k| k.is_available()) {
                for (c, expected) in [
                    (product_with(kernel, a.view(), b.view()), &expected),
                    (product_with(kernel, a.view(), b_columns.view()), &expected),
                    (product_with(kernel, a_columns.view(), b.view()), &expected),
                    (product_with(kernel, a_reversed, b.view()), &expected_reversed),
                ] {
                    let same = c.iter().zip(expected).all(|(x, y)| x.to_bits_eq(y));
                    assert!(same, "{kernel:?} on {m}x{k} times {k}x{n} differs from the chain");
                }
            }
        }
    }

    trait BitsEq {
        fn to_bits_eq(&self, other: &Self) -> bool;
    }
    impl BitsEq for f32 {
        fn to_bits_eq(&self, other: &Self) -> bool {
            self.to_bits() == other.to_bits()
        }
    }
    impl BitsEq for f64 {
        fn to_bits_eq(&self, other: &Self) -> bool {
            self.to_bits() == other.to_bits()
        }
    }

    #[test]
    fn every_kernel_computes_each_element_as_one_chain_of_fused_multiply_adds_in_order() {
        every_kernel_gives_the_chain::<f32>();
        every_kernel_gives_the_chain::<f64>();
    }

    #[test]
    fn a_product_large_enough_for_two_threads_gives_the_same_bits() {
        let (a, b) = (filled::<f32>((300, 200), 3), filled::<f32>((200, 120), 4));
        const { assert!(300 * 200 * 120 >= PARALLEL_FROM) };
        let expected = chain(a.view(), b.view());
        let c = product(a.view(), b.view());
        assert!(c.iter().zip(&expected).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}
