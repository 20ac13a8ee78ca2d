//! The scalar engine: one `f64` per node, recorded on a flat tape.
//!
//! Every operation appends one node to the [`Tape`]: its value, and the
//! *local* partial derivative of that value with respect to each of its (at
//! most two) inputs, computed at the same moment as the value. That is the
//! whole trick of reverse mode, and it puts each operation's forward and
//! backward rule on the same line:
//!
//! ```text
//! a * b    value a·b      ∂/∂a = b       ∂/∂b = a
//! tanh a   value t        ∂/∂a = 1 − t²
//! ```
//!
//! Because a node is always pushed after its inputs, the tape is already in
//! topological order. [`Value::backward`] is one loop over the tape from the
//! output down to the first node: no recursion, no sorting, no hashing, so a
//! chain of a million operations costs a million steps and no stack.
//!
//! ```
//! use autograd::scalar::Tape;
//!
//! let tape = Tape::new();
//! let x = tape.var(3.0);
//! let y = x * x + 2.0 * x; // y = x² + 2x
//! y.backward();
//! assert_eq!(y.data(), 15.0);
//! assert_eq!(x.grad(), 8.0); // dy/dx = 2x + 2
//! ```

// ANCHOR: scalar-imports
use std::cell::RefCell;
use std::fmt;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};
// ANCHOR_END: scalar-imports

// ANCHOR: op
/// The operation that produced a node: kept for printing and graph pictures;
/// the backward pass needs only the partial derivatives stored beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// A variable created with [`Tape::var`].
    Var,
    /// A constant operand such as the `2.0` in `2.0 * x`.
    Const,
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// `a / b`.
    Div,
    /// `-a`.
    Neg,
    /// [`Value::powi`].
    Powi,
    /// [`Value::powf`].
    Powf,
    /// [`Value::exp`].
    Exp,
    /// [`Value::ln`].
    Ln,
    /// [`Value::tanh`].
    Tanh,
    /// [`Value::relu`].
    Relu,
    /// [`Value::sigmoid`].
    Sigmoid,
}
// ANCHOR_END: op

// ANCHOR: op-symbol
impl Op {
    /// A short label, as shown in graph pictures.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Var => "var",
            Op::Const => "const",
            Op::Add => "+",
            Op::Sub => "−",
            Op::Mul => "×",
            Op::Div => "÷",
            Op::Neg => "neg",
            Op::Powi | Op::Powf => "pow",
            Op::Exp => "exp",
            Op::Ln => "ln",
            Op::Tanh => "tanh",
            Op::Relu => "relu",
            Op::Sigmoid => "sigmoid",
        }
    }
}
// ANCHOR_END: op-symbol

// ANCHOR: node
/// Marks an unused input slot.
const NO_INPUT: u32 = u32::MAX;

/// One recorded operation: 48 bytes, no heap allocation of its own.
#[derive(Clone, Copy, Debug)]
struct Node {
    value: f64,
    /// Accumulated d(output)/d(this node), summed over every `backward` call.
    grad: f64,
    inputs: [u32; 2],
    /// ∂value/∂inputs[k], computed in the forward pass.
    partials: [f64; 2],
    op: Op,
}
// ANCHOR_END: node

// ANCHOR: tape
/// The tape: every value computed so far, in the order it was computed.
///
/// Values are [`Value`] handles that borrow the tape, so the tape outlives
/// them all; dropping the tape frees the whole graph at once.
#[derive(Default)]
pub struct Tape {
    nodes: RefCell<Vec<Node>>,
}

impl Tape {
    /// An empty tape.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty tape with room for `n` operations before it reallocates.
    pub fn with_capacity(n: usize) -> Self {
        Tape {
            nodes: RefCell::new(Vec::with_capacity(n)),
        }
    }

    /// A new input variable: a leaf of the graph whose gradient we want.
    pub fn var(&self, value: f64) -> Value<'_> {
        self.push(Op::Var, value, [(NO_INPUT, 0.0); 2])
    }

    /// How many nodes the tape holds.
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    /// Whether the tape holds no node.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    // ANCHOR_END: tape

    // ANCHOR: tape-zero-grad
    /// Sets every node's gradient back to zero.
    pub fn zero_grad(&self) {
        for node in self.nodes.borrow_mut().iter_mut() {
            node.grad = 0.0;
        }
    }
    // ANCHOR_END: tape-zero-grad

    // ANCHOR: push
    fn constant(&self, value: f64) -> Value<'_> {
        self.push(Op::Const, value, [(NO_INPUT, 0.0); 2])
    }

    fn push(&self, op: Op, value: f64, inputs: [(u32, f64); 2]) -> Value<'_> {
        let mut nodes = self.nodes.borrow_mut();
        let id = u32::try_from(nodes.len())
            .ok()
            .filter(|&id| id != NO_INPUT)
            .expect("a tape holds at most 2^32 - 1 nodes");
        nodes.push(Node {
            value,
            grad: 0.0,
            inputs: [inputs[0].0, inputs[1].0],
            partials: [inputs[0].1, inputs[1].1],
            op,
        });
        Value { tape: self, id }
    }
}
// ANCHOR_END: push

