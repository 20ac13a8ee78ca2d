// book/ch04-non-scalar-backward.md, block `exercise-two-losses`: generated from the book: edit the chapter, not this file. fnv1a=8a7852043e7ecc6d
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let p = g.scalar(2.0).requires_grad();
    (p * 3.0).backward().unwrap();
    (p * p).backward().unwrap();
    let separately = p.grad().unwrap().item();

    p.zero_grad();
    (p * 3.0 + p * p).backward().unwrap();
    println!("{separately} <> {} <> {}", p.grad().unwrap().item(), 3.0 + 2.0 * 2.0);
}
