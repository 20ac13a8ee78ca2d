// book/ch04-non-scalar-backward.md, block `jacobian-rows`: generated from the book: edit the chapter, not this file. fnv1a=67ad5f76880ca46c
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([2.0, 3.0, 4.0]).requires_grad();
    // (x0, x1) * (x1, x2), entry by entry.
    let y = x.index_select(0, &[0, 1]) * x.index_select(0, &[1, 2]);
    println!("y = {y}");

    for row in 0..2 {
        let mut one_hot = [0.0; 2];
        one_hot[row] = 1.0;
        x.zero_grad();
        y.backward_with(g.tensor(one_hot)).unwrap();
        println!("row {row} of J: {}", x.grad().unwrap());
    }
}
