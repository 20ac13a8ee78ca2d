// book/ch07-steps.md, block `diff-round-last-digits`: generated from the book: edit the chapter, not this file. fnv1a=af6803167be0ce33
fn main() {
    let tenth = 0.1f32; // dL/dout, from the division by 10
    let k = 1.0f32 + 1e-2; // the constant 1.01, as f32 holds it
    println!("1.01 in f32    = {k:.17}");
    println!("0.1 in f32     = {tenth:.17}");
    let product = tenth * k; // the path through diff: dL/ddiff · 1.01, rounded
    let exact = f64::from(tenth) * f64::from(k);
    println!("0.1 · 1.01     = {product:.17} (exactly {exact:.17})");
    let du = tenth - product; // the two paths into u, summed: no rounding here
    println!("dL/du          = {du:.12}");
    println!("dL/dx = 10 · that = {:.9}", 10.0 * du);
    let only_k = 10.0 * f64::from(tenth) * (1.0 - f64::from(k));
    println!("were only 1.01 rounded: {only_k:.10}");
}
