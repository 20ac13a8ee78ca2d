//! The tensor engine: n-dimensional arrays (f32 or f64) recorded on a tape.
//!
//! The design is the scalar engine's, grown up. A [`Graph`] is a tape of
//! nodes in creation order; a [`Tensor`] is a copyable handle into it. Each
//! operation (in [`ops`](self) — forward and backward rules side by side)
//! computes its value with `ndarray` and records a *backward closure*: given
//! the gradient of the output, it returns the gradient of each input.
//! Broadcasting is undone in one place, `shape::sum_to_shape`, so no
//! operation has to think about it.
//!
//! Backward is one reverse sweep over the tape from the output, exactly as in
//! the scalar engine: no recursion, no sorting, no hashing.
//!
//! # Semantics, compared with PyTorch
//!
//! - `backward()` needs a one-element output; otherwise use
//!   [`Tensor::backward_with`] and pass the upstream gradient (the vector of
//!   the vector-Jacobian product).
//! - Gradients accumulate into leaves that require them, across calls, until
//!   [`Graph::zero_grad`] or [`Tensor::zero_grad`]. A non-leaf keeps its
//!   gradient only after [`Tensor::retain_grad`].
//! - **Difference:** PyTorch frees a graph's saved values after one backward
//!   pass and refuses a second ("Trying to backward through the graph a second
//!   time"). Here the tape keeps every value until the graph is dropped, so
//!   the same graph can be backwarded again; gradients then accumulate. To
//!   free memory, drop the graph: a training loop builds a fresh graph each
//!   step, as PyTorch does implicitly.
//! - **Difference:** there are no in-place operations on tensors, so
//!   PyTorch's "modified by an inplace operation" error has no counterpart:
//!   a recorded value never changes. An array a leaf was made from and
//!   shares (an `ArcArray`) is copy-on-write, so changing it afterwards
//!   leaves the graph's value alone.
//! - **Difference:** comparisons return a 0/1 mask of the graph's float type
//!   (printed as `True`/`False`), not a separate bool dtype.
//! - **Difference:** among equal values `topk` picks the lower index first;
//!   PyTorch's CPU kernel does not promise an order (for `[1, 3, 3, 2, 3]`
//!   and k = 2 it returns indices `[2, 4]`, this engine `[1, 2]`). The
//!   gradient goes to whichever indices were returned.

// ANCHOR: tensor-module
// ANCHOR: module-dims
mod dims;
// ANCHOR_END: module-dims
// ANCHOR: module-higher
pub(crate) mod higher;
// ANCHOR_END: module-higher
// ANCHOR: module-init
mod init;
// ANCHOR_END: module-init
mod into_array;
// ANCHOR: module-ops
mod ops;
mod shape;
// ANCHOR_END: module-ops

// ANCHOR: import-cell
use std::cell::Cell;
// ANCHOR_END: import-cell
use std::cell::{Ref, RefCell, RefMut};
use std::fmt;
// ANCHOR: import-rc
use std::rc::Rc;
// ANCHOR_END: import-rc

use ndarray::{ArcArray, ArrayD, IxDyn};
// ANCHOR: import-views
use ndarray::ArrayViewD;
// ANCHOR_END: import-views

use crate::element::Element;
use crate::error::{Error, ErrorKind, Result};

// ANCHOR: module-dims-names
pub use dims::{Dim, Dims, NewShape};
// ANCHOR_END: module-dims-names
// ANCHOR: module-higher-names
pub use higher::{GradContext, GradOptions};
// ANCHOR_END: module-higher-names
pub use into_array::IntoArray;
// ANCHOR: reexport-operand
pub use ops::IntoOperand;
// ANCHOR_END: reexport-operand
// ANCHOR: reexport-exponent
pub use ops::Exponent;
// ANCHOR_END: reexport-exponent
// ANCHOR: reexport-real
pub use ops::Real;
// ANCHOR_END: reexport-real
// ANCHOR: reexport-indices
pub use ops::Indices;
// ANCHOR_END: reexport-indices
// ANCHOR: reexport-where
pub use ops::{try_where, where_};
// ANCHOR_END: reexport-where
// ANCHOR: reexport-cat-stack
pub use ops::{cat, stack, try_cat, try_stack};
// ANCHOR_END: reexport-cat-stack
// ANCHOR_END: tensor-module

// ANCHOR: shared-array
/// A node's value. Shared storage (a reference-counted array), so a leaf
/// made from a persistent array, or a `detach`, costs a count, not a copy.
pub type SharedArray<T> = ArcArray<T, IxDyn>;

