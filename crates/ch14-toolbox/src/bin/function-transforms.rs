// book/ch14-toolbox.md, block `function-transforms`: generated from the book: edit the chapter, not this file. fnv1a=040e880fd489ccba
fn main() {
    use autograd::func::{hessian, jacfwd, jacobian, jvp};
    use autograd::{Graph, Tensor};

    fn layer<'g>(x: Tensor<'g, f64>) -> Tensor<'g, f64> {
        let w = x.graph().tensor([[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]]);
        w.matmul(x).tanh()
    }

    let g = Graph::<f64>::new();
    let x = g.tensor([0.3, -0.2, 0.8]);
    let u = g.tensor([1.0, 0.0, -1.0]);
    let (y, ju) = jvp(|xs| layer(xs[0]), &[x], &[u]).unwrap();
    println!("y = {}", y.detach());
    println!("J·u = {}", ju.detach());
    println!("jacobian: {}", jacobian(layer, x).unwrap().detach());
    println!("jacfwd:   {}", jacfwd(layer, x).unwrap().detach());
    let h = hessian(|x| layer(x).pow(2).sum_all(), x).unwrap();
    println!("hessian of |y|²: {}", h.detach());
}
