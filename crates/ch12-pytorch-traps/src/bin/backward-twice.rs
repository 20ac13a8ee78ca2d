// book/ch12-pytorch-traps.md, block `backward-twice`: generated from the book: edit the chapter, not this file. fnv1a=b353e0e6109591dd
fn main() {
    use autograd::Graph;

    let g = Graph::<f32>::new();
    let x = g.scalar(1.0).requires_grad();
    let y = x.exp() * 2.0;
    y.backward().unwrap();
    println!("after one backward:  x.grad = {}", x.grad().unwrap());
    y.backward().unwrap();
    println!("after two backwards: x.grad = {}", x.grad().unwrap());
}
