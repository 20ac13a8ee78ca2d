//! Stage 4, run: each block's binary, twice, under a time limit, and what it
//! printed as the text to snapshot.
//!
//! Each run gets closed stdin and a fresh scratch directory as its working
//! directory (removed afterwards), so a block cannot depend on, or leave
//! behind, files of the repository. Two runs must print the same thing: the
//! book promises outputs a reader will reproduce, so any nondeterminism
//! (unseeded randomness, addresses, time) is an error.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use similar::TextDiff;

use crate::extract::Mode;

/// The exit code of a Rust program that panicked in `main`.
const PANIC_EXIT_CODE: i32 = 101;

/// Runs a block's binary twice and returns the text to snapshot, or the
/// reason the block fails. `Err` is kept for the verifier's own failures
/// (cannot create a directory, cannot spawn): they are not the block's fault.
pub fn run_block(
    executable: &Path,
    mode: &Mode,
    scratch_root: &Path,
    timeout: Duration,
) -> Result<Result<String, String>> {
    let first = output_of(&run_once(executable, scratch_root, timeout)?, mode, timeout);
    if first.is_err() {
        return Ok(first);
    }
    let second = output_of(&run_once(executable, scratch_root, timeout)?, mode, timeout);
    Ok(same_twice(first, second))
}

/// The verdict on two runs of one block (Rust or Python): the first run's
/// failure, the second's, or their common output.
pub(crate) fn same_twice(first: Result<String, String>, second: Result<String, String>) -> Result<String, String> {
    let first = first?;
    let second = second.map_err(|failure| format!("the second run failed where the first passed: {failure}"))?;
    if first != second {
        let diff = TextDiff::from_lines(&first, &second)
            .unified_diff()
            .header("first run", "second run")
            .to_string();
        return Err(format!(
            "nondeterministic output: two runs printed different things (the book's outputs must be \
             reproducible: seed any randomness, print no addresses or times)\n{diff}"
        ));
    }
    Ok(first)
}

/// How one run ended.
#[derive(Debug)]
pub(crate) struct RunOutcome {
    /// `None` when the run was killed at the time limit.
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
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
        // The panic message must not depend on the caller's environment.
        .env("RUST_BACKTRACE", "0")
        .env_remove("RUST_LIB_BACKTRACE");
    run_command(&mut command, timeout).with_context(|| format!("cannot run {}", executable.display()))
}

/// Runs a prepared command with stdin closed and both outputs captured,
/// killing it at the time limit.
pub(crate) fn run_command(command: &mut Command, timeout: Duration) -> Result<RunOutcome> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Read both pipes while waiting: a block that fills a pipe would
    // otherwise block forever and be mistaken for a loop.
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let status = wait_with_deadline(&mut child, timeout)?;
    Ok(RunOutcome {
        status,
        stdout: join_reader(stdout),
        stderr: join_reader(stderr),
    })
}

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            // A read error ends the capture; what was read is still reported.
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

fn join_reader(handle: thread::JoinHandle<Vec<u8>>) -> String {
    String::from_utf8_lossy(&handle.join().unwrap_or_default()).into_owned()
}

/// Waits for the child, killing it at the deadline. `None` means killed.
fn wait_with_deadline(child: &mut Child, timeout: Duration) -> Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().context("cannot wait for a block")? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            // The child may have exited just now; then kill fails harmlessly.
            let _ = child.kill();
            child.wait().context("cannot reap a killed block")?;
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// The snapshot text of a run, judged against the block's mode.
fn output_of(run: &RunOutcome, mode: &Mode, timeout: Duration) -> Result<String, String> {
    let Some(status) = run.status else {
        return Err(format!(
            "did not finish within {} and was killed (an endless loop? raise the limit with --timeout-ms)",
            describe(timeout)
        ));
    };
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
    fn panic_message_drops_location_and_note() {
        let stderr = "\nthread 'main' (4711) panicked at crates/ch/src/bin/x.rs:3:5:\nno grad\nfor you\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(panic_message(stderr).as_deref(), Some("no grad\nfor you"));
        assert_eq!(panic_message("error: something else\n"), None);
    }
}
