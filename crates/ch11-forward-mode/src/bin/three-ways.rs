// book/ch11-forward-mode.md, block `three-ways`: generated from the book: edit the chapter, not this file. fnv1a=15f822a768c1015b
fn main() {
    use autograd::Number;
    use autograd::dual::Dual;
    use autograd::scalar::Tape;

    fn f<N: Number>(x: N) -> N {
        x * x * x.tanh()
    }

    let tape = Tape::new();
    let x = tape.var(0.5);
    f(x).backward();
    println!("value    {:.6}", f(0.5));
    println!("forward  {:.6}", f(Dual::variable(0.5)).tangent);
    println!("reverse  {:.6}", x.grad());
}
