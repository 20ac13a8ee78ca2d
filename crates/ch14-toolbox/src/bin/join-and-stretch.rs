// book/ch14-toolbox.md, block `join-and-stretch`: generated from the book: edit the chapter, not this file. fnv1a=3cb6d25d0e775e42
fn main() {
    use autograd::{Graph, cat, stack};
    let g = Graph::new();
    let a = g.tensor([1.0f32, 2.0]).requires_grad();
    let b = g.tensor([3.0f32, 4.0, 5.0]).requires_grad();
    let joined = cat(&[a, b], 0);
    println!("{joined}");
    let weights = g.tensor([1.0f32, 2.0, 3.0, 4.0, 5.0]);
    (joined * weights).sum_all().backward().unwrap();
    println!("{} {}", a.grad().unwrap(), b.grad().unwrap());
    let rows = stack(&[a, a * 10], 0);
    println!("{rows}");
    let wide = a.unsqueeze(1).expand([-1, 3]);
    println!("{wide}");
    a.zero_grad();
    wide.sum_all().backward().unwrap();
    println!("{}", a.grad().unwrap());
}
