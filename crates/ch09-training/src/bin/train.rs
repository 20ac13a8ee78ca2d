// book/ch09-training.md, block `train`: generated from the book: edit the chapter, not this file. fnv1a=c55994eb0856b264
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
    use autograd::Graph;
    use ndarray::{Array1, ArrayD};

    /// The parameters: plain arrays that outlive every graph.
    struct Mlp {
        w1: ArrayD<f64>,
        b1: ArrayD<f64>,
        w2: ArrayD<f64>,
        b2: ArrayD<f64>,
    }

    impl Mlp {
        fn new(hidden: usize, rng: &mut Lcg) -> Self {
            let mut init = |rows: usize, cols: usize| {
                let scale = 1.0 / (rows as f64).sqrt();
                Array2::from_shape_simple_fn((rows, cols), || scale * (2.0 * rng.uniform() - 1.0)).into_dyn()
            };
            Mlp {
                w1: init(2, hidden),
                b1: Array1::zeros(hidden).into_dyn(),
                w2: init(hidden, 1),
                b2: Array1::zeros(1).into_dyn(),
            }
        }

        /// One step of gradient descent; returns the loss before the step.
        fn step(&mut self, x: &Array2<f64>, y: &Array2<f64>, learning_rate: f64) -> f64 {
            let g = Graph::<f64>::new();
            let (w1, b1) = (g.tensor(&self.w1).requires_grad(), g.tensor(&self.b1).requires_grad());
            let (w2, b2) = (g.tensor(&self.w2).requires_grad(), g.tensor(&self.b2).requires_grad());
            let hidden = (g.tensor(x).matmul(w1) + b1).tanh();
            let prediction = (hidden.matmul(w2) + b2).sigmoid();
            let error = prediction - g.tensor(y);
            let loss = (error * error).mean();
            loss.backward().expect("the loss is a scalar that requires grad");
            for (param, tensor) in [
                (&mut self.w1, w1),
                (&mut self.b1, b1),
                (&mut self.w2, w2),
                (&mut self.b2, b2),
            ] {
                *param -= &(tensor.grad_array().expect("every parameter is used") * learning_rate);
            }
            loss.item()
        }

        /// The fraction of points classified correctly (prediction above 0.5 means inside).
        fn accuracy(&self, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
            let g = Graph::<f64>::new();
            let hidden = (g.tensor(x).matmul(g.tensor(&self.w1)) + g.tensor(&self.b1)).tanh();
            let prediction = (hidden.matmul(g.tensor(&self.w2)) + g.tensor(&self.b2)).sigmoid();
            let correct = prediction.ge(0.5).eq(g.tensor(y)).sum().item();
            correct / y.len() as f64
        }
    }

    let (x, y) = circle_data(200, &mut Lcg(7));
    let mut model = Mlp::new(16, &mut Lcg(3));
    println!("accuracy before training: {:.3}", model.accuracy(&x, &y));
    for step in 0..=2000 {
        let loss = model.step(&x, &y, 2.0);
        if step % 250 == 0 {
            println!("step {step:4}  loss {loss:.4}");
        }
    }
    println!("accuracy after training:  {:.3}", model.accuracy(&x, &y));
}
