// book/ch05-recursion.md, block `hooks-on-the-states`: generated from the book: edit the chapter, not this file. fnv1a=651ebc1ae84c6504
fn main() {
    use std::cell::RefCell;
    use std::rc::Rc;

    use autograd::Graph;

    for clip in [false, true] {
        let g = Graph::<f64>::new();
        let w = g.scalar(1.5).requires_grad();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let mut h = g.scalar(1.0);
        for _ in 0..10 {
            let log = Rc::clone(&seen);
            h = w * h;
            h.register_hook(move |grad| {
                log.borrow_mut().push(grad.item());
                clip.then(|| grad.clamp(-1.0, 1.0))
            });
        }
        h.backward().unwrap();
        println!("clipped: {clip}");
        println!("  gradient reaching h_10, h_9, ..., h_1: {:.4?}", seen.borrow());
        println!("  dL/dw = {:.4}", w.grad().unwrap().item());
    }
}