/// The backward rule of one recorded operation: from the output's gradient
/// (in its [`BackwardContext`]), the gradient of each input. Results may
/// have the broadcast shape; the engine sums them back to each input's shape.
type BackwardFn<T> = Box<dyn Fn(&BackwardContext<'_, T>) -> Vec<InputGrad<T>>>;

// ANCHOR: hook-type
/// A gradient hook ([`Tensor::register_hook`]): sees a tensor's gradient, a
/// tensor of the graph, and may return another to use in its place. Shared,
/// so a backward pass can hold it while the hook records on the graph.
type Hook<T> = Rc<dyn for<'a> Fn(Tensor<'a, T>) -> Option<Tensor<'a, T>>>;
// ANCHOR_END: hook-type
// ANCHOR_END: shared-array

// ANCHOR: input-grad
/// What a backward rule gives one input of its operation.
pub enum InputGrad<T> {
    /// The input needs no gradient.
    None,
    /// The output's gradient, unchanged (addition): the engine passes the
    /// output's own gradient on, as it is.
    PassThrough,
    /// A gradient the rule computed. It may have the output's broadcast
    /// shape: the engine sums it back to the input's shape.
    Computed(ArrayD<T>),
}
// ANCHOR_END: input-grad

// ANCHOR: backward-context
/// What a backward rule may look at: the gradient arriving at the output,
/// the operation's inputs and output, and which inputs need a gradient.
pub struct BackwardContext<'a, T> {
    /// d(loss)/d(output), of the output's shape.
    pub grad_output: &'a ArrayD<T>,
    /// The value the operation computed.
    pub output: &'a SharedArray<T>,
    inputs: Vec<&'a SharedArray<T>>,
    needs: Vec<bool>,
}

impl<T> BackwardContext<'_, T> {
    /// The value of input `k`.
    pub fn input(&self, k: usize) -> &SharedArray<T> {
        self.inputs[k]
    }

    /// Whether input `k` needs a gradient (PyTorch's `ctx.needs_input_grad[k]`).
    pub fn needs_grad(&self, k: usize) -> bool {
        self.needs[k]
    }

    /// Input `k`'s gradient `f()`, computed only if that input needs one.
    pub fn gradient(&self, k: usize, f: impl FnOnce() -> ArrayD<T>) -> InputGrad<T> {
        if self.needs_grad(k) {
            InputGrad::Computed(f())
        } else {
            InputGrad::None
        }
    }

    /// Input `k` receives the output's gradient unchanged, if it needs one.
    pub fn pass_through(&self, k: usize) -> InputGrad<T> {
        if self.needs_grad(k) {
            InputGrad::PassThrough
        } else {
            InputGrad::None
        }
    }
}
// ANCHOR_END: backward-context

// ANCHOR: dtype
/// How the values of a node are meant to be read: its dtype, as PyTorch
/// would name it (the values are stored as the graph's float type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DType {
    Float,
    // ANCHOR: dtype-bool
    /// A 0/1 mask from a comparison: printed as `True`/`False`.
    Bool,
    // ANCHOR_END: dtype-bool
}
// ANCHOR_END: dtype

// ANCHOR: tensor-node
struct Recorded<T: Element> {
    /// PyTorch's name for the node's backward function, e.g. `MulBackward0`.
    name: &'static str,
    inputs: Vec<u32>,
    backward: BackwardFn<T>,
    // ANCHOR: node-recorded
    /// The same rule in tensor operations, for gradients that are recorded
    /// in turn ([`Tensor::gradients`]); `None` if the operation has none.
    recorded: Option<higher::RecordedFn<T>>,
    // ANCHOR_END: node-recorded
}

struct Node<T: Element> {
    value: SharedArray<T>,
    /// Accumulated gradient: kept for leaves that require it and for
    /// non-leaves after `retain_grad`.
    grad: Option<ArrayD<T>>,
    // ANCHOR: node-grad-tensor
    /// The leaf [`Tensor::grad`] made of `grad`, handed out again until
    /// `grad` changes: reading a gradient twice does not grow the tape.
    grad_tensor: Option<u32>,
    // ANCHOR_END: node-grad-tensor
    requires_grad: bool,
    retains_grad: bool,
    dtype: DType,
    /// `None` for a leaf.
    op: Option<Recorded<T>>,
    // ANCHOR: node-hooks
    /// Called, in order, with the node's gradient once it is complete;
    /// `None` where one was removed, so the others keep their handles.
    hooks: Vec<Option<Hook<T>>>,
    // ANCHOR_END: node-hooks
}
// ANCHOR_END: tensor-node

// ANCHOR: grad-mut
impl<T: Element> Node<T> {
    /// The gradient, to change it: the tensor made of the old one is
    /// forgotten (it keeps its value, as every recorded value does).
    fn grad_mut(&mut self) -> &mut Option<ArrayD<T>> {
        self.grad_tensor = None;
        &mut self.grad
    }
}
// ANCHOR_END: grad-mut

