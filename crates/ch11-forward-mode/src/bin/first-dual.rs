// book/ch11-forward-mode.md, block `first-dual`: generated from the book: edit the chapter, not this file. fnv1a=d4e9b71fc4a0d482
fn main() {
    use autograd::dual::Dual;
    use autograd::scalar::Tape;

    let x = Dual::variable(0.5);
    let y = x * x * x.tanh();
    println!("f(0.5) = {:.6}, f'(0.5) = {:.6} (forward)", y.value, y.tangent);

    let tape = Tape::new();
    let xr = tape.var(0.5);
    let yr = xr * xr * xr.tanh();
    yr.backward();
    println!("f(0.5) = {:.6}, f'(0.5) = {:.6} (reverse)", yr.data(), xr.grad());
}