// ANCHOR: value
/// A scalar on a [`Tape`]: a copyable handle (a reference and an index).
///
/// Arithmetic on values records new nodes; [`Value::backward`] fills in the
/// gradients of everything the value was computed from.
#[derive(Clone, Copy)]
pub struct Value<'t> {
    tape: &'t Tape,
    id: u32,
}

impl<'t> Value<'t> {
    /// The number this value holds.
    pub fn data(self) -> f64 {
        self.node().value
    }

    /// d(output)/d(self), accumulated over every [`backward`](Value::backward) so far.
    pub fn grad(self) -> f64 {
        self.node().grad
    }

    /// The operation that produced this value.
    pub fn op(self) -> Op {
        self.node().op
    }

    /// The tape this value lives on.
    pub fn tape(self) -> &'t Tape {
        self.tape
    }

    /// A copy of this value's node (48 bytes): what the methods above read.
    fn node(self) -> Node {
        self.tape.nodes.borrow()[self.id as usize]
    }
}
// ANCHOR_END: value

// ANCHOR: backward
impl Value<'_> {
    /// Backpropagates from this value: adds d(self)/d(node) to the gradient
    /// of every node it was computed from (and 1 to its own).
    ///
    /// One sweep down the tape, linear in the number of nodes below `self`.
    /// A node used on several paths receives the sum over all of them.
    pub fn backward(self) {
        let mut nodes = self.tape.nodes.borrow_mut();
        let root = self.id as usize;
        // Adjoints of this call only, so that repeated calls accumulate
        // correctly into `grad` instead of re-propagating old sums.
        let mut adjoint = vec![0.0; root + 1];
        let mut reached = vec![false; root + 1];
        adjoint[root] = 1.0;
        reached[root] = true;
        for id in (0..=root).rev() {
            if !reached[id] {
                continue;
            }
            let node = &mut nodes[id];
            let g = adjoint[id];
            node.grad += g;
            for k in 0..2 {
                let input = node.inputs[k];
                if input != NO_INPUT {
                    adjoint[input as usize] += node.partials[k] * g;
                    reached[input as usize] = true;
                }
            }
        }
    }
}
// ANCHOR_END: backward

// ANCHOR: scalar-to-dot
impl Value<'_> {
    /// The graph that computed this value, in Graphviz DOT: one box per node
    /// with its operation, value and gradient.
    pub fn to_dot(self) -> String {
        let nodes = self.tape.nodes.borrow();
        let inputs_of = |id: u32| {
            let inputs = nodes[id as usize].inputs;
            inputs.into_iter().filter(|&i| i != NO_INPUT).collect()
        };
        let pictured: Vec<crate::dot::DotNode> = crate::dot::reachable(self.id, inputs_of)
            .into_iter()
            .map(|id| {
                let node = nodes[id as usize];
                let op = node.op.symbol();
                crate::dot::DotNode {
                    id,
                    cells: vec![
                        op.to_string(),
                        format!("data {}", crate::dot::short_number(node.value)),
                        format!("grad {}", crate::dot::short_number(node.grad)),
                    ],
                    fill: (op == "var").then_some(crate::dot::PARAMETER_FILL),
                    inputs: inputs_of(id),
                }
            })
            .collect();
        crate::dot::graph(&pictured)
    }
}
// ANCHOR_END: scalar-to-dot