// ANCHOR: graph
/// A computation graph: the tape every [`Tensor`] of it is recorded on.
///
/// All tensors of one graph share its element type `T` (`f32` by default, as
/// in PyTorch). Dropping the graph frees every tensor at once.
///
/// ```
/// use autograd::Graph;
///
/// let g = Graph::<f64>::new();
/// let x = g.tensor([1.0, 5.0, 6.0]).requires_grad();
/// let y = (x * x).sum_all();
/// y.backward().unwrap();
/// assert_eq!(x.grad().unwrap().to_string(), "tensor([ 2., 10., 12.], dtype=f64)");
/// ```
pub struct Graph<T: Element = f32> {
    nodes: RefCell<Vec<Node<T>>>,
    // ANCHOR: graph-grad-enabled
    /// Whether operations are recorded (off inside [`Graph::no_grad`]).
    grad_enabled: Cell<bool>,
    // ANCHOR_END: graph-grad-enabled
}

impl<T: Element> Default for Graph<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Element> Graph<T> {
    /// An empty graph.
    pub fn new() -> Self {
        // ANCHOR: new-keep-freed-memory
        crate::heap::keep_freed_memory();
        // ANCHOR_END: new-keep-freed-memory
        Graph {
            nodes: RefCell::new(Vec::new()),
            // ANCHOR: new-grad-enabled
            grad_enabled: Cell::new(true),
            // ANCHOR_END: new-grad-enabled
        }
    }
}
// ANCHOR_END: graph

// ANCHOR: graph-tensor
impl<T: Element> Graph<T> {
    /// A leaf tensor holding `data` (an ndarray array, a `Vec`, a nested
    /// array such as `[[1.0, 2.0], [3.0, 4.0]]`, or a single number). It does
    /// not require gradients until [`Tensor::requires_grad`] says so.
    ///
    /// An [`ArcArray`] (or a reference to one) is shared, not copied: the
    /// cheap way to bring persistent parameters into a fresh graph each step.
    pub fn tensor(&self, data: impl IntoArray<T>) -> Tensor<'_, T> {
        self.leaf(data.into_shared(), DType::Float)
    }

    /// A 0-dimensional tensor.
    pub fn scalar(&self, x: T) -> Tensor<'_, T> {
        self.tensor(ndarray::arr0(x))
    }
}
// ANCHOR_END: graph-tensor

// ANCHOR: graph-constructors
impl<T: Element> Graph<T> {
    /// A tensor of zeros.
    pub fn zeros(&self, shape: &[usize]) -> Tensor<'_, T> {
        self.tensor(ArrayD::zeros(IxDyn(shape)))
    }

    /// A tensor of ones.
    pub fn ones(&self, shape: &[usize]) -> Tensor<'_, T> {
        self.tensor(ArrayD::ones(IxDyn(shape)))
    }

    /// A tensor of the given shape from its elements in row-major order.
    pub fn from_vec(&self, shape: &[usize], data: Vec<T>) -> Result<Tensor<'_, T>> {
        let n = data.len();
        ArrayD::from_shape_vec(IxDyn(shape), data)
            .map(|a| self.tensor(a))
            .map_err(|_| {
                Error::new(
                    ErrorKind::Shape,
                    format!("shape {shape:?} is invalid for input of size {n}"),
                )
            })
    }
}
// ANCHOR_END: graph-constructors

// ANCHOR: no-grad
impl<T: Element> Graph<T> {
    /// Runs `f` with recording switched off (PyTorch's `torch.no_grad()`):
    /// tensors computed inside are leaves that do not require gradients.
    pub fn no_grad<R>(&self, f: impl FnOnce() -> R) -> R {
        let previous = self.grad_enabled.replace(false);
        // Restore on unwind as well, so a panic inside cannot leave it off.
        struct Restore<'a>(&'a Cell<bool>, bool);
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                self.0.set(self.1);
            }
        }
        let _restore = Restore(&self.grad_enabled, previous);
        f()
    }

    /// Whether operations are being recorded (false inside [`Graph::no_grad`]).
    pub fn is_grad_enabled(&self) -> bool {
        self.grad_enabled.get()
    }
}
// ANCHOR_END: no-grad

// ANCHOR: graph-zero-grad
impl<T: Element> Graph<T> {
    /// Clears the gradient of every tensor of the graph.
    pub fn zero_grad(&self) {
        for node in self.nodes_mut("zero_grad").iter_mut() {
            *node.grad_mut() = None;
        }
    }
}
// ANCHOR_END: graph-zero-grad

// ANCHOR: graph-len
impl<T: Element> Graph<T> {
    /// How many nodes the graph holds.
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    /// Whether the graph holds no node.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
// ANCHOR_END: graph-len

// ANCHOR: nodes-mut
impl<T: Element> Graph<T> {
    /// The tape, to change it. A `value()` still held keeps it borrowed:
    /// the message names what was being done, where the standard library
    /// would only say "already borrowed".
    fn nodes_mut(&self, what: &str) -> RefMut<'_, Vec<Node<T>>> {
        self.nodes.try_borrow_mut().unwrap_or_else(|_| {
            panic!(
                "{what}: the graph is in use: a `value()` of one of its tensors is still held; \
                 drop it, or copy the values out with `to_array()`, first"
            )
        })
    }
}
// ANCHOR_END: nodes-mut

