// book/ch12-pytorch-traps.md, block `non-leaf-grad`: generated from the book: edit the chapter, not this file. fnv1a=cd07af6e5f14da1c
fn main() {
    use autograd::Graph;

    let g = Graph::<f32>::new();
    let x = g.scalar(3.0).requires_grad();
    let h = x * x;
    (h * 2.0).backward().unwrap();
    println!("h.grad: {:?}", h.grad().map(|grad| grad.item()));

    let h = (x * x).retain_grad();
    (h * 2.0).backward().unwrap();
    println!("after retain_grad, h.grad: {}", h.grad().unwrap());
}
