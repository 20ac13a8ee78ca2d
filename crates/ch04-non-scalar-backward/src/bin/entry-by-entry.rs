// book/ch04-non-scalar-backward.md, block `entry-by-entry`: generated from the book: edit the chapter, not this file. fnv1a=bbbc41edefa93a60
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let a = g.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();

    for i in 0..2 {
        for j in 0..3 {
            let mut mask = ndarray::Array2::<f32>::zeros((2, 3));
            mask[[i, j]] = 1.0;
            let entry = (a * g.tensor(mask)).sum_all();
            (entry * entry).backward().unwrap();
        }
    }
    println!("a.grad = {}", a.grad().unwrap());
    println!("2a     = {}", g.tensor(a.to_array() * 2.0));
}