// ANCHOR: leaf-push
impl<T: Element> Graph<T> {
    fn leaf(&self, value: SharedArray<T>, dtype: DType) -> Tensor<'_, T> {
        self.push(Node {
            value,
            grad: None,
            // ANCHOR: leaf-grad-tensor
            grad_tensor: None,
            // ANCHOR_END: leaf-grad-tensor
            requires_grad: false,
            retains_grad: false,
            dtype,
            op: None,
            // ANCHOR: leaf-hooks
            hooks: Vec::new(),
            // ANCHOR_END: leaf-hooks
        })
    }

    fn push(&self, node: Node<T>) -> Tensor<'_, T> {
        let what = node.op.as_ref().map_or("a new tensor", |op| op.name);
        let mut nodes = self.nodes_mut(what);
        let id = u32::try_from(nodes.len()).expect("a graph holds at most 2^32 nodes");
        nodes.push(node);
        Tensor { graph: self, id }
    }
}
// ANCHOR_END: leaf-push

// ANCHOR: record
impl<T: Element> Graph<T> {
    /// Records an operation: its `name` (shown as the result's `grad_fn`
    /// and in graph pictures), its `inputs`, the `value` it computed from
    /// them, and its `backward` rule, which, given the gradient of the
    /// output, returns one [`InputGrad`] per input.
    // ANCHOR: record-doc
    ///
    /// Every operation of the engine is recorded this way, and so is one of
    /// your own: this is the counterpart of PyTorch's
    /// `torch.autograd.Function`.
    ///
    /// If no input requires gradients, or recording is off
    /// ([`Graph::no_grad`]), the result is a plain leaf and `backward` is
    /// dropped unused.
    ///
    /// ```
    /// use autograd::Graph;
    ///
    /// // softplus(x) = ln(1 + eˣ), whose derivative is the logistic σ(x).
    /// let g = Graph::<f64>::new();
    /// let x = g.tensor([-1.0, 0.0, 2.0]).requires_grad();
    /// let value = x.value().mapv(|v| v.exp().ln_1p());
    /// let y = g.record("SoftplusBackward0", &[x], value, |ctx| {
    ///     let sigmoid = ctx.input(0).mapv(|v| 1.0 / (1.0 + (-v).exp()));
    ///     vec![ctx.gradient(0, || ctx.grad_output * &sigmoid)]
    /// });
    /// assert_eq!(y.grad_fn(), Some("SoftplusBackward0"));
    /// y.sum_all().backward().unwrap();
    /// assert_eq!(x.grad().unwrap().to_string(), "tensor([0.2689, 0.5000, 0.8808], dtype=f64)");
    /// ```
    ///
    /// # Panics
    ///
    /// If an input belongs to another graph. When the graph is backwarded,
    /// if `backward` returns another number of gradients than the operation
    /// has inputs, or a gradient whose shape does not sum down to its input's.
    // ANCHOR_END: record-doc
    pub fn record<'g>(
        &'g self,
        name: &'static str,
        inputs: &[Tensor<'g, T>],
        value: ArrayD<T>,
        backward: impl Fn(&BackwardContext<'_, T>) -> Vec<InputGrad<T>> + 'static,
    ) -> Tensor<'g, T> {
        if let Some(k) = inputs.iter().position(|t| !std::ptr::eq(t.graph, self)) {
            panic!("{name}: input {k} belongs to another graph");
        }
        let tracked = inputs.iter().any(|t| t.tracks_grad());
        // ANCHOR: record-no-grad
        let tracked = tracked && self.is_grad_enabled();
        // ANCHOR_END: record-no-grad
        if !tracked {
            return self.leaf(value.into_shared(), DType::Float);
        }
        self.push(Node {
            value: value.into_shared(),
            grad: None,
            // ANCHOR: record-grad-tensor
            grad_tensor: None,
            // ANCHOR_END: record-grad-tensor
            requires_grad: true,
            retains_grad: false,
            dtype: DType::Float,
            op: Some(Recorded {
                name,
                inputs: inputs.iter().map(|t| t.id).collect(),
                backward: Box::new(backward),
                // ANCHOR: record-recorded
                recorded: None,
                // ANCHOR_END: record-recorded
            }),
            // ANCHOR: record-hooks
            hooks: Vec::new(),
            // ANCHOR_END: record-hooks
        })
    }
}
// ANCHOR_END: record

