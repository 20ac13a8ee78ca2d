// book/ch14-toolbox.md, block `losses`: generated from the book: edit the chapter, not this file. fnv1a=34498bd3d9fe9bf8
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let logits = g.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]]).requires_grad();
    let classes = [0, 2];
    let loss = logits.cross_entropy(&classes);
    loss.backward().unwrap();
    println!("cross_entropy: {}", loss.detach());
    println!("grad:          {}", logits.grad().unwrap());
    let formula = (logits.softmax(1) - g.one_hot(&classes, 3)) / 2;
    println!("formula:       {}", formula.detach());

    let x = g.tensor([-100.0, 0.0, 100.0]).requires_grad();
    let y = g.tensor([1.0, 0.5, 0.0]);
    let bce = x.binary_cross_entropy_with_logits(y);
    bce.backward().unwrap();
    println!("bce: {}, grad {}", bce.detach(), x.grad().unwrap());
    println!("mse: {}", x.mse_loss(y).detach());
    println!("{}", g.linspace(0.0, 1.0, 7));
    println!("linspace(0, 1, 7)[4] = {}", g.linspace(0.0, 1.0, 7).to_vec()[4]);
    println!("4 · (1/6)             = {}", 4.0 * (1.0f64 / 6.0));
}
