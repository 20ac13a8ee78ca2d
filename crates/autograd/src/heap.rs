//! The C library's heap, told to keep the memory a graph frees.
//!
//! A training step builds a graph, drops it and builds the same graph again.
//! glibc's `free` hands the top of its heap back to the system as soon as
//! more than 128 KiB of it lies free, so each step takes its memory from the
//! system anew, and the first write to each of its pages is a page fault the
//! system answers by clearing the page. glibc raises that line by itself,
//! up to keeping 64 MiB, but only after freeing a block of more than 128 KiB
//! it had mapped on its own, which a graph of small tensors never does. So
//! the first graph sets glibc's lines where its own rule would end: blocks
//! up to 32 MiB from the heap, and up to 64 MiB of it kept when free.

// ANCHOR: keep-freed-memory
/// Once per process, on glibc, tells `malloc` to keep freed memory for the
/// next graph, unless the environment already tunes it.
pub(crate) fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            if tuned_by(|name| std::env::var(name).ok()) {
                return;
            }
            // The values of glibc's `malloc.h`.
            const M_TRIM_THRESHOLD: i32 = -1;
            const M_MMAP_THRESHOLD: i32 = -3;
            unsafe extern "C" {
                fn mallopt(param: i32, value: i32) -> i32;
            }
            // SAFETY: `mallopt` only sets two numbers of the allocator's,
            // under its lock; both values are in the ranges it accepts.
            unsafe {
                mallopt(M_MMAP_THRESHOLD, 32 << 20);
                mallopt(M_TRIM_THRESHOLD, 64 << 20);
            }
        });
    }
}

/// Whether an environment (`var` looks its variables up) sets any of the
/// lines this would set, in either of glibc's spellings.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tuned_by(var: impl Fn(&str) -> Option<String>) -> bool {
    let tunables = var("GLIBC_TUNABLES").unwrap_or_default();
    let set = |line: &str| {
        let variable = format!("MALLOC_{}_", line.to_uppercase());
        tunables.contains(&format!("glibc.malloc.{line}")) || var(&variable).is_some()
    };
    ["trim_threshold", "mmap_threshold", "top_pad", "mmap_max"]
        .into_iter()
        .any(set)
}
// ANCHOR_END: keep-freed-memory

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn either_spelling_of_a_line_it_sets_leaves_malloc_to_the_user() {
        use super::tuned_by;
        let only = |name: &'static str, value: &'static str| move |n: &str| (n == name).then(|| value.to_string());
        assert!(tuned_by(only("MALLOC_TRIM_THRESHOLD_", "0")));
        assert!(tuned_by(only("MALLOC_MMAP_MAX_", "0")));
        assert!(tuned_by(only(
            "GLIBC_TUNABLES",
            "glibc.pthread.rseq=0:glibc.malloc.mmap_threshold=4096"
        )));
        assert!(!tuned_by(only("GLIBC_TUNABLES", "glibc.pthread.rseq=0")));
        assert!(!tuned_by(only("MALLOC_ARENA_MAX", "2")));
        assert!(!tuned_by(|_| None));
    }
}
