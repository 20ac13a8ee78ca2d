// book/ch10-adding-an-operation.md, block `exercise-sin`: generated from the book: edit the chapter, not this file. fnv1a=3e784299f3d039e5
use autograd::Tensor;
use autograd::gradcheck::gradcheck;
use ndarray::array;

fn sin<'g>(x: Tensor<'g, f64>) -> Tensor<'g, f64> {
    let value = x.value().mapv(f64::sin);
    x.graph().record("SinBackward", &[x], value, |ctx| {
        vec![ctx.gradient(0, || ctx.grad_output * &ctx.input(0).mapv(f64::cos))]
    })
}

fn main() {
    let inputs = [array![0.0, 1.0, -2.5, 3.0].into_dyn()];
    println!("{}", gradcheck(|t| sin(t[0]), &inputs).unwrap());
}
