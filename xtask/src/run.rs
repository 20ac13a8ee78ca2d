//! The run stage: each Rust block's binary, twice, under a time limit, and
//! what it printed as the text to snapshot; a block that passed before and
//! has not changed since ([`fingerprint`]) is not run again.
//!
//! Each run gets closed stdin and a fresh scratch directory as its working
//! directory (removed afterwards), so a block cannot depend on, or leave
//! behind, files of the repository. Each run is contained: stdin is at end
//! of input, output beyond [`OUTPUT_LIMIT`] is counted and dropped, and the
//! run's whole process group is killed when it ends, so a child it left
//! running cannot hang the verifier. A run that exits by a signal is
//! reported with the signal's name. Every run must print the same thing:
//! the book promises outputs a reader will reproduce, so any nondeterminism
//! (unseeded randomness, addresses, time, a `HashMap`'s order) is an error.
//! A block is run [`CHECK_RUNS`] times; one whose output `--update` would
//! accept, a new or a changed one, [`ACCEPT_RUNS`] times, since a short
//! `HashMap` can print the same twice by chance. And a block seen printing
//! two outputs is remembered ([`VerdictCache::was_unstable`]): until its
//! code changes it fails, however often it agrees afterwards.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use similar::TextDiff;

use crate::build::{BlockBuild, BuildResult, Diagnostic};
use crate::cache::{Fingerprint, VerdictCache};
use crate::extract::{BlockId, BlockKind, Chapter, Mode, RustBlock};
use crate::generate::LineMap;
use crate::layout::Layout;
use crate::snapshot;

/// The exit code of a Rust program that panicked in `main`.
const PANIC_EXIT_CODE: i32 = 101;

/// How many times a block runs when its output is checked.
pub const CHECK_RUNS: usize = 2;

/// How many times a block runs before `--update` accepts a new output.
pub const ACCEPT_RUNS: usize = 5;

/// What running a Rust block came to, before its output is judged.
#[derive(Debug)]
pub enum BlockRun {
    /// `ignore=<reason>`: neither compiled nor run.
    Ignored(String),
    /// `no_run`: built without errors or warnings.
    Compiled,
    /// Not built, and why: its crate is out of date, or cargo failed.
    NotBuilt(String),
    /// The compiler's errors and warnings.
    DoesNotCompile(Vec<Diagnostic>),
    Failed(Failure),
    /// Two of its runs printed different things: the verdict cache
    /// remembers it, for this executable.
    Unstable {
        failure: Failure,
        executable: PathBuf,
    },
    /// It passed before, and nothing it depends on has changed since: its
    /// snapshot holds its output.
    Unchanged(String),
    /// It ran twice and printed this both times.
    Ran {
        output: String,
        executable: PathBuf,
    },
}

/// The run stage: every compiled Rust block of the book, in the chapters'
/// order, run, or found unchanged since it passed. `stale` crates were not
/// built: they are not the code the book shows. `accepting`: `--update`
/// will accept new outputs, so a block whose output is not its snapshot's
/// runs [`ACCEPT_RUNS`] times.
pub fn run_blocks(
    layout: &Layout,
    timeout: Duration,
    chapters: &[Chapter],
    built: &BuildResult,
    stale: &HashSet<String>,
    cache: &VerdictCache,
    accepting: bool,
) -> Result<BTreeMap<BlockId, BlockRun>> {
    let mut runs = BTreeMap::new();
    for chapter in chapters {
        for block in &chapter.blocks {
            let BlockKind::Rust(rust) = &block.kind else { continue };
            let id = chapter.block_id(&rust.name);
            let run = if let Mode::Ignore(reason) = &rust.mode {
                BlockRun::Ignored(reason.clone())
            } else if stale.contains(&chapter.crate_name) {
                let crate_dir = layout.crates_rel().join(&chapter.crate_name);
                BlockRun::NotBuilt(format!("not built: {} is out of date (see below)", crate_dir.display()))
            } else {
                run_built(layout, timeout, &id, rust, built.blocks.get(&id), cache, accepting)?
            };
            runs.insert(id, run);
        }
    }
    Ok(runs)
}

