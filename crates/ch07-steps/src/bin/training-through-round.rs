// book/ch07-steps.md, block `training-through-round`: generated from the book: edit the chapter, not this file. fnv1a=06b3ddba273d617c
fn main() {
    use autograd::Graph;
    for straight_through in [false, true] {
        let mut w = 0.8_f32;
        print!(
            "{:>16}: ",
            if straight_through {
                "straight-through"
            } else {
                "plain round"
            }
        );
        for _ in 0..6 {
            let g = Graph::new();
            let p = g.scalar(w).requires_grad();
            let q = if straight_through {
                p + (p.round() - p).detach()
            } else {
                p.round()
            };
            let loss = (q * 3.0 - 12.0).pow(2.0);
            loss.backward().unwrap();
            w -= 0.02 * p.grad().unwrap().item();
            print!("w={w:.3} ");
        }
        println!();
    }
}
