// book/ch13-gradients-of-gradients.md, block `hook-under-gradients`: generated from the book: edit the chapter, not this file. fnv1a=cfac0bdc947af917
fn main() {
    use autograd::Graph;

    for detached in [false, true] {
        let g = Graph::<f64>::new();
        let x = g.scalar(0.7).requires_grad();
        let h = x * x;
        h.register_hook(move |grad| {
            let doubled = grad * 2.0;
            Some(if detached { doubled.detach() } else { doubled })
        });
        let first = h.tanh().gradients(&[x]).unwrap()[0];
        first.backward().unwrap();
        println!("detached: {detached}");
        println!("  first  = {:.4}", first.item());
        println!("  second = {:.4}", x.grad().unwrap().item());
    }
}