// ANCHOR: backpropagate
impl<T: Element> Graph<T> {
    /// Backpropagates `seed` (d loss/d root) from `root` down the tape.
    fn backpropagate(&self, root: u32, seed: ArrayD<T>) {
        let mut guard = self.nodes_mut("backward");
        let root = root as usize;
        let mut adjoint: Vec<Option<ArrayD<T>>> = (0..=root).map(|_| None).collect();
        adjoint[root] = Some(seed);
        for id in (0..=root).rev() {
            let Some(grad) = adjoint[id].take() else { continue };
            // ANCHOR: backward-hooks
            let grad = if guard[id].hooks.is_empty() {
                grad
            } else {
                // A hook computes with tensors of the graph: let go of the
                // tape while it runs. Nothing it computes is recorded.
                drop(guard);
                let hooked = self.no_grad(|| run_hooks(self, id, self.tensor(grad)).to_array());
                guard = self.nodes_mut("backward");
                hooked
            };
            // ANCHOR_END: backward-hooks
            let nodes: &mut Vec<Node<T>> = &mut guard;
            let node = &mut nodes[id];
            if node.op.is_none() {
                // A leaf that requires grad: the gradient ends here.
                accumulate(node.grad_mut(), grad);
                continue;
            }
            if node.retains_grad {
                accumulate(node.grad_mut(), grad.clone());
            }
            let node = &nodes[id];
            let op = node.op.as_ref().expect("checked above");
            let input_grads = (op.backward)(&BackwardContext {
                grad_output: &grad,
                inputs: op.inputs.iter().map(|&i| &nodes[i as usize].value).collect(),
                output: &node.value,
                needs: op.inputs.iter().map(|&i| nodes[i as usize].requires_grad).collect(),
            });
            assert!(
                input_grads.len() == op.inputs.len(),
                "{}: its backward returned {} gradient(s) for {} input(s)",
                op.name,
                input_grads.len(),
                op.inputs.len()
            );
            let shape_of = |k: usize| nodes[op.inputs[k] as usize].value.shape();
            // ANCHOR_END: backpropagate
            // ANCHOR: backward-inputs
            // One input that takes the upstream gradient unchanged, at its
            // full shape, is given the array itself, after the others have
            // read it (as a view, summed down to their shape if broadcast).
            let takes_the_array = (0..op.inputs.len())
                .find(|&k| matches!(input_grads[k], InputGrad::PassThrough) && shape_of(k) == grad.shape());
            for (k, input_grad) in input_grads.into_iter().enumerate() {
                let slot = &mut adjoint[op.inputs[k] as usize];
                match input_grad {
                    InputGrad::None => {}
                    InputGrad::Computed(g) => {
                        let g = shape::sum_to_shape(g, shape_of(k));
                        assert!(
                            g.shape() == shape_of(k),
                            "{}: its backward returned a gradient of shape {:?} for input {k}, of shape {:?}",
                            op.name,
                            g.shape(),
                            shape_of(k)
                        );
                        accumulate(slot, g);
                    }
                    InputGrad::PassThrough if Some(k) == takes_the_array => {}
                    InputGrad::PassThrough => accumulate_view(slot, grad.view(), shape_of(k)),
                }
            }
            if let Some(k) = takes_the_array {
                accumulate(&mut adjoint[op.inputs[k] as usize], grad);
            }
        }
    }
}
// ANCHOR_END: backward-inputs

// ANCHOR: run-hooks
/// Node `id`'s complete gradient passed through its hooks, in the order
/// they were registered; each may replace it with a tensor of the same
/// shape. What a hook computes is recorded as any computation is, so under
/// [`Tensor::gradients`] its derivative flows.
fn run_hooks<'g, T: Element>(graph: &'g Graph<T>, id: usize, mut grad: Tensor<'g, T>) -> Tensor<'g, T> {
    let hooks: Vec<Hook<T>> = graph.nodes.borrow()[id].hooks.iter().flatten().cloned().collect();
    for hook in hooks {
        if let Some(replacement) = hook(grad) {
            assert!(
                std::ptr::eq(replacement.graph, graph),
                "a hook returned a tensor of another graph"
            );
            assert!(
                replacement.shape() == grad.shape(),
                "a hook returned a gradient of shape {:?} for a gradient of shape {:?}",
                replacement.shape(),
                grad.shape()
            );
            grad = replacement;
        }
    }
    grad
}

/// A hook registered on a tensor ([`Tensor::register_hook`]), to remove it.
pub struct HookHandle<'g, T: Element> {
    tensor: Tensor<'g, T>,
    index: usize,
}

impl<T: Element> HookHandle<'_, T> {
    /// Removes the hook: later backward passes no longer call it (PyTorch's
    /// `handle.remove()`).
    pub fn remove(self) {
        let Tensor { graph, id } = self.tensor;
        graph.nodes_mut("remove")[id as usize].hooks[self.index] = None;
    }
}
// ANCHOR_END: run-hooks

// ANCHOR: accumulate
/// Adds `grad` into an optional accumulator, moving it in when empty.
fn accumulate<T: Element>(slot: &mut Option<ArrayD<T>>, grad: ArrayD<T>) {
    match slot {
        Some(sum) => *sum += &grad,
        None => *slot = Some(grad),
    }
}
// ANCHOR_END: accumulate

