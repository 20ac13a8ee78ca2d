// book/ch08-floating-point.md, block `ulps-apart`: generated from the book: edit the chapter, not this file. fnv1a=7382920237a436e3
fn main() {
    struct SplitMix64(u64);
    impl SplitMix64 {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn uniform(&mut self) -> f64 {
            ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
        }
        fn normal(&mut self) -> f64 {
            let (u, v) = (self.uniform(), self.uniform());
            (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        }
    }
    // The generator of the previous block, hidden.
    let mut rng = SplitMix64(2024);
    let mut histogram = [0usize; 5];
    let mut worst = [0.0f64; 2]; // each formula's largest error, in ulps
    for _ in 0..10_000 {
        let x = rng.normal() as f32;
        let (a, b) = (-((1.0 / x) * (1.0 / x)), -1.0 / (x * x));
        let ulps = (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as usize;
        histogram[ulps.min(4)] += 1;
        let exact = -1.0 / (f64::from(x) * f64::from(x));
        let ulp = 2f64.powi(exact.abs().log2().floor() as i32 - 23); // of an f32 near `exact`
        for (worst, v) in worst.iter_mut().zip([a, b]) {
            *worst = worst.max((f64::from(v) - exact).abs() / ulp);
        }
    }
    for (ulps, count) in histogram.iter().enumerate() {
        println!("{}{ulps} ulp apart: {count:>5}", if ulps == 4 { ">=" } else { "  " });
    }
    println!(
        "largest error: -(1/x)*(1/x) {:.3} ulp, -1/(x*x) {:.3} ulp",
        worst[0], worst[1]
    );
}