/// A built block's run.
fn run_built(
    layout: &Layout,
    timeout: Duration,
    id: &BlockId,
    rust: &RustBlock,
    built: Option<&BlockBuild>,
    cache: &VerdictCache,
    accepting: bool,
) -> Result<BlockRun> {
    let Some(built) = built else {
        return Ok(BlockRun::NotBuilt("not built: cargo build failed (see below)".into()));
    };
    if !built.diagnostics.is_empty() {
        return Ok(BlockRun::DoesNotCompile(built.diagnostics.clone()));
    }
    let Some(executable) = &built.executable else {
        return Ok(BlockRun::NotBuilt("not built: cargo build failed (see below)".into()));
    };
    if rust.mode == Mode::NoRun {
        return Ok(BlockRun::Compiled);
    }
    let snapshot = layout
        .snapshots_dir
        .join(snapshot::file_name(&id.crate_name, &id.block));
    let fresh = cache.is_active()
        && cache.is_fresh(
            &cache_id(id),
            fingerprint(executable, &rust.mode, timeout, &snapshot).as_ref(),
        );
    if fresh {
        let output = snapshot::read_output(&layout.snapshots_dir, &id.crate_name, &id.block)?;
        return Ok(BlockRun::Unchanged(output));
    }
    if cache.was_unstable(&cache_id(id), executable) {
        return Ok(BlockRun::Failed(Failure {
            message: "nondeterministic output: an earlier run of this block printed two different outputs, \
                      and its code has not changed since, so no output of it can be trusted, however often \
                      its runs agree now; make it print the same thing every time (seed any randomness, sort \
                      what a HashMap holds, print no addresses or times)"
                .into(),
            line: None,
        }));
    }
    // A new or changed output, which `--update` would accept, needs more runs.
    let runs = |output: &str| {
        let known = snapshot::read_output(&layout.snapshots_dir, &id.crate_name, &id.block).ok();
        if accepting && known.as_deref() != Some(output) {
            ACCEPT_RUNS
        } else {
            CHECK_RUNS
        }
    };
    Ok(
        match run_block(
            executable,
            &rust.mode,
            &built.line_map,
            &layout.scratch(),
            timeout,
            runs,
        )? {
            Ok(output) => BlockRun::Ran {
                output,
                executable: executable.clone(),
            },
            Err(failure) if failure.message.starts_with(NONDETERMINISTIC) => BlockRun::Unstable {
                failure,
                executable: executable.clone(),
            },
            Err(failure) => BlockRun::Failed(failure),
        },
    )
}

/// How the failure of runs that disagree begins.
const NONDETERMINISTIC: &str = "nondeterministic output";

/// How the verdict cache names a Rust block.
pub fn cache_id(id: &BlockId) -> String {
    format!("block {id}")
}

/// What a Rust block's verdict depends on ([`crate::cache`]): its executable
/// as cargo last wrote it (cargo rewrites it whenever the block, the engine
/// or a dependency changes), how it is run, and its snapshot's bytes. Not
/// its place in the chapter: inserting prose above a block changes neither
/// its executable nor its snapshot. `None` when the executable cannot be read.
pub fn fingerprint(executable: &Path, mode: &Mode, timeout: Duration, snapshot: &Path) -> Option<Fingerprint> {
    Some(
        Fingerprint::new("block")
            .file_identity(executable)?
            .text(&format!("{mode:?} {timeout:?}"))
            // The engine's matrix-product kernel, when one is forced: a run
            // with another must not trust this one's pass.
            .text(&std::env::var("AUTOGRAD_KERNEL").unwrap_or_default())
            .file_contents(snapshot)
            // A graph block's committed picture, beside its snapshot.
            .file_contents(&snapshot.with_extension("svg")),
    )
}

/// Why a block's run failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    /// The chapter line it points at, when the run knows one: the line of
    /// the block that panicked.
    pub line: Option<usize>,
}

