// book/ch05-recursion.md, block `clip-states-or-norm`: generated from the book: edit the chapter, not this file. fnv1a=693f9b48b54e1c84
fn main() {
    use autograd::Graph;
    for clip_states in [true, false] {
        let g = Graph::<f64>::new();
        let w = g.scalar(1.5).requires_grad();
        let h0 = g.scalar(1.0).requires_grad();
        let mut h = h0;
        for _ in 0..10 {
            h = w * h;
            if clip_states {
                h.register_hook(|grad| Some(grad.clamp(-1.0, 1.0)));
            }
        }
        h.backward().unwrap();
        let (dw, dh0) = (w.grad().unwrap().item(), h0.grad().unwrap().item());
        let norm = (dw * dw + dh0 * dh0).sqrt();
        // clip_grad_norm_ with a bound of 1: one factor for every gradient.
        let scale = if clip_states { 1.0 } else { (1.0 / norm).min(1.0) };
        let (dw, dh0) = (dw * scale, dh0 * scale);
        let how = if clip_states {
            "each state clipped:"
        } else {
            "norm clipped to 1: "
        };
        let ratio = dw / dh0;
        println!("{how} dL/dw {dw:.4}, dL/dh0 {dh0:.4}, ratio {ratio:.4}");
    }
}
