// book/ch08-floating-point.md, block `mismatch-fraction`: generated from the book: edit the chapter, not this file. fnv1a=f101fba1c616cdc4
use autograd::{Element, Graph};

/// SplitMix64: a tiny, well-known pseudo-random generator.
struct SplitMix64(u64);
impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1].
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal, by the Box–Muller transform.
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn mismatch_fraction<T: Element>(inputs: &[f64]) -> f64 {
    let g = Graph::<T>::new();
    let x = g
        .tensor(inputs.iter().map(|&v| T::of_f64(v)).collect::<Vec<T>>())
        .requires_grad();
    x.reciprocal().sum_all().backward().unwrap(); // 1/x, entry by entry
    let autograd = x.grad_array().unwrap();
    let textbook = (-x.pow(T::of_f64(2.0)).reciprocal()).to_array(); // -(1/x²)
    let differ = autograd.iter().zip(textbook.iter()).filter(|(a, b)| a != b).count();
    differ as f64 / inputs.len() as f64
}

fn main() {
    let mut rng = SplitMix64(2024);
    let inputs: Vec<f64> = (0..10_000).map(|_| rng.normal()).collect();
    println!("f32: {:.4} of inputs differ", mismatch_fraction::<f32>(&inputs));
    println!("f64: {:.4} of inputs differ", mismatch_fraction::<f64>(&inputs));
}
