// book/ch09-training.md, block `train`: generated from the book: edit the chapter, not this file. fnv1a=bdc060f9916ac23d
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
    use autograd::{Graph, Tensor};
    use ndarray::{Array1, ArrayD, s};

    /// The mean binary cross-entropy of labels `y` under logits `z`, in the
    /// form that never overflows: max(z, 0) − z·y + ln(1 + e^(−|z|)).
    fn bce_with_logits<'g>(z: Tensor<'g, f64>, y: Tensor<'g, f64>) -> Tensor<'g, f64> {
        let abs = z.relu() + (-z).relu();
        (z.relu() - z * y + ((-abs).exp() + 1.0).ln()).mean_all()
    }

    /// The network's logits for the points `x`: positive means "inside".
    fn logits<'g>(x: Tensor<'g, f64>, [w1, b1, w2, b2]: [Tensor<'g, f64>; 4]) -> Tensor<'g, f64> {
        (x.matmul(w1) + b1).tanh().matmul(w2) + b2
    }

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

        /// The parameters as leaves of graph `g`.
        fn leaves<'g>(&self, g: &'g Graph<f64>) -> [Tensor<'g, f64>; 4] {
            [&self.w1, &self.b1, &self.w2, &self.b2].map(|p| g.tensor(p))
        }

        /// One step of gradient descent; returns the loss before the step.
        fn step(&mut self, x: &Array2<f64>, y: &Array2<f64>, learning_rate: f64) -> f64 {
            let g = Graph::<f64>::new();
            let params = self.leaves(&g).map(Tensor::requires_grad);
            let loss = bce_with_logits(logits(g.tensor(x), params), g.tensor(y));
            loss.backward().expect("the loss is a scalar that requires grad");
            let arrays = [&mut self.w1, &mut self.b1, &mut self.w2, &mut self.b2];
            for (param, tensor) in arrays.into_iter().zip(params) {
                *param -= &(tensor.grad_array().expect("every parameter is used") * learning_rate);
            }
            loss.item()
        }

        /// The fraction of points classified correctly.
        fn accuracy(&self, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
            let g = Graph::<f64>::new();
            let inside = logits(g.tensor(x), self.leaves(&g)).ge(0.0);
            inside.eq(g.tensor(y)).sum_all().item() / y.len() as f64
        }
    }

    let (x, y) = circle_data(300, &mut Lcg(7));
    let (x_train, y_train) = (x.slice(s![..200, ..]).to_owned(), y.slice(s![..200, ..]).to_owned());
    let (x_test, y_test) = (x.slice(s![200.., ..]).to_owned(), y.slice(s![200.., ..]).to_owned());

    let majority = y_train.mean().expect("points").round(); // 1 when most points are inside
    let baseline = y_test.iter().filter(|&&label| label == majority).count() as f64 / y_test.len() as f64;
    println!("always the majority class: test accuracy {baseline:.3}");
    let inside = y_train.mean().expect("points"); // the fraction of points inside
    let constant_loss = -(inside * inside.ln() + (1.0 - inside) * (1.0 - inside).ln());
    println!("the best constant answer, {inside:.3} everywhere: loss {constant_loss:.4}");

    for learning_rate in [0.1, 1.0] {
        let mut model = Mlp::new(16, &mut Lcg(3));
        let mut losses = Vec::new();
        for step in 0..=2000 {
            let loss = model.step(&x_train, &y_train, learning_rate);
            if step % 500 == 0 {
                losses.push(format!("{loss:.4}"));
            }
        }
        println!("learning rate {learning_rate}: loss {}", losses.join(" -> "));
        println!(
            "  accuracy: train {:.3}, test {:.3}",
            model.accuracy(&x_train, &y_train),
            model.accuracy(&x_test, &y_test)
        );
    }
}
