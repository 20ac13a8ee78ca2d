//! Tensor printing that reads exactly like PyTorch's `repr` under its default
//! print options, so that the book's outputs can be compared with PyTorch's
//! character for character. The only deliberate difference is the dtype name:
//! `dtype=f64` where PyTorch writes `dtype=torch.float64`.
//!
//! Printing happens in two passes, as in PyTorch: first a style (notation and
//! column width) is chosen from the values that will be shown, then the nested
//! brackets are laid out with every element right-aligned to that width.

// ANCHOR: print-float
use ndarray::{ArrayViewD, Axis};

use crate::Element;

/// Digits after the decimal point (PyTorch's `precision`).
const PRECISION: usize = 4;
/// Tensors with more elements than this are summarized with `...`.
const THRESHOLD: usize = 1000;
/// Items kept at each end of a summarized dimension.
const EDGE_ITEMS: usize = 3;
/// Target line width for wrapping long rows and suffixes.
const LINE_WIDTH: usize = 80;
/// Every repr starts with this; nested rows are indented past it.
const PREFIX: &str = "tensor(";

/// Formats float data as PyTorch prints a tensor: `tensor(<data>[, <suffixes>])`.
/// `suffixes` are already-formatted extras such as "requires_grad=True" or "grad_fn=<MulBackward0>";
/// the function itself adds "dtype=f64" first when T is not the default dtype.
pub(crate) fn format_tensor<T: Element>(data: ndarray::ArrayViewD<'_, T>, suffixes: &[String]) -> String {
    let style = FloatStyle::choose(shown_values(&data).into_iter().map(T::as_f64));
    let dtype = (!T::IS_DEFAULT).then_some(T::DTYPE);
    render(data, style.width, |x| style.spell(x.as_f64()), dtype, suffixes)
}
// ANCHOR_END: print-float

// ANCHOR: print-index
/// Formats integer data (for example topk's indices) as PyTorch prints an int64 tensor: `tensor([2, 0, 4])`.
pub(crate) fn format_index_tensor(data: ndarray::ArrayViewD<'_, usize>) -> String {
    // PyTorch names int64 and bool only when there is no element to show the type.
    let dtype = data.is_empty().then_some("i64");
    let width = plain_width(&data, |i| i.to_string());
    render(data, width, |i| i.to_string(), dtype, &[])
}
// ANCHOR_END: print-index

// ANCHOR: print-bool
/// Formats boolean data as PyTorch prints a bool tensor: `tensor([ True,  True, False])`.
pub(crate) fn format_bool_tensor(data: ndarray::ArrayViewD<'_, bool>) -> String {
    let dtype = data.is_empty().then_some("bool");
    let width = plain_width(&data, python_bool);
    render(data, width, python_bool, dtype, &[])
}

/// `True` / `False`, as Python spells them.
fn python_bool(b: bool) -> String {
    String::from(if b { "True" } else { "False" })
}
// ANCHOR_END: print-bool

// ANCHOR: print-float-style
/// How PyTorch writes every number of one float tensor.
#[derive(Debug, Clone, Copy)]
enum Notation {
    /// All finite values are whole numbers: `2.`, `-36.`.
    Integer,
    /// Fixed point with `PRECISION` decimals: `0.7853`.
    Fixed,
    /// Scientific, Python style: `5.9605e-08`.
    Scientific,
}

/// The notation and column width chosen once for a whole float tensor.
struct FloatStyle {
    notation: Notation,
    width: usize,
}

