// book/ch15-making-it-fast.md, block `kernels-agree`: generated from the book: edit the chapter, not this file. fnv1a=4c131302690733d6
fn main() {
    use autograd::gemm::{Kernel, product_with};
    use ndarray::Array2;
    // A fixed sequence of numbers, from 2⁻⁸ to 2⁸ in size.
    let mut state = 1u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mantissa = (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
        mantissa * 2f32.powi((state >> 32) as i32 % 17 - 8)
    };
    let a = Array2::from_shape_simple_fn((128, 784), &mut next);
    let b = Array2::from_shape_simple_fn((784, 256), &mut next);

    // Chapter 3's chain, one element at a time, or from its last term to its first.
    let chain = |backwards: bool| {
        Array2::from_shape_fn((128, 256), |(i, j)| {
            let terms = (0..784).map(|p| if backwards { 783 - p } else { p });
            terms.fold(0.0f32, |c, p| a[[i, p]].mul_add(b[[p, j]], c))
        })
    };
    let in_order = chain(false);
    let same_bits = |c: &Array2<f32>| c.iter().zip(&in_order).all(|(x, y)| x.to_bits() == y.to_bits());

    let kernels: Vec<Kernel> = Kernel::ALL.into_iter().filter(|k| k.is_available()).collect();
    let agree = kernels.iter().all(|&k| same_bits(&product_with(k, a.view(), b.view())));
    println!("every kernel this CPU has gives the chain's bits: {agree}");

    let reversed = chain(true);
    let differ = reversed.iter().zip(&in_order).filter(|(x, y)| x != y).count();
    println!(
        "the chains taken backwards differ in {differ} of {} elements",
        in_order.len()
    );
}