// ANCHOR: accumulate-view
/// Adds a borrowed gradient, summed down to `shape`, into an accumulator:
/// it is copied only when it must be kept as is.
fn accumulate_view<T: Element>(slot: &mut Option<ArrayD<T>>, grad: ArrayViewD<'_, T>, shape: &[usize]) {
    match slot {
        Some(sum) if grad.shape() == shape => *sum += &grad,
        None if grad.shape() == shape => *slot = Some(grad.to_owned()),
        _ => accumulate(slot, shape::reduce_to_shape(grad, shape)),
    }
}
// ANCHOR_END: accumulate-view

// ANCHOR: tensor-handle
/// A tensor: a copyable handle to a node of a [`Graph`].
///
/// Arithmetic operators work on tensors, on references to them and with
/// plain numbers on either side; each panics with a message naming the
/// operation and the shapes when they do not fit, and has a `try_` twin that
/// returns the [`Error`] instead.
#[derive(Clone, Copy)]
pub struct Tensor<'g, T: Element = f32> {
    graph: &'g Graph<T>,
    id: u32,
}

impl<'g, T: Element> Tensor<'g, T> {
    /// The graph this tensor lives on.
    pub fn graph(self) -> &'g Graph<T> {
        self.graph
    }

    /// The tensor's data, borrowed from the graph.
    pub fn value(self) -> Ref<'g, SharedArray<T>> {
        Ref::map(self.graph.nodes.borrow(), |nodes| &nodes[self.id as usize].value)
    }

    /// A copy of the tensor's data.
    pub fn to_array(self) -> ArrayD<T> {
        self.value().to_owned()
    }
    // ANCHOR_END: tensor-handle

    // ANCHOR: tensor-shape
    /// The tensor's elements in row-major order, as `t.flatten().tolist()`.
    pub fn to_vec(self) -> Vec<T> {
        self.value().iter().copied().collect()
    }

    /// The only element of a one-element tensor.
    ///
    /// # Panics
    /// If the tensor has more or fewer than one element.
    pub fn item(self) -> T {
        let value = self.value();
        assert!(
            value.len() == 1,
            "a Tensor with {} elements cannot be converted to Scalar",
            value.len()
        );
        *value.iter().next().expect("one element")
    }

    /// The size of each dimension.
    pub fn shape(self) -> Vec<usize> {
        self.value().shape().to_vec()
    }

    /// The number of dimensions.
    pub fn ndim(self) -> usize {
        self.value().ndim()
    }

    /// The number of elements.
    pub fn numel(self) -> usize {
        self.value().len()
    }
    // ANCHOR_END: tensor-shape

    // ANCHOR: requires-grad
    /// Marks a leaf as requiring gradients (PyTorch's `requires_grad=True`).
    ///
    /// # Panics
    /// On a non-leaf (its flag follows from its inputs) or on a mask.
    pub fn requires_grad(self) -> Self {
        let mut nodes = self.graph.nodes_mut("requires_grad");
        let node = &mut nodes[self.id as usize];
        assert!(
            node.op.is_none(),
            "you can only change requires_grad flags of leaf variables"
        );
        // ANCHOR: requires-grad-float
        assert!(
            node.dtype == DType::Float,
            "only tensors of floating point dtype can require gradients"
        );
        // ANCHOR_END: requires-grad-float
        node.requires_grad = true;
        self
    }

    /// Whether gradients flow to this tensor (PyTorch's `requires_grad` attribute).
    pub fn tracks_grad(self) -> bool {
        self.graph.nodes.borrow()[self.id as usize].requires_grad
    }

    /// Whether the tensor is a leaf: created directly, not computed by a
    /// recorded operation.
    pub fn is_leaf(self) -> bool {
        self.graph.nodes.borrow()[self.id as usize].op.is_none()
    }

    /// The name of the operation that computed this tensor (PyTorch's
    /// `grad_fn`), such as `"MulBackward0"`; `None` for a leaf.
    pub fn grad_fn(self) -> Option<&'static str> {
        self.graph.nodes.borrow()[self.id as usize]
            .op
            .as_ref()
            .map(|op| op.name)
    }
}
// ANCHOR_END: requires-grad