// ANCHOR: unary-binary
impl<'t> Value<'t> {
    /// Records a unary operation with its value and local derivative.
    fn unary(self, op: Op, value: f64, d_self: f64) -> Value<'t> {
        self.tape.push(op, value, [(self.id, d_self), (NO_INPUT, 0.0)])
    }

    /// Records a binary operation with its value and both local derivatives.
    fn binary(self, op: Op, rhs: Value<'t>, value: f64, d_self: f64, d_rhs: f64) -> Value<'t> {
        assert!(
            std::ptr::eq(self.tape, rhs.tape),
            "{op:?}: the two values live on different tapes"
        );
        self.tape.push(op, value, [(self.id, d_self), (rhs.id, d_rhs)])
    }
    // ANCHOR_END: unary-binary

    // Each operation: its value, then the local derivative(s), side by side.

    // ANCHOR: scalar-arithmetic
    fn add_value(self, rhs: Value<'t>) -> Value<'t> {
        let (a, b) = (self.data(), rhs.data());
        self.binary(Op::Add, rhs, a + b, 1.0, 1.0)
    }

    fn sub_value(self, rhs: Value<'t>) -> Value<'t> {
        let (a, b) = (self.data(), rhs.data());
        self.binary(Op::Sub, rhs, a - b, 1.0, -1.0)
    }

    fn mul_value(self, rhs: Value<'t>) -> Value<'t> {
        let (a, b) = (self.data(), rhs.data());
        self.binary(Op::Mul, rhs, a * b, b, a)
    }

    fn div_value(self, rhs: Value<'t>) -> Value<'t> {
        let (a, b) = (self.data(), rhs.data());
        self.binary(Op::Div, rhs, a / b, 1.0 / b, -a / (b * b))
    }

    fn neg_value(self) -> Value<'t> {
        self.unary(Op::Neg, -self.data(), -1.0)
    }
    // ANCHOR_END: scalar-arithmetic

    // ANCHOR: scalar-functions
    /// `self` to an integer power: d/dx xⁿ = n·xⁿ⁻¹.
    pub fn powi(self, n: i32) -> Value<'t> {
        let x = self.data();
        let d = if n == 0 { 0.0 } else { f64::from(n) * x.powi(n - 1) };
        self.unary(Op::Powi, x.powi(n), d)
    }

    /// `self` to a real power: d/dx xᵖ = p·xᵖ⁻¹ (NaN for a negative base and
    /// a fractional power, as in IEEE arithmetic).
    pub fn powf(self, p: f64) -> Value<'t> {
        let x = self.data();
        let d = if p == 0.0 { 0.0 } else { p * x.powf(p - 1.0) };
        self.unary(Op::Powf, x.powf(p), d)
    }

    /// eˣ, whose derivative is itself.
    pub fn exp(self) -> Value<'t> {
        let e = self.data().exp();
        self.unary(Op::Exp, e, e)
    }

    /// The natural logarithm: d/dx ln x = 1/x.
    pub fn ln(self) -> Value<'t> {
        let x = self.data();
        self.unary(Op::Ln, x.ln(), 1.0 / x)
    }
    // ANCHOR_END: scalar-functions

    // ANCHOR: scalar-activations
    /// The hyperbolic tangent: d/dx tanh x = 1 − tanh² x.
    pub fn tanh(self) -> Value<'t> {
        let t = self.data().tanh();
        self.unary(Op::Tanh, t, 1.0 - t * t)
    }

    /// max(x, 0), with derivative 0 at x = 0 (as PyTorch chooses). NaN
    /// passes through with derivative 1, as in PyTorch: the test is `x <= 0`,
    /// which NaN fails, not `x > 0`, which NaN also fails.
    pub fn relu(self) -> Value<'t> {
        let x = self.data();
        let (y, d) = if x <= 0.0 { (0.0, 0.0) } else { (x, 1.0) };
        self.unary(Op::Relu, y, d)
    }

    /// The logistic function σ(x) = 1/(1 + e⁻ˣ), with σ' = σ(1 − σ).
    pub fn sigmoid(self) -> Value<'t> {
        let s = 1.0 / (1.0 + (-self.data()).exp());
        self.unary(Op::Sigmoid, s, s * (1.0 - s))
    }
}
// ANCHOR_END: scalar-activations

// ANCHOR: scalar-printing
impl fmt::Display for Value<'_> {
    /// `Value(data=15, grad=0)`, as micrograd prints its values (and NaN
    /// and the infinities as Python spells them: `nan`, `inf`, `-inf`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.node();
        write!(f, "Value(data={}, grad={})", number(node.value), number(node.grad))
    }
}

/// A number as `Display` writes it, but NaN as `nan`, as in Python.
fn number(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        crate::print::python_non_finite(x)
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.node();
        write!(
            f,
            "Value {{ id: {}, op: {:?}, data: {}, grad: {} }}",
            self.id, node.op, node.value, node.grad
        )
    }
}
// ANCHOR_END: scalar-printing

