// book/ch08-floating-point.md, block `reciprocal-bits`: generated from the book: edit the chapter, not this file. fnv1a=c00fd2bea30c0ca8
fn main() {
    let x = 1.3f32;
    let autograd_way = -((1.0 / x) * (1.0 / x));
    let textbook_way = -1.0 / (x * x);
    println!("{:?} bits {:#010x}", autograd_way, autograd_way.to_bits());
    println!("{:?} bits {:#010x}", textbook_way, textbook_way.to_bits());
    println!(
        "bit patterns differ by {}",
        autograd_way.to_bits() as i64 - textbook_way.to_bits() as i64
    );
    println!("2^-24 = {:e}", 2f32.powi(-24));
}
