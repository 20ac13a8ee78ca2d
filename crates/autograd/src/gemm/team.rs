//! The other cores of a product: helper threads that take blocks of its
//! rows beside the thread that asked for it.
//!
//! A product of the book's sizes takes a few hundred microseconds, and
//! waking a sleeping thread can take tens of them, so a helper that has
//! finished waits for the next job spinning, for [`SPIN`], before it
//! sleeps; the thread that asks takes blocks too, so a late helper costs
//! nothing but its share. Blocks are claimed one at a time from a counter,
//! so whoever is free takes the next.

// ANCHOR: team-job
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::SeqCst};
use std::sync::{Mutex, OnceLock, TryLockError};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// How long a helper waits for the next job before it sleeps.
const SPIN: Duration = Duration::from_micros(200);

/// One job: `work(i)` for every block `i < blocks`.
struct Job<'a> {
    work: &'a (dyn Fn(usize) + Sync),
    blocks: usize,
    next: AtomicUsize,
}

impl Job<'_> {
    /// Runs blocks until none is left to claim.
    fn claim_blocks(&self) {
        loop {
            let block = self.next.fetch_add(1, SeqCst);
            if block >= self.blocks {
                return;
            }
            (self.work)(block);
        }
    }
}

// ANCHOR_END: team-job

// ANCHOR: team-state
/// The helpers and the job they share.
struct Team {
    /// The job being run, or null; it lives on the stack of [`run`]'s caller.
    job: AtomicPtr<Job<'static>>,
    /// Bumped for each job, so a helper takes each job once.
    generation: AtomicUsize,
    /// Helpers inside the current job: `run` returns only when none is.
    inside: AtomicUsize,
    /// Set when a block panicked on a helper.
    panicked: AtomicBool,
    /// Handles of the helpers, to wake them; set once they are started.
    helpers: OnceLock<Vec<Thread>>,
    /// Helpers asleep (or about to be), to be woken by the next job.
    asleep: AtomicUsize,
    /// One job at a time: a second caller runs its blocks alone.
    busy: Mutex<()>,
}

static TEAM: Team = Team {
    job: AtomicPtr::new(ptr::null_mut()),
    generation: AtomicUsize::new(0),
    inside: AtomicUsize::new(0),
    panicked: AtomicBool::new(false),
    helpers: OnceLock::new(),
    asleep: AtomicUsize::new(0),
    busy: Mutex::new(()),
};

// ANCHOR_END: team-state

// ANCHOR: team-threads
/// The number of threads a job runs on: the caller and the helpers.
pub(crate) fn threads() -> usize {
    helpers().len() + 1
}

/// The helpers, started by the first job that asks for them.
fn helpers() -> &'static [Thread] {
    TEAM.helpers.get_or_init(|| {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        // A helper the system refuses to start is one core fewer, not an error.
        (1..cores.min(8))
            .filter_map(|i| {
                let helper = thread::Builder::new().name(format!("autograd-helper-{i}"));
                Some(helper.spawn(help).ok()?.thread().clone())
            })
            .collect()
    })
}

// ANCHOR_END: team-threads

// ANCHOR: team-run
/// Runs `work(i)` for each `i < blocks`, on this thread and the helpers.
pub(crate) fn run(blocks: usize, work: &(dyn Fn(usize) + Sync)) {
    let job = Job {
        work,
        blocks,
        next: AtomicUsize::new(0),
    };
    let _alone = match TEAM.busy.try_lock() {
        Ok(guard) => guard,
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(TryLockError::WouldBlock) => return job.claim_blocks(),
    };
    let helpers = helpers();
    // SAFETY: the pointer is taken back, and every helper that saw it has
    // left the job, before `job` goes out of scope below.
    TEAM.job.store(
        unsafe { std::mem::transmute::<*const Job<'_>, *mut Job<'static>>(&job) },
        SeqCst,
    );
    TEAM.generation.fetch_add(1, SeqCst);
    if TEAM.asleep.load(SeqCst) > 0 {
        helpers.iter().for_each(Thread::unpark);
    }
    let ours = catch_unwind(AssertUnwindSafe(|| job.claim_blocks()));
    TEAM.job.store(ptr::null_mut(), SeqCst);
    while TEAM.inside.load(SeqCst) > 0 {
        std::hint::spin_loop();
    }
    let theirs = TEAM.panicked.swap(false, SeqCst);
    if let Err(panic) = ours {
        resume_unwind(panic);
    }
    assert!(!theirs, "a block of a matrix product panicked on a helper thread");
}

// ANCHOR_END: team-run

// ANCHOR: team-help
/// A helper's life: wait for a job, take its blocks, wait again.
fn help() {
    let mut seen = TEAM.generation.load(SeqCst);
    loop {
        let waiting = Instant::now();
        while TEAM.generation.load(SeqCst) == seen {
            if waiting.elapsed() < SPIN {
                std::hint::spin_loop();
                continue;
            }
            TEAM.asleep.fetch_add(1, SeqCst);
            if TEAM.generation.load(SeqCst) == seen {
                thread::park();
            }
            TEAM.asleep.fetch_sub(1, SeqCst);
        }
        seen = TEAM.generation.load(SeqCst);
        TEAM.inside.fetch_add(1, SeqCst);
        let job = TEAM.job.load(SeqCst);
        if !job.is_null() {
            // SAFETY: `run` keeps the job alive while `inside` counts us.
            let job = unsafe { &*job };
            if catch_unwind(AssertUnwindSafe(|| job.claim_blocks())).is_err() {
                TEAM.panicked.store(true, SeqCst);
            }
        }
        TEAM.inside.fetch_sub(1, SeqCst);
    }
}
// ANCHOR_END: team-help

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_block_runs_once_whoever_takes_it() {
        for blocks in [0, 1, 2, 7, 100] {
            let counts: Vec<AtomicUsize> = (0..blocks).map(|_| AtomicUsize::new(0)).collect();
            run(blocks, &|i| {
                counts[i].fetch_add(1, SeqCst);
            });
            assert!(counts.iter().all(|c| c.load(SeqCst) == 1), "{blocks} blocks");
        }
    }

    #[test]
    fn jobs_from_several_threads_at_once_each_run_every_block() {
        thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..200 {
                        let sum = AtomicUsize::new(0);
                        run(10, &|i| {
                            sum.fetch_add(i, SeqCst);
                        });
                        assert_eq!(sum.load(SeqCst), 45);
                    }
                });
            }
        });
    }

    #[test]
    fn a_panic_on_a_helper_reaches_the_caller() {
        if threads() < 2 {
            return;
        }
        let result = catch_unwind(|| {
            run(64, &|i| {
                if i % 2 == 1 {
                    thread::sleep(Duration::from_millis(1));
                    panic!("block {i}");
                }
                thread::sleep(Duration::from_millis(1));
            })
        });
        assert!(result.is_err());
    }
}
