// book/ch04-non-scalar-backward.md, block `jacobian-rows`: generated from the book: edit the chapter, not this file. fnv1a=43134108643542a3
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([[2.0, 3.0, 4.0]]).requires_grad();
    let first = g.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]); // (x0, x1)
    let second = g.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]); // (x1, x2)
    let y = x.matmul(first) * x.matmul(second);
    println!("y = {y}");

    for row in 0..2 {
        let mut one_hot = [[0.0; 2]];
        one_hot[0][row] = 1.0;
        x.zero_grad();
        y.backward_with(g.tensor(one_hot)).unwrap();
        println!("row {row} of J: {}", x.grad().unwrap());
    }
}