/// Runs a block's binary [`CHECK_RUNS`] times, or as many as `runs` says
/// once it has their common output, and returns the text to snapshot, or
/// the reason the block fails. `Err` is kept for the verifier's own
/// failures (cannot create a directory, cannot spawn): they are not the
/// block's fault. `line_map` says which chapter line a panic in the block's
/// code is at.
pub fn run_block(
    executable: &Path,
    mode: &Mode,
    line_map: &LineMap,
    scratch_root: &Path,
    timeout: Duration,
    runs: impl Fn(&str) -> usize,
) -> Result<Result<String, Failure>> {
    let judge = |run: RunOutcome| {
        output_of(&run, mode, timeout).map_err(|message| {
            let line = panic_line(&run.stderr, line_map);
            // A panic in the block's code is reported at its chapter line;
            // elsewhere (the engine, a dependency) its location is worth reading.
            let message = match (line, panic_location(&run.stderr), message.strip_prefix("panicked: ")) {
                (None, Some((file, at)), Some(panic)) => format!("panicked at {file}:{at}: {panic}"),
                _ => message,
            };
            Failure { message, line }
        })
    };
    let first = match judge(run_once(executable, scratch_root, timeout)?) {
        Ok(output) => output,
        Err(failure) => return Ok(Err(failure)),
    };
    let mut total = CHECK_RUNS;
    let mut run = 2;
    while run <= total {
        let ordinal = match run {
            2 => "second".to_string(),
            3 => "third".to_string(),
            4 => "fourth".to_string(),
            5 => "fifth".to_string(),
            n => format!("{n}th"),
        };
        match judge(run_once(executable, scratch_root, timeout)?) {
            Ok(next) if next == first => {}
            Ok(next) => {
                return Ok(Err(Failure {
                    message: differing_runs(&first, &next, &format!("{ordinal} run")),
                    line: None,
                }));
            }
            Err(failure) => {
                return Ok(Err(Failure {
                    message: format!("the {ordinal} run failed where the first passed: {}", failure.message),
                    ..failure
                }));
            }
        }
        if run == CHECK_RUNS {
            total = runs(&first).max(CHECK_RUNS);
        }
        run += 1;
    }
    Ok(Ok(first))
}

/// The chapter line of a panic in the block's own code, from the standard
/// panic hook's `panicked at <file>:<line>:<column>:`.
fn panic_line(stderr: &str, line_map: &LineMap) -> Option<usize> {
    let (file, line) = panic_location(stderr)?;
    (Path::new(file) == line_map.generated_file).then(|| line_map.markdown_line(line))
}

/// The file and line of the first panic in `stderr`.
fn panic_location(stderr: &str) -> Option<(&str, usize)> {
    let header = stderr
        .lines()
        .find(|line| line.starts_with("thread '") && line.contains(" panicked at "))?;
    let (_, location) = header.split_once(" panicked at ")?;
    let mut parts = location.trim_end_matches(':').rsplitn(3, ':');
    let (_column, line, file) = (parts.next()?, parts.next()?, parts.next()?);
    Some((file, line.parse().ok()?))
}

/// The verdict on two runs of one block (Rust or Python): the first run's
/// failure, the second's, or their common output.
pub(crate) fn same_twice(first: Result<String, String>, second: Result<String, String>) -> Result<String, String> {
    let first = first?;
    let second = second.map_err(|failure| format!("the second run failed where the first passed: {failure}"))?;
    if first != second {
        return Err(differing_runs(&first, &second, "second run"));
    }
    Ok(first)
}

/// The failure of two runs that printed different things, with their diff.
fn differing_runs(first: &str, other: &str, other_name: &str) -> String {
    let diff = TextDiff::from_lines(first, other)
        .unified_diff()
        .header("first run", other_name)
        .to_string();
    format!(
        "{NONDETERMINISTIC}: two runs printed different things (the book's outputs must be \
         reproducible: seed any randomness, sort what a HashMap holds, print no addresses or times)\n{diff}"
    )
}

/// Most bytes of a stream a run may print: what a block prints is shown in
/// the book, and a runaway loop printing gigabytes must neither exhaust the
/// verifier's memory nor fill a snapshot. Beyond it the rest is counted and
/// dropped, and the run fails with the size.
pub const OUTPUT_LIMIT: usize = 1 << 20;

