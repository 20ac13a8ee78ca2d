// book/ch11-forward-mode.md, block `what-each-costs`: generated from the book: edit the chapter, not this file. fnv1a=a032d4062a5b643a
fn main() {
    use std::cell::Cell;
    use std::ops::{Add, Div, Mul, Neg, Sub};

    use autograd::Number;
    use autograd::dual::Dual;
    use autograd::scalar::Tape;

    thread_local!(static DUAL_OPERATIONS: Cell<usize> = const { Cell::new(0) });

    /// A dual number that counts the operations done on it.
    #[derive(Clone, Copy)]
    struct Counted(Dual);

    fn counted(result: Dual) -> Counted {
        DUAL_OPERATIONS.with(|count| count.set(count.get() + 1));
        Counted(result)
    }

    macro_rules! counted_operator {
        ($Trait:ident, $method:ident) => {
            impl $Trait for Counted {
                type Output = Counted;
                fn $method(self, b: Counted) -> Counted {
                    counted(self.0.$method(b.0))
                }
            }
            impl $Trait<f64> for Counted {
                type Output = Counted;
                fn $method(self, b: f64) -> Counted {
                    counted(self.0.$method(b))
                }
            }
        };
    }
    counted_operator!(Add, add);
    counted_operator!(Sub, sub);
    counted_operator!(Mul, mul);
    counted_operator!(Div, div);

    impl Neg for Counted {
        type Output = Counted;
        fn neg(self) -> Counted {
            counted(-self.0)
        }
    }

    impl Number for Counted {
        fn powi(self, n: i32) -> Self {
            counted(self.0.powi(n))
        }
        fn exp(self) -> Self {
            counted(self.0.exp())
        }
        fn ln(self) -> Self {
            counted(self.0.ln())
        }
        fn tanh(self) -> Self {
            counted(self.0.tanh())
        }
        fn sigmoid(self) -> Self {
            counted(self.0.sigmoid())
        }
    }

    fn many_to_one<N: Number>(x: &[N]) -> N {
        let mut s = x[0];
        for &xi in &x[1..] {
            s = (s * xi).tanh() + xi;
        }
        s
    }

    fn one_to_many_n<N: Number>(t: N, m: usize) -> Vec<N> {
        let mut y = vec![t.tanh()];
        for _ in 1..m {
            let last = y[y.len() - 1];
            y.push((last + t).tanh());
        }
        y
    }

    fn same(a: &[f64], b: &[f64]) -> bool {
        a.iter().zip(b).all(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(1.0))
    }
    // `many_to_one` as above, and `one_to_many_n`, the same with m outputs (hidden).
    let n = 1000;
    let input = |j: usize| 0.001 * j as f64;
    // Forward mode: one pass per input, its tangent 1 and the others' 0.
    let mut by_columns = Vec::new();
    for i in 0..n {
        let seeded = |j| Counted(Dual::new(input(j), if i == j { 1.0 } else { 0.0 }));
        let x: Vec<_> = (0..n).map(seeded).collect();
        by_columns.push(many_to_one(&x).0.tangent);
    }
    let dual_operations = DUAL_OPERATIONS.with(|count| count.replace(0));
    // Reverse mode: one recorded pass and one backward pass.
    let tape = Tape::new();
    let x: Vec<_> = (0..n).map(|j| tape.var(input(j))).collect();
    many_to_one(&x).backward();
    let by_rows: Vec<f64> = x.iter().map(|xj| xj.grad()).collect();
    println!("{n} inputs -> 1 output:");
    println!("  forward mode: {n} passes run, {dual_operations} dual operations counted");
    println!("  reverse mode: 1 recorded pass, 1 backward pass, {} nodes", tape.len());
    println!("  the same gradient both ways: {}", same(&by_columns, &by_rows));

    let m = 1000;
    let t = Counted(Dual::new(0.3, 1.0));
    let by_columns: Vec<f64> = one_to_many_n(t, m).iter().map(|y| y.0.tangent).collect();
    let dual_operations = DUAL_OPERATIONS.with(Cell::get);
    let tape = Tape::new();
    let t = tape.var(0.3);
    let ys = one_to_many_n(t, m);
    let mut by_rows = Vec::new();
    for y in &ys {
        tape.zero_grad();
        y.backward();
        by_rows.push(t.grad());
    }
    println!("1 input -> {m} outputs:");
    println!("  forward mode: 1 pass run, {dual_operations} dual operations counted");
    println!(
        "  reverse mode: 1 recorded pass, {} backward passes, {} nodes",
        by_rows.len(),
        tape.len()
    );
    println!("  the same derivatives both ways: {}", same(&by_columns, &by_rows));
}
