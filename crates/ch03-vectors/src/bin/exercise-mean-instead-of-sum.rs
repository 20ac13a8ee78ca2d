// book/ch03-vectors.md, block `exercise-mean-instead-of-sum`: generated from the book: edit the chapter, not this file. fnv1a=7401bcaac20d4b39
fn main() {
    use autograd::Graph;
    use ndarray::Axis;
    let g = Graph::<f64>::new();
    let x = g.ones(&[5, 2]).requires_grad();
    let w = g
        .tensor([[0.4458, 0.6325, 0.4701], [0.0154, 0.1349, 0.2547]])
        .requires_grad();
    let b = g.zeros(&[1, 3]).requires_grad();
    (x.matmul(w) + b).mean_all().backward().unwrap();

    let ws = w.to_array();
    let rows: Vec<f64> = (0..2).map(|k| (0..3).map(|j| ws[[k, j]]).sum::<f64>() / 15.0).collect();
    let row_0 = x.grad_array().unwrap().index_axis(Axis(0), 0).to_owned();
    println!("dB = {} <> 1/3 = {:.4}", b.grad().unwrap(), 1.0 / 3.0);
    println!("dX row 0 = {} <> {rows:.4?}", g.tensor(row_0));
}
