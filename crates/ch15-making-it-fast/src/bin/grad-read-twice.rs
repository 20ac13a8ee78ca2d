// book/ch15-making-it-fast.md, block `grad-read-twice`: generated from the book: edit the chapter, not this file. fnv1a=3afa9f4237cf7ac0
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    (x * x).sum_all().backward().unwrap();
    let before = g.len();
    let (first, second) = (x.grad().unwrap(), x.grad().unwrap());
    println!("{first} {second}");
    println!("nodes added by two reads: {}", g.len() - before);
}
