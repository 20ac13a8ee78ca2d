// book/ch09-training.md, block `shared-parameters`: generated from the book: edit the chapter, not this file. fnv1a=5af218283eb31383
fn main() {
    use autograd::Graph;
    use ndarray::array;

    let mut w = array![[0.5, -0.25], [1.0, 2.0]].into_dyn().into_shared();
    let grad = {
        let g = Graph::<f64>::new();
        let wt = g.tensor(&w).requires_grad();
        println!("the leaf shares w's storage: {}", wt.value().as_ptr() == w.as_ptr());
        (wt * wt).sum_all().backward().expect("a scalar that requires grad");
        let grad = wt.take_grad().expect("w was used");
        println!("gradient left behind after take_grad: {}", wt.grad().is_some());
        grad
    };
    println!("w has one owner again: {}", w.is_unique());
    let before = w.as_ptr();
    w -= &(grad * 0.1);
    println!("updated in place: {}", w.as_ptr() == before);
    println!("w = {w}");
}
