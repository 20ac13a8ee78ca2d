// book/ch04-non-scalar-backward.md, block `accumulate-and-zero`: generated from the book: edit the chapter, not this file. fnv1a=a3e1ae2dead942b6
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.scalar(3.0).requires_grad();
    let y = x * x; // dy/dx = 2x = 6

    y.backward().unwrap();
    println!("after one backward:  {}", x.grad().unwrap());
    y.backward().unwrap();
    println!("after two backwards: {}", x.grad().unwrap());

    x.zero_grad();
    println!("after zero_grad:     {:?}", x.grad());
    y.backward().unwrap();
    println!("after one more:      {}", x.grad().unwrap());
}
