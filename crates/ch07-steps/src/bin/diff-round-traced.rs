// book/ch07-steps.md, block `diff-round-traced`: generated from the book: edit the chapter, not this file. fnv1a=4a99de1ce0b06761
fn main() {
    use autograd::Graph;
    use autograd::tensor::where_;
    let g = Graph::new();
    let x = g.tensor([0.99f32, 1.54, 1.9]).requires_grad();

    let u = (x * 10.0).retain_grad();
    let floor = u.floor().retain_grad();
    let diff = ((1.0 + 1e-2) * u - floor).retain_grad();
    let out = (u - diff + (floor + where_(diff.ge(0.5), 1.0, 0.0))).retain_grad();
    let y = out / 10.0;
    y.sum_all().backward().unwrap();

    println!("u    = {u}");
    println!("diff = {diff}");
    println!("y    = {y}");
    println!("dL/dout   = {}", out.grad().unwrap());
    println!("dL/ddiff  = {}", diff.grad().unwrap());
    println!("dL/dfloor = {}", floor.grad().unwrap());
    println!(
        "dL/du     = {}   <> 0.1 * (1 - 1.01) = {:.4}",
        u.grad().unwrap(),
        0.1 * (1.0 - 1.01)
    );
    println!("dL/dx     = {}   <> 10 * dL/du", x.grad().unwrap());
    println!("dL/dx[0]  = {:.9}, in f32", x.grad_array().unwrap()[[0]]);
}
