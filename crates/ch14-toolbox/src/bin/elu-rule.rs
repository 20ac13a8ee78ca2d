// book/ch14-toolbox.md, block `elu-rule`: generated from the book: edit the chapter, not this file. fnv1a=ede955107637564c
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([-12.0f32, 0.0]).requires_grad();
    let d1 = x.elu(1.0).sum_all().gradients(&[x]).unwrap()[0];
    let d2 = d1.sum_all().gradients(&[x]).unwrap()[0];
    println!("elu'  {}", d1.detach());
    println!("elu'' {}", d2.detach());
    println!("y + 1 {}", (x.exp_m1() + 1).detach());
    println!("e^x   {}", x.exp().detach());
}
