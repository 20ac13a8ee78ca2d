// book/ch12-pytorch-traps.md, block `forgot-zero-grad`: generated from the book: edit the chapter, not this file. fnv1a=3312abb055bd0283
fn main() {
    use autograd::Graph;

    let g = Graph::<f64>::new();
    let w = g.scalar(1.0).requires_grad();
    for step in 1..=3 {
        (w * w).backward().unwrap();
        println!("step {step}, no zero_grad: w.grad = {}", w.grad().unwrap().item());
    }
    for step in 1..=3 {
        w.zero_grad();
        (w * w).backward().unwrap();
        println!("step {step}, zero_grad:    w.grad = {}", w.grad().unwrap().item());
    }
}
