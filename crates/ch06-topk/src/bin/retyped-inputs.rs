// book/ch06-topk.md, block `retyped-inputs`: generated from the book: edit the chapter, not this file. fnv1a=e396b926f0dbbd2e
fn main() {
    use autograd::Graph;
    // The question's inputs as it printed them, to four decimals.
    let x_printed = [0.1511f32, 0.5990, 0.6338, 0.5137, 0.5203, 0.0560];
    let w_printed = [
        [0.2541f32, 0.6699, 0.5311, 0.7801, 0.5042, 0.5475],
        [0.7523, 0.1331, 0.7670, 0.8132, 0.0524, 0.0269],
        [0.3974, 0.2880, 0.9142, 0.9906, 0.4401, 0.3984],
        [0.7956, 0.2071, 0.2209, 0.6192, 0.2054, 0.7693],
        [0.8587, 0.8415, 0.6033, 0.3812, 0.2498, 0.9813],
        [0.9033, 0.0417, 0.2272, 0.1576, 0.9087, 0.3284],
    ];
    // W.grad[0, 1] with every input moved by `shift()`.
    let grad_w01 = |shift: &mut dyn FnMut() -> f32| {
        let g = Graph::new();
        let x = g.tensor(x_printed.map(|v| v + shift())).requires_grad();
        let w = g.tensor(w_printed.map(|row| row.map(|v| v + shift()))).requires_grad();
        let (top, _) = w.matmul(x).topk(3);
        (top * top).sum_all().backward().unwrap();
        w.grad().unwrap().to_vec()[1]
    };
    println!("printed inputs:       W.grad[0, 1] = {:.4}", grad_w01(&mut || 0.0));

    // A seeded generator: shifts uniform in (-0.00005, 0.00005).
    let mut state = 2026u64;
    let mut shift = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 1e-4
    };
    let (mut low, mut high) = (f32::INFINITY, f32::NEG_INFINITY);
    for _ in 0..1000 {
        let entry = grad_w01(&mut shift);
        (low, high) = (low.min(entry), high.max(entry));
    }
    println!("1000 unprinted tails: W.grad[0, 1] from {low:.4} to {high:.4}");
}
