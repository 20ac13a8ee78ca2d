// book/ch04-non-scalar-backward.md, block `exercise-matvec-vjp`: generated from the book: edit the chapter, not this file. fnv1a=1c65e7f53912b2bd
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let w = g.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]).requires_grad();
    let x = g.tensor([[1.0], [1.0]]).requires_grad();
    let v = g.tensor([[1.0], [0.0], [-1.0]]);
    w.matmul(x).backward_with(v).unwrap();
    let w_t = g.tensor([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]); // the rows of W as columns
    println!("x.grad = {} <> W^T v = {}", x.grad().unwrap(), w_t.matmul(v));
    println!("W.grad = {}", w.grad().unwrap());
}