// ANCHOR: operators-between-values
/// Implements `value ∘ value`, `value ∘ f64` and `f64 ∘ value` for an operator,
/// on owned values and on references.
macro_rules! binary_operator {
    ($Trait:ident, $method:ident, $impl_fn:ident) => {
        impl<'t> $Trait<Value<'t>> for Value<'t> {
            type Output = Value<'t>;
            fn $method(self, rhs: Value<'t>) -> Value<'t> {
                self.$impl_fn(rhs)
            }
        }
        impl<'t> $Trait<&Value<'t>> for &Value<'t> {
            type Output = Value<'t>;
            fn $method(self, rhs: &Value<'t>) -> Value<'t> {
                (*self).$impl_fn(*rhs)
            }
        }
        impl<'t> $Trait<&Value<'t>> for Value<'t> {
            type Output = Value<'t>;
            fn $method(self, rhs: &Value<'t>) -> Value<'t> {
                self.$impl_fn(*rhs)
            }
        }
        impl<'t> $Trait<Value<'t>> for &Value<'t> {
            type Output = Value<'t>;
            fn $method(self, rhs: Value<'t>) -> Value<'t> {
                (*self).$impl_fn(rhs)
            }
        }
        // ANCHOR_END: operators-between-values
        // ANCHOR: operators-with-numbers
        impl<'t> $Trait<f64> for Value<'t> {
            type Output = Value<'t>;
            fn $method(self, rhs: f64) -> Value<'t> {
                self.$impl_fn(self.tape.constant(rhs))
            }
        }
        impl<'t> $Trait<f64> for &Value<'t> {
            type Output = Value<'t>;
            fn $method(self, rhs: f64) -> Value<'t> {
                (*self).$impl_fn(self.tape.constant(rhs))
            }
        }
        impl<'t> $Trait<Value<'t>> for f64 {
            type Output = Value<'t>;
            fn $method(self, rhs: Value<'t>) -> Value<'t> {
                rhs.tape.constant(self).$impl_fn(rhs)
            }
        }
        impl<'t> $Trait<&Value<'t>> for f64 {
            type Output = Value<'t>;
            fn $method(self, rhs: &Value<'t>) -> Value<'t> {
                rhs.tape.constant(self).$impl_fn(*rhs)
            }
        }
    };
}

binary_operator!(Add, add, add_value);
binary_operator!(Sub, sub, sub_value);
binary_operator!(Mul, mul, mul_value);
binary_operator!(Div, div, div_value);
// ANCHOR_END: operators-with-numbers

// ANCHOR: operators-negation-assignment
impl<'t> Neg for Value<'t> {
    type Output = Value<'t>;
    fn neg(self) -> Value<'t> {
        self.neg_value()
    }
}

impl<'t> Neg for &Value<'t> {
    type Output = Value<'t>;
    fn neg(self) -> Value<'t> {
        (*self).neg_value()
    }
}

impl<'t> AddAssign<Value<'t>> for Value<'t> {
    fn add_assign(&mut self, rhs: Value<'t>) {
        *self = *self + rhs;
    }
}

impl<'t> SubAssign<Value<'t>> for Value<'t> {
    fn sub_assign(&mut self, rhs: Value<'t>) {
        *self = *self - rhs;
    }
}

impl<'t> MulAssign<Value<'t>> for Value<'t> {
    fn mul_assign(&mut self, rhs: Value<'t>) {
        *self = *self * rhs;
    }
}
// ANCHOR_END: operators-negation-assignment

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_is_small() {
        assert_eq!(std::mem::size_of::<Node>(), 48);
    }

    #[test]
    fn a_node_used_twice_gets_the_sum_of_its_paths() {
        let tape = Tape::new();
        let a = tape.var(3.0);
        let b = a + a; // b = 2a
        let c = b * b; // c = 4a², dc/da = 8a = 24
        c.backward();
        assert_eq!(a.grad(), 24.0);
        assert_eq!(b.grad(), 12.0);
    }

    #[test]
    fn repeated_backward_accumulates_and_zero_grad_resets() {
        let tape = Tape::new();
        let x = tape.var(2.0);
        let y = x * x * x; // dy/dx = 3x² = 12
        y.backward();
        y.backward();
        assert_eq!(x.grad(), 24.0);
        tape.zero_grad();
        assert_eq!(x.grad(), 0.0);
        y.backward();
        assert_eq!(x.grad(), 12.0);
    }

    #[test]
    fn unreached_nodes_keep_their_gradient() {
        let tape = Tape::new();
        let x = tape.var(1.0);
        let unrelated = tape.var(5.0);
        let _other = unrelated * 2.0;
        let y = x.exp();
        y.backward();
        assert_eq!(unrelated.grad(), 0.0);
        assert_eq!(x.grad(), 1f64.exp());
    }

    #[test]
    #[allow(clippy::op_ref)] // references are what this test is about
    fn operators_on_references_and_constants() {
        let tape = Tape::new();
        let x = tape.var(4.0);
        let y = &x * &x - 3.0 * x + 1.0 / &x - 2.0; // 16 - 12 + 0.25 - 2
        assert_eq!(y.data(), 2.25);
        y.backward();
        assert_eq!(x.grad(), 2.0 * 4.0 - 3.0 - 1.0 / 16.0);
    }

    #[test]
    #[should_panic(expected = "different tapes")]
    fn mixing_tapes_is_an_error() {
        let (t1, t2) = (Tape::new(), Tape::new());
        let _ = t1.var(1.0) + t2.var(2.0);
    }
}