impl FloatStyle {
    /// Chooses the style from the values that will be shown. Zeros and
    /// non-finite values take no part: they neither pick the notation nor
    /// widen the columns (so `nan` may stick out, as in PyTorch).
    fn choose(values: impl IntoIterator<Item = f64>) -> Self {
        let significant: Vec<f64> = values.into_iter().filter(|x| x.is_finite() && *x != 0.0).collect();
        if significant.is_empty() {
            return FloatStyle {
                notation: Notation::Integer,
                width: 1,
            };
        }
        let abs = significant.iter().map(|x| x.abs());
        let min = abs.clone().fold(f64::INFINITY, f64::min);
        let max = abs.fold(0.0, f64::max);
        let integral = significant.iter().all(|x| x.ceil() == *x);
        let scientific = max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4;
        let notation = match (scientific, integral) {
            (true, _) => Notation::Scientific,
            (false, true) => Notation::Integer,
            (false, false) => Notation::Fixed,
        };
        let style = FloatStyle { notation, width: 1 };
        let width = significant.iter().map(|&x| style.spell(x).len()).fold(1, usize::max);
        FloatStyle { width, ..style }
    }

    /// The text of one number, before alignment.
    fn spell(&self, x: f64) -> String {
        if !x.is_finite() {
            return python_non_finite(x);
        }
        match self.notation {
            Notation::Integer => format!("{x:.0}."),
            Notation::Fixed => format!("{x:.PRECISION$}"),
            Notation::Scientific => python_exponent(&format!("{x:.PRECISION$e}")),
        }
    }
}
// ANCHOR_END: print-float-style

// ANCHOR: python-non-finite
/// NaN and the infinities as Python and PyTorch spell them: `nan`, `inf`,
/// `-inf` (Rust writes `NaN`).
pub(crate) fn python_non_finite(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}
// ANCHOR_END: python-non-finite

