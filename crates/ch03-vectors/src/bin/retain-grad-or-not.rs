// book/ch03-vectors.md, block `retain-grad-or-not`: generated from the book: edit the chapter, not this file. fnv1a=fcffd53d03573d14
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let kept = (x * 3.0).retain_grad();
    let dropped = x * 4.0;
    (kept + dropped).sum_all().backward().unwrap();

    println!("leaf x:             {:?}", x.grad());
    println!("retained x * 3:     {:?}", kept.grad());
    println!("not retained x * 4: {:?}", dropped.grad());
    println!("is x * 4 a leaf? {}", dropped.is_leaf());
}