// ANCHOR: register-hook
impl<'g, T: Element> Tensor<'g, T> {
    /// Registers `hook` to see this tensor's gradient, as a tensor, in
    /// every backward pass that reaches it, once it is complete (every use
    /// of the tensor has sent its part), before it goes on to the tensor's
    /// inputs or into its `.grad`. Returning `Some(g)` replaces the gradient
    /// with `g` (of the same shape): clipping, say; `None` keeps it.
    /// PyTorch's `register_hook`: in [`gradients`](Tensor::gradients) the
    /// hook's computation is recorded, so its derivative flows into second
    /// derivatives; in [`backward`](Tensor::backward) nothing it does is.
    /// The handle removes it.
    ///
    /// # Panics
    /// On a tensor that does not require gradients (nothing would reach it).
    pub fn register_hook(
        self,
        hook: impl for<'a> Fn(Tensor<'a, T>) -> Option<Tensor<'a, T>> + 'static,
    ) -> HookHandle<'g, T> {
        let mut nodes = self.graph.nodes_mut("register_hook");
        let node = &mut nodes[self.id as usize];
        assert!(
            node.requires_grad,
            "cannot register a hook on a tensor that doesn't require gradient"
        );
        node.hooks.push(Some(Rc::new(hook)));
        HookHandle {
            tensor: self,
            index: node.hooks.len() - 1,
        }
    }
}
// ANCHOR_END: register-hook

// ANCHOR: retain-grad
impl<'g, T: Element> Tensor<'g, T> {
    /// Asks a non-leaf to keep its gradient after `backward` (leaves always do).
    ///
    /// # Panics
    /// On a tensor that does not require gradients.
    pub fn retain_grad(self) -> Self {
        let mut nodes = self.graph.nodes_mut("retain_grad");
        let node = &mut nodes[self.id as usize];
        assert!(
            node.requires_grad,
            "can't retain_grad on Tensor that has requires_grad=False"
        );
        if node.op.is_some() {
            node.retains_grad = true;
        }
        self
    }
}
// ANCHOR_END: retain-grad

// ANCHOR: grad
impl<'g, T: Element> Tensor<'g, T> {
    /// The accumulated gradient as a tensor of the same graph (a leaf), or
    /// `None` if no gradient has reached this tensor (or it is a non-leaf
    /// without [`retain_grad`](Tensor::retain_grad)). Reading it again
    /// returns the same tensor until the gradient changes, so a loop that
    /// reads gradients adds one node per backward pass, not one per read.
    pub fn grad(self) -> Option<Tensor<'g, T>> {
        let made = self.graph.nodes.borrow()[self.id as usize].grad_tensor;
        if let Some(id) = made {
            return Some(Tensor { graph: self.graph, id });
        }
        let tensor = self.graph.leaf(self.grad_array()?.into_shared(), DType::Float);
        self.graph.nodes_mut("grad")[self.id as usize].grad_tensor = Some(tensor.id);
        Some(tensor)
    }
    // ANCHOR_END: grad

    // ANCHOR: grad-array
    /// The accumulated gradient as an array (a copy).
    pub fn grad_array(self) -> Option<ArrayD<T>> {
        self.graph.nodes.borrow()[self.id as usize].grad.clone()
    }
}
// ANCHOR_END: grad-array

// ANCHOR: take-grad
impl<'g, T: Element> Tensor<'g, T> {
    /// Moves the accumulated gradient out, leaving none: reading and zeroing
    /// in one step, without a copy (what an optimizer step wants).
    pub fn take_grad(self) -> Option<ArrayD<T>> {
        self.graph.nodes_mut("take_grad")[self.id as usize].grad_mut().take()
    }
}
// ANCHOR_END: take-grad

// ANCHOR: tensor-zero-grad
impl<'g, T: Element> Tensor<'g, T> {
    /// Clears this tensor's gradient (PyTorch's `x.grad = None`).
    pub fn zero_grad(self) {
        *self.graph.nodes_mut("zero_grad")[self.id as usize].grad_mut() = None;
    }
}
// ANCHOR_END: tensor-zero-grad

// ANCHOR: detach
impl<'g, T: Element> Tensor<'g, T> {
    /// A new leaf with the same data that does not require gradients: the
    /// gradient stops here.
    pub fn detach(self) -> Self {
        let (value, dtype) = {
            let nodes = self.graph.nodes.borrow();
            let node = &nodes[self.id as usize];
            (node.value.clone(), node.dtype)
        };
        self.graph.leaf(value, dtype)
    }
}
// ANCHOR_END: detach

// ANCHOR: tensor-backward
impl<'g, T: Element> Tensor<'g, T> {
    /// Backpropagates from a one-element tensor, accumulating d(self)/d(leaf)
    /// into every leaf that requires gradients.
    ///
    /// # Errors
    /// [`ErrorKind::NonScalarBackward`] if the tensor has more than one
    /// element (use [`backward_with`](Tensor::backward_with)), and
    /// [`ErrorKind::NoGrad`] if it does not require gradients.
    pub fn backward(self) -> Result<()> {
        // PyTorch checks for a gradient first, then for the shape.
        self.check_requires_grad()?;
        let shape = self.shape();
        if self.numel() != 1 {
            return Err(Error::new(
                ErrorKind::NonScalarBackward,
                format!(
                    "grad can be implicitly created only for scalar outputs \
                     (this output has shape {shape:?}: pass an upstream gradient of that shape to backward_with)"
                ),
            ));
        }
        self.graph.backpropagate(self.id, ArrayD::ones(IxDyn(&shape)));
        Ok(())
    }
}
// ANCHOR_END: tensor-backward

