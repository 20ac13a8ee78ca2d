// book/ch03-vectors.md, block `exercise-row-bias`: generated from the book: edit the chapter, not this file. fnv1a=35a947f6f40e058a
fn main() {
    use autograd::Graph;
    use ndarray::{Axis, array};
    let g = Graph::<f64>::new();
    let x = g.tensor([[1.0, 2.0], [0.5, -1.0], [0.0, 3.0], [2.0, 2.0], [-1.0, 0.0]]);
    let w = g.tensor([[0.4458, 0.6325, 0.4701], [0.0154, 0.1349, 0.2547]]);
    let c = g.tensor(array![[0.1], [0.2], [0.3], [0.4], [0.5]]).requires_grad();
    let z = x.matmul(w) + c;
    (z * z).sum_all().backward().unwrap();
    println!("{}", c.grad().unwrap());
    println!(
        "<> {}",
        g.tensor(z.to_array().sum_axis(Axis(1)).insert_axis(Axis(1)) * 2.0)
    );
}
