// book/ch09-training.md, block `generator`: generated from the book: edit the chapter, not this file. fnv1a=5771fff5d0ba93ee
fn main() {
    /// A tiny deterministic random number generator.
    struct Lcg(u64);

    impl Lcg {
        /// A uniform number in [0, 1).
        fn uniform(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    let mut rng = Lcg(42);
    let first: Vec<String> = (0..4).map(|_| format!("{:.4}", rng.uniform())).collect();
    println!("{}", first.join(" "));
}