// ANCHOR: backward-with
impl<'g, T: Element> Tensor<'g, T> {
    /// Backpropagates with an upstream gradient d(loss)/d(self) of this
    /// tensor's shape: computes the vector-Jacobian product `upstream · J`
    /// and accumulates it into the leaves.
    ///
    /// # Errors
    /// [`ErrorKind::UpstreamShape`] if `upstream` has another shape,
    /// [`ErrorKind::NoGrad`] if `self` does not require gradients.
    pub fn backward_with(self, upstream: Tensor<'g, T>) -> Result<()> {
        self.same_graph("backward_with", upstream)?;
        let (shape, upstream_shape) = (self.shape(), upstream.shape());
        if shape != upstream_shape {
            return Err(Error::new(
                ErrorKind::UpstreamShape,
                format!(
                    "Mismatch in shape: upstream gradient has a shape of {upstream_shape:?} \
                     and output has a shape of {shape:?}"
                ),
            ));
        }
        self.check_requires_grad()?;
        let seed = upstream.to_array();
        self.graph.backpropagate(self.id, seed);
        Ok(())
    }
}
// ANCHOR_END: backward-with

// ANCHOR: tensor-to-dot
impl<'g, T: Element> Tensor<'g, T> {
    /// The computation graph that produced this tensor, in Graphviz DOT.
    pub fn to_dot(self) -> String {
        let nodes = self.graph.nodes.borrow();
        let inputs_of = |id: u32| {
            let op = nodes[id as usize].op.as_ref();
            op.map(|op| op.inputs.clone()).unwrap_or_default()
        };
        let pictured: Vec<crate::dot::DotNode> = crate::dot::reachable(self.id, inputs_of)
            .into_iter()
            .map(|id| {
                let node = &nodes[id as usize];
                let mut cells = vec![
                    node.op.as_ref().map_or("leaf", |op| op.name).to_string(),
                    format!("shape {:?}", node.value.shape()),
                    summarize(node.value.view()),
                ];
                cells.extend(node.grad.as_ref().map(|g| format!("grad {}", summarize(g.view()))));
                let fill = match (&node.op, node.requires_grad) {
                    (Some(_), _) => None,
                    (None, true) => Some(crate::dot::PARAMETER_FILL),
                    (None, false) => Some(crate::dot::CONSTANT_FILL),
                };
                crate::dot::DotNode {
                    id,
                    cells,
                    fill,
                    inputs: inputs_of(id),
                }
            })
            .collect();
        crate::dot::graph(&pictured)
    }
}
// ANCHOR_END: tensor-to-dot

// ANCHOR: tensor-checks
impl<'g, T: Element> Tensor<'g, T> {
    fn check_requires_grad(self) -> Result<()> {
        if self.tracks_grad() {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::NoGrad,
                "element 0 of tensors does not require grad and does not have a grad_fn",
            ))
        }
    }

    fn same_graph(self, op: &str, other: Tensor<'g, T>) -> Result<()> {
        if std::ptr::eq(self.graph, other.graph) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Invalid,
                format!("{op}: the tensors belong to different graphs"),
            ))
        }
    }
}
// ANCHOR_END: tensor-checks

// ANCHOR: tensor-summary
/// A one-line rendering of a value for graph pictures: the numbers when
/// there are at most four, otherwise just the shape's element count.
fn summarize<T: Element>(a: ArrayViewD<'_, T>) -> String {
    if a.len() <= 4 {
        let items: Vec<String> = a.iter().map(|x| crate::dot::short_number(x.as_f64())).collect();
        if a.ndim() == 0 {
            items.join("")
        } else {
            format!("[{}]", items.join(", "))
        }
    } else {
        format!("{} values", a.len())
    }
}
// ANCHOR_END: tensor-summary

// ANCHOR: tensor-printing
impl<T: Element> fmt::Display for Tensor<'_, T> {
    /// Prints as PyTorch does: `tensor([ 2., 10., 12.], dtype=f64)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nodes = self.graph.nodes.borrow();
        let node = &nodes[self.id as usize];
        let mut suffixes = Vec::new();
        match &node.op {
            Some(op) => suffixes.push(format!("grad_fn=<{}>", op.name)),
            None if node.requires_grad => suffixes.push("requires_grad=True".to_string()),
            None => {}
        }
        let text = match node.dtype {
            DType::Float => crate::print::format_tensor(node.value.view(), &suffixes),
            // ANCHOR: display-bool
            DType::Bool => crate::print::format_bool_tensor(node.value.map(|&x| x != T::zero()).view()),
            // ANCHOR_END: display-bool
        };
        f.write_str(&text)
    }
}

impl<T: Element> fmt::Debug for Tensor<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
// ANCHOR_END: tensor-printing
