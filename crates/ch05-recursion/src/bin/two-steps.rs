// book/ch05-recursion.md, block `two-steps`: generated from the book: edit the chapter, not this file. fnv1a=7555ccb24542f8dc
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let w = g.scalar(2.0f32).requires_grad();
    let h0 = g.scalar(0.5f32).requires_grad();
    let h1 = w * h0;
    let h2 = w * h1;
    h2.backward().unwrap();

    // The same derivatives by the hand recursion, in plain numbers.
    let (w_, h0_) = (2.0f32, 0.5f32);
    let h1_ = w_ * h0_;
    let (dw1, dh0_1) = (h0_ + w_ * 0.0, w_ * 1.0);
    let (dw2, dh0_2) = (h1_ + w_ * dw1, w_ * dh0_1);

    println!("dh2/dw  = {} <> {dw2}", w.grad().unwrap());
    println!("dh2/dh0 = {} <> {dh0_2}", h0.grad().unwrap());
}