// ANCHOR: print-layout
/// Rewrites Rust's exponent (`e5`, `e-8`) the way Python writes it (`e+05`, `e-08`).
fn python_exponent(rust: &str) -> String {
    let (mantissa, exponent) = rust.split_once('e').expect("`{:e}` output has an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` exponent is an integer");
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

// ANCHOR: print-plain-width
/// The column width for types whose text needs no style choice: the longest shown element.
fn plain_width<T: Copy>(data: &ArrayViewD<'_, T>, spell: impl Fn(T) -> String) -> usize {
    shown_values(data)
        .into_iter()
        .map(|x| spell(x).len())
        .fold(1, usize::max)
}
// ANCHOR_END: print-plain-width

/// Whether a tensor of `len` elements is printed with `...` in place of its middle.
fn is_summarized(len: usize) -> bool {
    len > THRESHOLD
}

/// The indices printed along an axis of length `len`, `None` standing where `...` goes.
fn shown_indices(len: usize, summarize: bool) -> Vec<Option<usize>> {
    if summarize && len > 2 * EDGE_ITEMS {
        let head = (0..EDGE_ITEMS).map(Some);
        let tail = (len - EDGE_ITEMS..len).map(Some);
        head.chain([None]).chain(tail).collect()
    } else {
        (0..len).map(Some).collect()
    }
}

/// The elements that will appear in print, in order. PyTorch chooses the
/// style from these alone, so hidden elements cannot change the look.
fn shown_values<T: Copy>(data: &ArrayViewD<'_, T>) -> Vec<T> {
    fn collect<T: Copy>(view: ArrayViewD<'_, T>, summarize: bool, out: &mut Vec<T>) {
        if view.ndim() == 0 {
            out.push(view[[]]);
            return;
        }
        for i in shown_indices(view.len_of(Axis(0)), summarize).into_iter().flatten() {
            collect(view.index_axis(Axis(0), i), summarize, out);
        }
    }
    let mut out = Vec::new();
    collect(data.view(), is_summarized(data.len()), &mut out);
    out
}

/// Lays out `tensor(...)` with its suffixes; shared by every element type.
/// `spell` gives an element's text, which is right-aligned to `width`.
/// `dtype` is the name to show, if any.
fn render<T: Copy>(
    data: ArrayViewD<'_, T>,
    width: usize,
    spell: impl Fn(T) -> String,
    dtype: Option<&str>,
    suffixes: &[String],
) -> String {
    let mut extras = Vec::with_capacity(suffixes.len() + 2);
    let body = if data.is_empty() {
        // A plain `[]` would hide the shape, so it is spelled out unless it is `(0,)`.
        if data.ndim() != 1 {
            extras.push(Suffix::plain(format!("size={}", python_tuple(data.shape()))));
        }
        String::from("[]")
    } else {
        let layout = Layout {
            summarize: is_summarized(data.len()),
            width,
            spell,
        };
        let mut body = String::new();
        layout.write(data, PREFIX.len(), &mut body);
        body
    };
    extras.extend(dtype.map(Suffix::dtype));
    extras.extend(suffixes.iter().cloned().map(Suffix::plain));
    with_suffixes(format!("{PREFIX}{body}"), &extras)
}

/// An item after the data, such as `dtype=f64` or `requires_grad=True`.
struct Suffix {
    text: String,
    /// The length PyTorch's spelling has, which decides where lines break:
    /// `dtype=f64` breaks where `dtype=torch.float64` would, keeping the
    /// shape of every output identical to PyTorch's.
    torch_len: usize,
}

impl Suffix {
    fn plain(text: String) -> Self {
        Suffix {
            torch_len: text.len(),
            text,
        }
    }

    fn dtype(name: &str) -> Self {
        let torch_name = match name {
            "f32" => "float32",
            "f64" => "float64",
            "i64" => "int64",
            other => other,
        };
        Suffix {
            text: format!("dtype={name}"),
            torch_len: "dtype=torch.".len() + torch_name.len(),
        }
    }
}

/// Writes a shape as Python prints a tuple: `(2, 0)`, `(0,)`.
fn python_tuple(shape: &[usize]) -> String {
    match shape {
        [single] => format!("({single},)"),
        _ => {
            let items: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", items.join(", "))
        }
    }
}

/// Appends `, suffix` items and the closing parenthesis, starting a new line
/// (indented under the data) before a suffix that would pass the line width.
fn with_suffixes(mut text: String, suffixes: &[Suffix]) -> String {
    // PyTorch measures the last line as two characters longer than it is;
    // repeating its arithmetic is what makes the line breaks agree.
    let mut line_len = text.len() - text.rfind('\n').map_or(0, |newline| newline + 1) + 2;
    for suffix in suffixes {
        if line_len + suffix.torch_len + 2 > LINE_WIDTH {
            text.push_str(",\n");
            text.push_str(&" ".repeat(PREFIX.len()));
            line_len = PREFIX.len() + suffix.torch_len;
        } else {
            text.push_str(", ");
            line_len += suffix.torch_len + 2;
        }
        text.push_str(&suffix.text);
    }
    text.push(')');
    text
}

/// The second pass: nested brackets, with the style already fixed.
struct Layout<F> {
    summarize: bool,
    width: usize,
    spell: F,
}

impl<F> Layout<F> {
    /// Writes `view` whose opening bracket sits at column `indent`.
    fn write<T: Copy>(&self, view: ArrayViewD<'_, T>, indent: usize, out: &mut String)
    where
        F: Fn(T) -> String,
    {
        match view.ndim() {
            0 => out.push_str(&self.cell(view[[]])),
            1 => self.write_row(view, indent, out),
            ndim => {
                // Sub-blocks are separated by one newline per level below them,
                // which leaves blank lines between the matrices of a 3-d tensor.
                let separator = format!(",{}{}", "\n".repeat(ndim - 1), " ".repeat(indent + 1));
                out.push('[');
                for (n, index) in shown_indices(view.len_of(Axis(0)), self.summarize)
                    .into_iter()
                    .enumerate()
                {
                    if n > 0 {
                        out.push_str(&separator);
                    }
                    match index {
                        Some(i) => self.write(view.index_axis(Axis(0), i), indent + 1, out),
                        None => out.push_str("..."),
                    }
                }
                out.push(']');
            }
        }
    }

    /// Writes a 1-d row, wrapping it after as many elements as fit in the line width.
    fn write_row<T: Copy>(&self, row: ArrayViewD<'_, T>, indent: usize, out: &mut String)
    where
        F: Fn(T) -> String,
    {
        let items: Vec<String> = shown_indices(row.len(), self.summarize)
            .into_iter()
            .map(|index| match index {
                Some(i) => self.cell(row[[i]]),
                None => " ...".to_string(),
            })
            .collect();
        // Each element takes its width plus ", "; the ellipsis counts as one element.
        let per_line = (LINE_WIDTH.saturating_sub(indent) / (self.width + 2)).max(1);
        let lines: Vec<String> = items.chunks(per_line).map(|line| line.join(", ")).collect();
        out.push('[');
        out.push_str(&lines.join(&format!(",\n{}", " ".repeat(indent + 1))));
        out.push(']');
    }

    /// One element, right-aligned to the common width.
    fn cell<T>(&self, x: T) -> String
    where
        F: Fn(T) -> String,
    {
        format!("{:>width$}", (self.spell)(x), width = self.width)
    }
}
// ANCHOR_END: print-layout

#[cfg(test)]
mod tests {
    //! Every expected text below was printed by PyTorch 2.15 (`repr` of the
    //! same data), with `torch.float64`, `torch.int64` and `torch.bool`
    //! renamed `f64`, `i64` and `bool`.

    use ndarray::{ArrayD, IxDyn};

    use super::*;

    fn array<T>(shape: &[usize], values: Vec<T>) -> ArrayD<T> {
        ArrayD::from_shape_vec(IxDyn(shape), values).expect("shape matches the values")
    }

    fn floats<T: Element>(shape: &[usize], values: &[f64]) -> String {
        floats_with::<T>(shape, values, &[])
    }

    fn floats_with<T: Element>(shape: &[usize], values: &[f64], suffixes: &[&str]) -> String {
        let values = values.iter().map(|&x| T::of_f64(x)).collect();
        let suffixes: Vec<String> = suffixes.iter().map(|s| s.to_string()).collect();
        format_tensor(array(shape, values).view(), &suffixes)
    }

    /// `0, 1, ..., n - 1`, as `torch.arange(n)` gives.
    fn arange(n: usize) -> Vec<f64> {
        (0..n).map(|i| i as f64).collect()
    }

    #[test]
    fn scalars() {
        assert_eq!(floats::<f64>(&[], &[-36.0]), "tensor(-36., dtype=f64)");
        assert_eq!(floats::<f32>(&[], &[2f64.powi(-24)]), "tensor(5.9605e-08)");
        assert_eq!(
            floats_with::<f64>(&[], &[std::f64::consts::PI], &["requires_grad=True"]),
            "tensor(3.1416, dtype=f64, requires_grad=True)"
        );
        assert_eq!(
            floats_with::<f64>(&[], &[62.0], &["grad_fn=<AddBackward0>"]),
            "tensor(62., dtype=f64, grad_fn=<AddBackward0>)"
        );
    }

    #[test]
    #[allow(clippy::approx_constant, reason = "0.7853 is the book's example, not π/4")]
    fn fixed_point_vectors() {
        assert_eq!(floats::<f32>(&[1], &[0.7853]), "tensor([0.7853])");
        assert_eq!(
            floats::<f32>(&[6], &[0.4442, 1.7611, 1.8634, 1.5103, 1.5297, 0.1646]),
            "tensor([0.4442, 1.7611, 1.8634, 1.5103, 1.5297, 0.1646])"
        );
        assert_eq!(floats::<f32>(&[3], &[-0.01; 3]), "tensor([-0.0100, -0.0100, -0.0100])");
        // Exact ties round to even, as Python's formatting does.
        assert_eq!(
            floats::<f32>(&[3], &[0.03125, 0.15625, -0.40625]),
            "tensor([ 0.0312,  0.1562, -0.4062])"
        );
    }

    #[test]
    fn numbers_are_formatted_after_widening_to_f64() {
        // 1.00005 as an f32 is 1.0000499..., as an f64 1.0000500...
        assert_eq!(floats::<f32>(&[1], &[1.00005]), "tensor([1.0000])");
        assert_eq!(floats::<f64>(&[1], &[1.00005]), "tensor([1.0001], dtype=f64)");
    }

    #[test]
    fn integral_values_print_with_a_trailing_point() {
        assert_eq!(
            floats::<f32>(&[2, 3], &[2., 4., 6., 8., 10., 12.]),
            "tensor([[ 2.,  4.,  6.],
        [ 8., 10., 12.]])"
        );
        assert_eq!(
            floats_with::<f64>(&[3], &[1., 5., 6.], &["requires_grad=True"]),
            "tensor([1., 5., 6.], dtype=f64, requires_grad=True)"
        );
        assert_eq!(floats::<f32>(&[2], &[-0.0, 1.0]), "tensor([-0., 1.])");
    }

    #[test]
    fn scientific_notation() {
        assert_eq!(
            floats::<f32>(&[3], &[1e-5, 1.0, 1e3]),
            "tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])"
        );
        assert_eq!(
            floats::<f32>(&[2], &[123456.0, 1.5]),
            "tensor([1.2346e+05, 1.5000e+00])"
        );
        // Whole numbers switch too once they pass 1e8.
        assert_eq!(
            floats::<f64>(&[2], &[1e8 + 1.0, 1.0]),
            "tensor([1.0000e+08, 1.0000e+00], dtype=f64)"
        );
        // Zero takes no part in choosing the notation, but follows it.
        assert_eq!(floats::<f32>(&[2], &[1e-5, 0.0]), "tensor([1.0000e-05, 0.0000e+00])");
    }

    #[test]
    fn non_finite_values_do_not_widen_the_columns() {
        let nan = f64::NAN;
        let inf = f64::INFINITY;
        assert_eq!(floats::<f32>(&[3], &[1.0, nan, inf]), "tensor([1., nan, inf])");
        assert_eq!(floats::<f32>(&[2], &[-inf, 1.0]), "tensor([-inf, 1.])");
        assert_eq!(floats::<f32>(&[2], &[nan, 0.0]), "tensor([nan, 0.])");
    }

    #[test]
    fn nested_blocks() {
        assert_eq!(
            floats::<f32>(&[1, 3, 4], &[0.0; 12]),
            "tensor([[[0., 0., 0., 0.],
         [0., 0., 0., 0.],
         [0., 0., 0., 0.]]])"
        );
        let quarters: Vec<f64> = (-4..8).map(|i| f64::from(i) / 4.0).collect();
        assert_eq!(
            floats::<f32>(&[2, 2, 3], &quarters),
            "tensor([[[-1.0000, -0.7500, -0.5000],
         [-0.2500,  0.0000,  0.2500]],

        [[ 0.5000,  0.7500,  1.0000],
         [ 1.2500,  1.5000,  1.7500]]])"
        );
    }

    #[test]
    fn long_rows_wrap_at_the_line_width() {
        let sevenths: Vec<f64> = arange(30).iter().map(|x| x / 7.0).collect();
        assert_eq!(
            floats::<f32>(&[30], &sevenths),
            "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,
        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,
        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,
        3.8571, 4.0000, 4.1429])"
        );
    }

    #[test]
    fn large_tensors_are_summarized() {
        assert_eq!(
            floats::<f32>(&[1001], &arange(1001)),
            "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])"
        );
        assert_eq!(
            floats::<f32>(&[1001, 1], &arange(1001)),
            "tensor([[   0.],
        [   1.],
        [   2.],
        ...,
        [ 998.],
        [ 999.],
        [1000.]])"
        );
        // The hidden middle (up to 6999) does not count towards choosing the notation.
        assert_eq!(
            floats::<f32>(&[7, 1000], &arange(7000)),
            "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.9700e+02, 9.9800e+02,
         9.9900e+02],
        [1.0000e+03, 1.0010e+03, 1.0020e+03,  ..., 1.9970e+03, 1.9980e+03,
         1.9990e+03],
        [2.0000e+03, 2.0010e+03, 2.0020e+03,  ..., 2.9970e+03, 2.9980e+03,
         2.9990e+03],
        ...,
        [4.0000e+03, 4.0010e+03, 4.0020e+03,  ..., 4.9970e+03, 4.9980e+03,
         4.9990e+03],
        [5.0000e+03, 5.0010e+03, 5.0020e+03,  ..., 5.9970e+03, 5.9980e+03,
         5.9990e+03],
        [6.0000e+03, 6.0010e+03, 6.0020e+03,  ..., 6.9970e+03, 6.9980e+03,
         6.9990e+03]])"
        );
    }

    #[test]
    fn suffixes_move_to_a_new_line_when_the_line_is_full() {
        let grad_fn = ["grad_fn=<MulBackward0>"];
        assert_eq!(
            floats_with::<f32>(&[3, 16], &[1.5; 48], &grad_fn),
            "tensor([[1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,
         1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000],
        [1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,
         1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000],
        [1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,
         1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000]],
       grad_fn=<MulBackward0>)"
        );
        // Lines break where PyTorch's longer `dtype=torch.float64` would break them.
        assert_eq!(
            floats_with::<f64>(&[3, 17], &[1.5; 51], &grad_fn),
            "tensor([[1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,
         1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000],
        [1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,
         1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000],
        [1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,
         1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000]],
       dtype=f64, grad_fn=<MulBackward0>)"
        );
    }

    #[test]
    fn empty_tensors_show_their_shape_and_dtype() {
        assert_eq!(floats::<f32>(&[0], &[]), "tensor([])");
        assert_eq!(floats::<f32>(&[2, 0], &[]), "tensor([], size=(2, 0))");
        assert_eq!(
            floats_with::<f64>(&[2, 0, 3], &[], &["requires_grad=True"]),
            "tensor([], size=(2, 0, 3), dtype=f64, requires_grad=True)"
        );
        assert_eq!(format_index_tensor(array(&[0], vec![]).view()), "tensor([], dtype=i64)");
        assert_eq!(
            format_bool_tensor(array(&[0, 5], vec![]).view()),
            "tensor([], size=(0, 5), dtype=bool)"
        );
    }

    #[test]
    fn index_tensors() {
        assert_eq!(
            format_index_tensor(array(&[3], vec![2, 0, 4]).view()),
            "tensor([2, 0, 4])"
        );
        let multiples: Vec<usize> = (0..40).map(|i| i * 37).collect();
        assert_eq!(
            format_index_tensor(array(&[40], multiples).view()),
            "tensor([   0,   37,   74,  111,  148,  185,  222,  259,  296,  333,  370,  407,
         444,  481,  518,  555,  592,  629,  666,  703,  740,  777,  814,  851,
         888,  925,  962,  999, 1036, 1073, 1110, 1147, 1184, 1221, 1258, 1295,
        1332, 1369, 1406, 1443])"
        );
        let large: Vec<usize> = (0..1001).map(|i| 1_000_000_000_000 + i).collect();
        assert_eq!(
            format_index_tensor(array(&[1001], large).view()),
            "tensor([1000000000000, 1000000000001, 1000000000002,  ...,
        1000000000998, 1000000000999, 1000000001000])"
        );
    }

    #[test]
    fn bool_tensors() {
        assert_eq!(
            format_bool_tensor(array(&[3], vec![true, true, false]).view()),
            "tensor([ True,  True, False])"
        );
        let sevens: Vec<bool> = (1..3001).map(|i| i % 7 == 0).collect();
        assert_eq!(
            format_bool_tensor(array(&[3, 1000], sevens).view()),
            "tensor([[False, False, False,  ..., False, False, False],
        [ True, False, False,  ..., False, False, False],
        [False,  True, False,  ..., False, False, False]])"
        );
    }
}
