// book/ch14-toolbox.md, block `generic-over-the-dtype`: generated from the book: edit the chapter, not this file. fnv1a=00a5e7f4f88a4a8d
fn main() {
    use autograd::{Graph, Real, Tensor};
    fn smooth_abs<T: Real>(x: Tensor<'_, T>) -> Tensor<'_, T> {
        T::of_f64(10.0) * (x * x + T::of_f64(0.01)).sqrt() - 1
    }
    let g32 = Graph::<f32>::new();
    let g64 = Graph::<f64>::new();
    println!("{}", smooth_abs(g32.tensor([-1.0f32, 0.0, 2.0])));
    println!("{}", smooth_abs(g64.tensor([-1.0, 0.0, 2.0])));
}