/// How one run ended.
#[derive(Debug)]
pub(crate) struct RunOutcome {
    /// `None` when the run was killed at the time limit.
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    /// Bytes printed to stdout and stderr, including any beyond [`OUTPUT_LIMIT`].
    pub stdout_bytes: usize,
    pub stderr_bytes: usize,
    /// The run left processes behind (a child that outlived it); they were killed.
    pub left_processes: bool,
}

/// Runs the binary once in a fresh scratch directory.
fn run_once(executable: &Path, scratch_root: &Path, timeout: Duration) -> Result<RunOutcome> {
    std::fs::create_dir_all(scratch_root).with_context(|| format!("cannot create {}", scratch_root.display()))?;
    let scratch = tempfile::Builder::new()
        .prefix("block-")
        .tempdir_in(scratch_root)
        .with_context(|| format!("cannot create a scratch directory in {}", scratch_root.display()))?;
    let mut command = Command::new(executable);
    command
        .current_dir(scratch.path())
        // Temporary files go to the scratch directory too, and are removed with it.
        .env("TMPDIR", scratch.path())
        // The panic message must not depend on the caller's environment.
        .env("RUST_BACKTRACE", "0")
        .env_remove("RUST_LIB_BACKTRACE");
    let outcome = run_command(&mut command, timeout).with_context(|| format!("cannot run {}", executable.display()));
    // Remove whatever the block wrote. A directory the block made
    // unremovable is named on stderr, not left behind in silence; the run's
    // verdict does not depend on it.
    let shown = scratch.path().display().to_string();
    if let Err(error) = scratch.close() {
        eprintln!("warning: cannot remove a block's scratch directory {shown}: {error}");
    }
    outcome
}

/// Runs a prepared command with stdin at end of input and both outputs
/// captured (each up to [`OUTPUT_LIMIT`]), killing it at the time limit.
///
/// The command runs in a process group of its own. When it exits (or is
/// killed), the whole group is killed: a child it spawned and left running
/// would otherwise hold the output pipes open and hang the verifier.
pub(crate) fn run_command(command: &mut Command, timeout: Duration) -> Result<RunOutcome> {
    use std::os::unix::process::CommandExt;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let group = ProcessGroup(child.id() as libc::pid_t);
    // Read both pipes while waiting: a block that fills a pipe would
    // otherwise block forever and be mistaken for a loop.
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let status = wait_with_deadline(&mut child, &group, timeout);
    // The leader is reaped, but its group id stays reserved while any member
    // lives, so signalling the group reaches only what the block left behind.
    let left_processes = group.kill();
    let status = status?;
    let (stdout, stdout_bytes) = join_reader(stdout);
    let (stderr, stderr_bytes) = join_reader(stderr);
    Ok(RunOutcome {
        status,
        stdout,
        stderr,
        stdout_bytes,
        stderr_bytes,
        left_processes,
    })
}

/// The process group a block runs in (its id is the leader's pid).
struct ProcessGroup(libc::pid_t);

impl ProcessGroup {
    /// Sends SIGKILL to every process of the group; true when there was one.
    fn kill(&self) -> bool {
        // SAFETY: kill(2) with a negative pid signals a process group; it
        // touches no memory of ours.
        unsafe { libc::kill(-self.0, libc::SIGKILL) == 0 }
    }
}

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<(Vec<u8>, usize)> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut total = 0;
        if let Some(mut pipe) = pipe {
            let mut buffer = [0u8; 64 * 1024];
            // A read error ends the capture; what was read is still reported.
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                total += n;
                let room = OUTPUT_LIMIT.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..n.min(room)]);
            }
        }
        (kept, total)
    })
}

fn join_reader(handle: thread::JoinHandle<(Vec<u8>, usize)>) -> (String, usize) {
    let (bytes, total) = handle.join().unwrap_or_default();
    (String::from_utf8_lossy(&bytes).into_owned(), total)
}

