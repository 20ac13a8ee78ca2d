// book/ch07-steps.md, block `steps-have-zero-gradient`: generated from the book: edit the chapter, not this file. fnv1a=265b842d92143ccc
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([9.9f32, 15.4, 19.0]).requires_grad();

    for (name, y) in [("floor", x.floor()), ("ceil", x.ceil()), ("round", x.round())] {
        x.zero_grad();
        y.sum_all().backward().unwrap();
        println!("{name:>5}: {y}  grad {}", x.grad().unwrap());
    }
}
