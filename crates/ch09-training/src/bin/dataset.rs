// book/ch09-training.md, block `dataset`: generated from the book: edit the chapter, not this file. fnv1a=3782158736458f57
fn main() {
    struct Lcg(u64);
    impl Lcg {
        fn uniform(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }
    use ndarray::Array2;

    fn circle_data(n: usize, rng: &mut Lcg) -> (Array2<f64>, Array2<f64>) {
        let mut x = Array2::zeros((n, 2));
        let mut y = Array2::zeros((n, 1));
        for i in 0..n {
            let (a, b) = (2.0 * rng.uniform() - 1.0, 2.0 * rng.uniform() - 1.0);
            x[[i, 0]] = a;
            x[[i, 1]] = b;
            y[[i, 0]] = if a * a + b * b < 0.36 { 1.0 } else { 0.0 };
        }
        (x, y)
    }

    let (x, y) = circle_data(200, &mut Lcg(7));
    println!("inputs {:?}, labels {:?}", x.shape(), y.shape());
    println!("points inside the circle: {}", y.sum());
}