/// Waits for the child, killing its group at the deadline. `None` means killed.
fn wait_with_deadline(child: &mut Child, group: &ProcessGroup, timeout: Duration) -> Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().context("cannot wait for a block")? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            // The child may have exited just now; then kill fails harmlessly.
            group.kill();
            let _ = child.kill();
            child.wait().context("cannot reap a killed block")?;
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Why a run that otherwise passed must fail: too much output, or processes
/// left running. Checked before the output is judged.
fn misbehaviour(run: &RunOutcome) -> Option<String> {
    for (stream, bytes) in [("stdout", run.stdout_bytes), ("stderr", run.stderr_bytes)] {
        if bytes > OUTPUT_LIMIT {
            return Some(format!(
                "printed {bytes} bytes to {stream}, more than the limit of {OUTPUT_LIMIT} bytes (1 MiB); \
                 a book's output must be readable: print less"
            ));
        }
    }
    if run.left_processes {
        return Some(
            "left a child process running after it exited (it was killed): wait for every child \
             a block spawns"
                .into(),
        );
    }
    None
}

/// The name of a signal that ends a program, as `kill -l` prints it.
fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGXFSZ => "SIGXFSZ",
        libc::SIGSYS => "SIGSYS",
        _ => return format!("signal {signal}"),
    };
    format!("{name} (signal {signal})")
}

/// The snapshot text of a run, judged against the block's mode.
fn output_of(run: &RunOutcome, mode: &Mode, timeout: Duration) -> Result<String, String> {
    let Some(status) = run.status else {
        return Err(format!(
            "did not finish within {} and was killed (an endless loop? raise the limit with --timeout-ms)",
            describe(timeout)
        ));
    };
    if let Some(problem) = misbehaviour(run) {
        return Err(problem);
    }
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return Err(format!(
            "was killed by {}{}; stderr:\n{}",
            signal_name(signal),
            if signal == libc::SIGABRT {
                " (an abort: `std::process::abort`, a failed allocation, or a panic while panicking)"
            } else {
                ""
            },
            run.stderr.trim_end()
        ));
    }
    let panic = panic_message(&run.stderr);
    match (mode, status.code(), panic) {
        (Mode::ShouldPanic, Some(PANIC_EXIT_CODE), Some(message)) => {
            Ok(format!("{}thread 'main' panicked:\n{message}\n", run.stdout))
        }
        (Mode::ShouldPanic, _, _) if status.success() => {
            Err("is marked should_panic but finished without panicking".into())
        }
        (_, _, _) if status.success() => Ok(run.stdout.clone()),
        (_, _, Some(message)) => Err(format!("panicked: {message}")),
        _ => Err(format!("failed ({status}); stderr:\n{}", run.stderr.trim_end())),
    }
}

/// The message of a panic in `main`, from the standard panic hook's output:
/// ```text
/// thread 'main' (4711) panicked at crates/ch02/src/bin/x.rs:3:5:
/// the message, perhaps on several lines
/// note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
/// ```
/// The location is left out: it names the generated file, not the chapter;
/// and so is the thread id, which changes from run to run.
fn panic_message(stderr: &str) -> Option<String> {
    // Since Rust 1.92 the thread's id follows its name: `thread 'main' (4711) panicked at`.
    let mut lines = stderr
        .lines()
        .skip_while(|line| !(line.starts_with("thread '") && line.contains(" panicked at ")));
    lines.next()?;
    let message: Vec<&str> = lines
        .take_while(|line| !line.starts_with("note: run with `RUST_BACKTRACE"))
        .collect();
    Some(message.join("\n"))
}

pub(crate) fn describe(timeout: Duration) -> String {
    if timeout.subsec_millis() == 0 {
        format!("{} s", timeout.as_secs())
    } else {
        format!("{} ms", timeout.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_located_at_its_file_and_line() {
        let stderr = "thread 'main' (4711) panicked at crates/ch/src/bin/x.rs:3:5:\nboom\n";
        assert_eq!(panic_location(stderr), Some(("crates/ch/src/bin/x.rs", 3)));
        assert_eq!(
            panic_location("thread 'main' panicked at src/a:b.rs:12:1:\n"),
            Some(("src/a:b.rs", 12))
        );
        assert_eq!(panic_location("no panic here\n"), None);
    }

    #[test]
    fn panic_message_drops_location_and_note() {
        let stderr = "\nthread 'main' (4711) panicked at crates/ch/src/bin/x.rs:3:5:\nno grad\nfor you\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(panic_message(stderr).as_deref(), Some("no grad\nfor you"));
        assert_eq!(panic_message("error: something else\n"), None);
    }
}
