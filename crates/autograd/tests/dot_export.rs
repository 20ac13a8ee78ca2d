//! Graph pictures come from the engine's own DOT export: it must describe
//! exactly the graph the code built, and nothing else.

use autograd::Graph;
use autograd::scalar::Tape;

#[test]
fn scalar_chain_rule_graph() {
    let tape = Tape::new();
    let x = tape.var(1.0);
    let _unrelated = tape.var(7.0) * 2.0;
    let loss = (x * x - 10.0).powi(2);
    loss.backward();
    let dot = loss.to_dot();
    assert!(dot.starts_with("digraph {"), "{dot}");
    // x, x·x, 10, −, pow: five nodes, and the unrelated product is absent.
    assert_eq!(dot.matches("[label=").count(), 5, "{dot}");
    assert!(!dot.contains("data 7"), "{dot}");
    // Each node shows its value and gradient: d loss/dx = −36 at x = 1.
    assert!(dot.contains("var | data 1 | grad -36"), "{dot}");
    assert!(dot.contains("pow | data 81 | grad 1"), "{dot}");
    // x feeds the product twice: two edges from the same node.
    let x_node = dot.lines().find(|l| l.contains("var | data 1")).unwrap();
    let x_id = x_node.trim().split(' ').next().unwrap();
    assert_eq!(dot.matches(&format!("{x_id} -> ")).count(), 2, "{dot}");
}

#[test]
fn tensor_graph_names_operations_and_shapes() {
    let g = Graph::new();
    let w = g.tensor([[1.0f32, 2.0], [3.0, 4.0]]).requires_grad();
    let x = g.tensor([1.0f32, 0.5]);
    let loss = w.matmul(x).relu().sum_all();
    loss.backward().unwrap();
    let dot = loss.to_dot();
    for op in [
        "MvBackward0",
        "ReluBackward0",
        "SumBackward0",
        "shape [2, 2]",
        "grad [1, 0.5, 1, 0.5]",
    ] {
        assert!(dot.contains(op), "missing {op:?} in\n{dot}");
    }
    assert_eq!(dot.matches(" -> ").count(), 4, "{dot}");
}

#[test]
fn the_picture_changes_when_the_code_does() {
    let g = Graph::<f64>::new();
    let h0 = g.scalar(0.5).requires_grad();
    let w = g.scalar(2.0).requires_grad();
    let unrolled = |steps: usize| (0..steps).fold(h0, |h, _| w * h).to_dot();
    let (two, three) = (unrolled(2), unrolled(3));
    assert_eq!(two.matches("MulBackward0").count(), 2);
    assert_eq!(three.matches("MulBackward0").count(), 3);
}
