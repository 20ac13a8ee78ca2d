//! `cargo xtask browser`: the rendered book opened in a real browser.
//!
//! It builds the book ([`book::build`]), serves `target/book` over HTTP on
//! 127.0.0.1 (an ephemeral port, a thread, std only) and opens each chapter
//! in headless Chromium with `--dump-dom`: the DOM after the page's scripts
//! ran. For each page it checks
//!
//! - that the page logged nothing to the console: Chromium with
//!   `--enable-logging=stderr --v=0` prints every console message of the page
//!   as `…:INFO:CONSOLE:<line>] "<message>", source: <url> (<line>)`, whatever
//!   its level, uncaught exceptions included (`"Uncaught ReferenceError: …"`);
//!   the book's scripts log nothing, so any such line is an error;
//! - that every runnable block's verified output is there and not empty;
//! - what the chapter's markdown asks for: `<math>` elements where it has
//!   `$…$` formulas, graph pictures (`<svg>`) for its `graph` blocks, a
//!   `<details>` reveal for each `quiz` block. These are driven by the
//!   markdown, so each check becomes active in the chapter that starts
//!   using the feature.
//!
//! A page with graph pictures is also measured, in a frame 1280 px wide and
//! in one 400 px wide, a phone's (headless Chromium's window is never
//! narrower than 500 px, a frame is), in mdBook's light theme, and 1280 px
//! wide again in its darkest, `coal`: each picture must fit the content's
//! width, show no text under 10 px nor under a 4.5:1 contrast with its
//! background, and the page's body must not scroll sideways (a code block
//! may, inside itself). A script the server adds to the page
//! (`?measure=<theme>`) writes the measurements into the frame's parent.
//!
//! The first quiz is answered as a reader would (`?answer-quiz`): with the
//! numbers its verified output prints, which must match, then with a wrong
//! one, which must be refused; and its page's HTML, what a reader without
//! JavaScript gets, must keep the form hidden and the plain reveal.
//!
//! Then it takes a screenshot of the recursive chapter (1200×2400).
//!
//! Chromium's DevTools protocol would allow more (waiting for fonts, reading
//! computed styles) but needs a websocket client; `--dump-dom` and
//! `--screenshot` need none.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::book;
use crate::extract::{self, BlockKind};
use crate::http;

/// The chapter whose screenshot is taken.
pub const SCREENSHOT_PAGE: &str = "ch05-recursion.html";

/// `cargo xtask browser [--screenshot <png>]`: true when every page passes.
pub fn command(root: &Path, args: &[String]) -> Result<bool> {
    let screenshot = match args {
        [] => root.join("target/book-screenshots/ch05-recursion.png"),
        [flag, path] if flag == "--screenshot" => PathBuf::from(path),
        _ => bail!("usage: cargo xtask browser [--screenshot <png>]"),
    };
    let chromium = find_chromium().context(
        "no Chromium found (set $CHROMIUM, or install Debian's `chromium` package: apt-get install chromium)",
    )?;
    let chapters = extract::read_book(root, &root.join("book"))?;
    let index = book::build(root)?;
    let html_dir = index
        .parent()
        .context("the book's index has no directory")?
        .to_path_buf();
    let base = serve(html_dir.clone())?;
    let profile = tempfile::tempdir()?;
    let browser = Browser {
        program: chromium,
        profile: profile.path().to_path_buf(),
    };

    let mut failures = 0;
    let mut first_listing = None;
    let mut first_quiz = None;
    let mut copied = None;
    for chapter in &chapters {
        let markdown = std::fs::read_to_string(root.join(&chapter.display_path))
            .with_context(|| format!("cannot read {}", chapter.display_path.display()))?;
        let page = chapter.page().display().to_string();
        let expected = Expected::of(&markdown);
        if first_listing.is_none() {
            first_listing = expected
                .first_listing
                .as_ref()
                .map(|anchor| format!("{page}#listing-{anchor}"));
        }
        if expected.quizzes > 0 && first_quiz.is_none() {
            first_quiz = Some(page.clone());
        }
        if copied.is_none() {
            copied = block_with_hidden_lines(chapter, &markdown).map(|block| (chapter, page.clone(), block));
        }
        let mut problems = browser.check_page(&format!("{base}/{page}"), &expected)?;
        let mut checked = expected.describe();
        if expected.graphs > 0 {
            for (width, theme) in VIEWS {
                let measured = browser.measure(&base, &page, width, theme)?;
                problems.extend(measured.problems());
                checked.push_str(&format!("; {}", measured.describe()));
            }
        }
        failures += usize::from(!report(&page, &checked, &problems));
    }
    let (found, problems) = browser.check_search(&base)?;
    failures += usize::from(!report(&format!("search for '{SEARCH_QUERY}'"), &found, &problems));
    let mut checks = chapters.len() + 1;
    if let Some(page) = first_quiz {
        let html = std::fs::read_to_string(html_dir.join(&page)).with_context(|| format!("cannot read {page}"))?;
        let problems = browser.check_quiz(&base, &page, &html)?;
        let what = "a right answer matched, a wrong one refused; without JavaScript, the plain reveal";
        failures += usize::from(!report(&format!("quiz on {page}"), what, &problems));
        checks += 1;
    }
    if let Some((chapter, page, block)) = copied {
        // What verify compiled for the block: its generated file, below the header.
        let file = root
            .join("crates")
            .join(&chapter.crate_name)
            .join(crate::generate::GeneratedCrate::bin_path(&block));
        let generated = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let program = generated.split_once('\n').map_or("", |(_, body)| body);
        let archive = html_dir
            .join(crate::downloads::DIR)
            .join(crate::downloads::file_name(&chapter.crate_name));
        let archive_len = std::fs::metadata(&archive)
            .with_context(|| format!("cannot read {}", archive.display()))?
            .len();
        let (dom, _) = browser.dump_dom_with(
            &format!("{base}/{page}?copy-block={block}"),
            &["--virtual-time-budget=5000"],
        )?;
        let problems = copy_problems(&dom, program, archive_len);
        let what = format!(
            "block `{block}` copied whole, hidden lines and `fn main`, the {} lines of {}; {} fetched, {archive_len} bytes of gzip",
            program.lines().count(),
            crate::layout::display_path(root, &file).display(),
            crate::downloads::file_name(&chapter.crate_name)
        );
        failures += usize::from(!report(
            &format!("copy button and download on {page}"),
            &what,
            &problems,
        ));
        checks += 1;
    }

    if let Some(parent) = screenshot.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    browser.screenshot(&format!("{base}/{SCREENSHOT_PAGE}"), &screenshot)?;
    println!("browser: screenshot of {SCREENSHOT_PAGE}: {}", screenshot.display());
    if let Some(listing) = first_listing {
        let png = screenshot.with_file_name("listing.png");
        browser.screenshot(&format!("{base}/{listing}"), &png)?;
        println!("browser: screenshot of the first listing, {listing}: {}", png.display());
    }
    println!("browser: {} passed, {failures} failed", checks - failures);
    Ok(failures == 0)
}

/// Prints one check's line (and its problems); true when it passed.
fn report(what: &str, checked: &str, problems: &[String]) -> bool {
    if problems.is_empty() {
        println!("browser: {what}: ok ({checked})");
        return true;
    }
    println!("browser: {what}: FAILED");
    for problem in problems {
        println!("  {problem}");
    }
    false
}

/// Where each page with pictures is measured: at a desktop's width and a
/// phone's in mdBook's light theme, and at a desktop's in its darkest,
/// `coal`.
pub const VIEWS: [(u32, &str); 3] = [(1280, "light"), (400, "light"), (1280, "coal")];

/// The smallest text a picture may show, in CSS pixels.
pub const SMALLEST_TEXT_PX: f64 = 10.0;

/// The lowest contrast a picture's text may have against its background:
/// WCAG's 4.5:1 for body text.
pub const SMALLEST_CONTRAST: f64 = 4.5;

/// What `?measure=<theme>` adds to a page shown in a frame
/// (`/xtask-frame`): once it has loaded, it puts the page in mdBook's theme
/// `<theme>` (the class of `<html>`) and writes a `<pre
/// id="xtask-measurements">` into the frame's parent, with a line per graph
/// picture, `picture <width> <content width> <smallest text> <lowest
/// contrast>`, and `page <scroll width> <viewport width>`, in CSS pixels. A
/// picture's text size is its font size in the SVG's units times the SVG's
/// scale on the page; its contrast, WCAG's ratio between each text's colour
/// and the first background behind it that is not transparent.
const MEASURE: &str = r#"
window.addEventListener("load", () => setTimeout(() => {
  const theme = new URLSearchParams(location.search).get("measure");
  if (theme) {
    const html = document.documentElement;
    html.classList.remove("light", "rust", "coal", "navy", "ayu");
    html.classList.add(theme);
  }
  const rgba = (css) => {
    const [r, g, b, a] = (css.match(/[\d.]+/g) || [0, 0, 0, 0]).map(Number);
    return [r, g, b, a === undefined ? 1 : a];
  };
  const behind = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor);
      if (colour[3] > 0) return colour;
    }
    return [255, 255, 255, 1];
  };
  const luminance = ([r, g, b]) => {
    const linear = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const contrast = (x, y) => {
    const [light, dark] = [luminance(x), luminance(y)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  };
  const lines = [];
  for (const svg of document.querySelectorAll(".graph-picture svg")) {
    const box = svg.getBoundingClientRect();
    const content = svg.closest("main").getBoundingClientRect().width;
    const scale = box.width / svg.viewBox.baseVal.width;
    let smallest = Infinity;
    let lowest = Infinity;
    for (const text of svg.querySelectorAll("text")) {
      smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
      lowest = Math.min(lowest, contrast(rgba(getComputedStyle(text).fill), behind(text)));
    }
    lines.push(`picture ${box.width.toFixed(1)} ${content.toFixed(1)} ${smallest.toFixed(1)} ${lowest.toFixed(1)}`);
  }
  lines.push(`page ${document.documentElement.scrollWidth} ${window.innerWidth}`);
  // Written into the frame's parent, whose DOM is the one dumped.
  const into = window.parent.document;
  const pre = into.createElement("pre");
  pre.id = "xtask-measurements";
  pre.textContent = lines.join("\n");
  into.body.append(pre);
}, 0));
"#;

/// What `?answer-quiz` adds to a page: once it has loaded, it answers the
/// first quiz as a reader would, first with the numbers its verified output
/// prints, then with a wrong one, and writes what the page said each time
/// into `<pre id="xtask-quiz">`: `shown <whether the form is visible>`,
/// `right <verdict>`, `wrong <verdict>`.
const ANSWER_QUIZ: &str = r#"
window.addEventListener("load", () => setTimeout(() => {
  const ask = document.querySelector(".quiz-ask");
  const lines = [`shown ${ask !== null && !ask.hidden}`];
  if (ask) {
    const printed = ask.nextElementSibling.querySelector("pre").textContent;
    const numbers = printed.match(/(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])/gi) || [];
    for (const [name, answer] of [["right", numbers.join(" ")], ["wrong", "12345"]]) {
      ask.querySelector(".quiz-answer").value = answer;
      ask.querySelector(".quiz-check").click();
      lines.push(`${name} ${ask.querySelector(".quiz-verdict").textContent}`);
    }
  }
  const pre = document.createElement("pre");
  pre.id = "xtask-quiz";
  pre.textContent = lines.join("\n");
  document.body.append(pre);
}, 0));
"#;

/// What `?copy-block=<name>` adds to a page: once it has loaded, it clicks
/// the copy button of block `<name>` (the `<pre>` after its program
/// element) and records the text mdBook's clipboard code hands to the
/// browser, read from the field it selects when it asks for a copy; then it
/// fetches the chapter's download, as the link above its first program
/// would. It writes `button <found>`, `copied <the texts, as JSON>` and
/// `download <status> <length> <first byte> <second byte>` into `<pre
/// id="xtask-copy">`.
const COPY_AND_DOWNLOAD: &str = r#"
window.addEventListener("load", () => setTimeout(async () => {
  const name = new URLSearchParams(location.search).get("copy-block");
  const program = [...document.querySelectorAll(".block-program")].find((e) => e.dataset.block === name);
  const button = program && program.nextElementSibling && program.nextElementSibling.querySelector(".clip-button");
  const copies = [];
  const execCommand = document.execCommand.bind(document);
  document.execCommand = (command, ...rest) => {
    if (command === "copy") {
      const field = document.activeElement;
      copies.push(field && "value" in field ? field.value.slice(field.selectionStart, field.selectionEnd) : String(getSelection()));
    }
    return execCommand(command, ...rest);
  };
  if (button) button.click();
  const lines = [`button ${Boolean(button)}`, `copied ${JSON.stringify(copies)}`];
  const link = document.querySelector(".chapter-download a");
  if (link) {
    const response = await fetch(link.href);
    const bytes = new Uint8Array(await response.arrayBuffer());
    lines.push(`download ${response.status} ${bytes.length} ${bytes[0]} ${bytes[1]}`);
  }
  const pre = document.createElement("pre");
  pre.id = "xtask-copy";
  pre.textContent = lines.join("\n");
  document.body.append(pre);
}, 0));
"#;

/// The first compiled block of a chapter with a hidden line and no `fn
/// main`: the one whose copied text differs most from what the page shows.
fn block_with_hidden_lines(chapter: &extract::Chapter, markdown: &str) -> Option<String> {
    chapter.compiled_blocks().find_map(|(block, rust)| {
        let source = &markdown[block.range.clone()];
        let hidden = source.lines().any(|line| line.trim_start().starts_with("# "));
        (hidden && !rust.code.contains("fn main")).then(|| rust.name.clone())
    })
}

/// What is wrong with a copy and a download, from what `?copy-block` wrote:
/// the copied text must be `program` exactly, once; the download an HTTP
/// 200 of `archive_len` bytes that start as gzip does.
pub fn copy_problems(dom: &str, program: &str, archive_len: u64) -> Vec<String> {
    let Some(text) = written_by_script(dom, "xtask-copy") else {
        return vec!["the copying script wrote nothing".into()];
    };
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    let line = |key: &str| text.lines().find_map(|l| l.strip_prefix(key)).unwrap_or("");
    let mut problems = Vec::new();
    if line("button ") != "true" {
        problems.push("the block has no copy button".into());
    }
    match serde_json::from_str::<Vec<String>>(line("copied ")) {
        Ok(copies) if copies == [program] => {}
        Ok(copies) => problems.push(format!(
            "the copy button copied {copies:?}, not the program verify compiled:\n{program}"
        )),
        Err(error) => problems.push(format!("cannot read what was copied: {error}")),
    }
    let expected = format!("200 {archive_len} 31 139");
    if line("download ") != expected {
        problems.push(format!(
            "the chapter's download: `{}`, expected `{expected}` (status, bytes, gzip's first two)",
            line("download ")
        ));
    }
    problems
}

/// The text of the `<pre id="{id}">` a script the server added wrote into `dom`.
fn written_by_script<'a>(dom: &'a str, id: &str) -> Option<&'a str> {
    let open = format!("<pre id=\"{id}\">");
    let start = dom.find(&open)? + open.len();
    Some(&dom[start..start + dom[start..].find("</pre>")?])
}

/// What answering a quiz showed: whether the form was there, and the
/// verdicts on a right and a wrong answer.
pub fn quiz_problems(dom: &str) -> Vec<String> {
    let Some(text) = written_by_script(dom, "xtask-quiz") else {
        return vec!["the quiz answering script wrote nothing".into()];
    };
    let mut problems = Vec::new();
    if !text.lines().any(|l| l == "shown true") {
        problems.push("the quiz's answer form is not shown".into());
    }
    if !text
        .lines()
        .any(|l| l == "right Your numbers match the verified output.")
    {
        problems.push(format!("the output's own numbers were not accepted: {text:?}"));
    }
    if !text.lines().any(|l| l.starts_with("wrong Not quite")) {
        problems.push(format!("a wrong answer was not refused: {text:?}"));
    }
    problems
}

/// One picture as a page shows it, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Picture {
    pub width: f64,
    pub content_width: f64,
    pub smallest_text: f64,
    /// The lowest contrast ratio of its text against its background (21 is
    /// black on white).
    pub contrast: f64,
}

/// A page's measurements at one window width.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurements {
    pub window: u32,
    /// mdBook's theme the page was shown in: `light`, `coal`…
    pub theme: String,
    pub pictures: Vec<Picture>,
    /// How wide the page's body is, and how wide the window shows it.
    pub scroll_width: f64,
    pub viewport_width: f64,
}

impl Measurements {
    /// The measurements a `?measure=<theme>` page wrote into its DOM.
    pub fn parse(dom: &str, window: u32, theme: &str) -> Option<Self> {
        let text = written_by_script(dom, "xtask-measurements")?;
        let mut measured = Measurements {
            window,
            theme: theme.to_string(),
            pictures: Vec::new(),
            scroll_width: 0.0,
            viewport_width: 0.0,
        };
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let numbers: Vec<f64> = words.iter().skip(1).filter_map(|w| w.parse().ok()).collect();
            match (words.first(), numbers.as_slice()) {
                (Some(&"picture"), &[width, content_width, smallest_text, contrast]) => {
                    measured.pictures.push(Picture {
                        width,
                        content_width,
                        smallest_text,
                        contrast,
                    });
                }
                (Some(&"page"), &[scroll, viewport]) => {
                    (measured.scroll_width, measured.viewport_width) = (scroll, viewport)
                }
                _ => return None,
            }
        }
        Some(measured)
    }

    /// What is wrong: a picture wider than the content, text smaller than
    /// [`SMALLEST_TEXT_PX`] or of a contrast under [`SMALLEST_CONTRAST`], a
    /// body wider than the window.
    pub fn problems(&self) -> Vec<String> {
        let at = format!("{} px ({})", self.window, self.theme);
        let mut problems = Vec::new();
        for (k, p) in self.pictures.iter().enumerate() {
            if p.width > p.content_width + 0.5 {
                problems.push(format!(
                    "at {at}, picture {k} is {:.1} px wide, wider than the content ({:.1} px)",
                    p.width, p.content_width
                ));
            }
            if p.smallest_text < SMALLEST_TEXT_PX {
                problems.push(format!(
                    "at {at}, picture {k} shows text of {:.1} px, under {SMALLEST_TEXT_PX} px",
                    p.smallest_text
                ));
            }
            if p.contrast < SMALLEST_CONTRAST {
                problems.push(format!(
                    "at {at}, picture {k} shows text at a contrast of {:.1}:1 with its background, under \
                     {SMALLEST_CONTRAST}:1",
                    p.contrast
                ));
            }
        }
        if self.scroll_width > self.viewport_width + 0.5 {
            problems.push(format!(
                "at {at}, the page is {} px wide and scrolls sideways",
                self.scroll_width
            ));
        }
        problems
    }

    /// For the report: `at 400 px (light): picture 149 of 360 px, text 14.7
    /// px, contrast 21.0:1; page 400 of 400 px`.
    pub fn describe(&self) -> String {
        let pictures: Vec<String> = self
            .pictures
            .iter()
            .map(|p| {
                format!(
                    "picture {:.0} of {:.0} px, text {:.1} px, contrast {:.1}:1",
                    p.width, p.content_width, p.smallest_text, p.contrast
                )
            })
            .collect();
        format!(
            "at {} px ({}): {}; page {:.0} of {:.0} px",
            self.window,
            self.theme,
            pictures.join("; "),
            self.scroll_width,
            self.viewport_width
        )
    }
}

/// A word every chapter uses: the search must find it.
const SEARCH_QUERY: &str = "gradient";

/// The number in mdBook's "N search results for 'query'" header, if shown.
pub fn search_result_count(dom: &str, query: &str) -> Option<usize> {
    let end = [" search results for '", " search result for '"]
        .iter()
        .find_map(|words| dom.find(&format!("{words}{query}'")))?;
    let digits: Vec<char> = dom[..end].chars().rev().take_while(char::is_ascii_digit).collect();
    digits.into_iter().rev().collect::<String>().parse().ok()
}

/// `$CHROMIUM`, else the first of Debian's and others' names found on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

struct Browser {
    program: PathBuf,
    profile: PathBuf,
}

impl Browser {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ]);
        command.arg(format!("--user-data-dir={}", self.profile.display()));
        command
    }

    /// What is wrong with a chapter's page: its console messages, and what
    /// its DOM lacks of what its markdown asks for.
    fn check_page(&self, url: &str, expected: &Expected) -> Result<Vec<String>> {
        let (dom, log) = self.dump_dom(url)?;
        let mut problems: Vec<String> = console_errors(&log)
            .into_iter()
            .map(|line| format!("console: {line}"))
            .collect();
        problems.extend(check_dom(&dom, expected));
        Ok(problems)
    }

    /// mdBook's search: a query in the URL opens the search bar with its
    /// results, once the index has loaded (hence the virtual time budget).
    /// What it found, and what is wrong.
    fn check_search(&self, base: &str) -> Result<(String, Vec<String>)> {
        let url = format!("{base}/introduction.html?search={SEARCH_QUERY}");
        let (dom, log) = self.dump_dom_with(&url, &["--virtual-time-budget=10000"])?;
        let mut problems: Vec<String> = console_errors(&log)
            .into_iter()
            .map(|line| format!("console: {line}"))
            .collect();
        let found = search_result_count(&dom, SEARCH_QUERY);
        if found.is_none_or(|n| n == 0) {
            problems.push(format!(
                "search for '{SEARCH_QUERY}' shows {found:?} results, expected some"
            ));
        }
        Ok((format!("{} results", found.unwrap_or(0)), problems))
    }

    /// A quiz answered right and wrong; and the page as it is without
    /// JavaScript, its HTML (`html`): the form hidden, the reveal there.
    fn check_quiz(&self, base: &str, page: &str, html: &str) -> Result<Vec<String>> {
        let (dom, _) = self.dump_dom_with(&format!("{base}/{page}?answer-quiz"), &["--virtual-time-budget=3000"])?;
        let mut problems = quiz_problems(&dom);
        if !html.contains("<div class=\"quiz-ask\" hidden") || !html.contains("<details class=\"quiz\">") {
            problems.push("without JavaScript, the quiz is not the plain reveal with its form hidden".into());
        }
        Ok(problems)
    }

    /// A page's measurements in a frame `width` pixels wide, in mdBook's `theme`.
    fn measure(&self, base: &str, page: &str, width: u32, theme: &str) -> Result<Measurements> {
        let size = format!("--window-size={},2100", width + 100);
        let url = format!("{base}/xtask-frame?{page}&{width}&{theme}");
        let (dom, _) = self.dump_dom_with(&url, &[&size, "--virtual-time-budget=5000"])?;
        Measurements::parse(&dom, width, theme)
            .with_context(|| format!("{page} wrote no measurements at {width} px ({theme})"))
    }

    /// The page's DOM after load, and Chromium's log.
    fn dump_dom(&self, url: &str) -> Result<(String, String)> {
        self.dump_dom_with(url, &[])
    }

    /// [`Browser::dump_dom`] with extra Chromium flags.
    fn dump_dom_with(&self, url: &str, flags: &[&str]) -> Result<(String, String)> {
        let output = self
            .command()
            .args(flags)
            .args(["--dump-dom", url])
            .output()
            .with_context(|| format!("cannot run {}", self.program.display()))?;
        if !output.status.success() {
            bail!(
                "{} --dump-dom {url} failed ({}):\n{}",
                self.program.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok((
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ))
    }

    fn screenshot(&self, url: &str, png: &Path) -> Result<()> {
        let png = std::path::absolute(png)?;
        let output = self
            .command()
            .arg("--window-size=1200,2400")
            .arg(format!("--screenshot={}", png.display()))
            .arg(url)
            .output()
            .with_context(|| format!("cannot run {}", self.program.display()))?;
        if !output.status.success() || !png.is_file() {
            bail!(
                "{} --screenshot of {url} failed ({}):\n{}",
                self.program.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }
}

/// Serves `dir` on 127.0.0.1 at an ephemeral port, from a thread that lives
/// as long as the process; returns the base URL.
fn serve(dir: PathBuf) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot listen on 127.0.0.1")?;
    let base = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                // A broken connection concerns only that request.
                let _ = respond(&dir, stream);
            });
        }
    });
    Ok(base)
}

/// Answers one GET request with the file it names (`/` → `index.html`), or 404.
fn respond(dir: &Path, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some(request) = http::read_request(&stream)? else {
        return Ok(());
    };
    // `/xtask-frame?<page>&<width>&<theme>`: the page in a frame that many
    // pixels wide (headless Chromium's window is never narrower than 500 px).
    let frame: Vec<&str> = request.query.split('&').collect();
    if let ("/xtask-frame", [page, width, theme]) = (request.path.as_str(), frame.as_slice()) {
        let body = format!(
            "<!DOCTYPE html><html><body style=\"margin:0\">\
             <iframe src=\"{page}?measure={theme}\" width=\"{width}\" height=\"2000\" style=\"border:0\"></iframe></body></html>"
        );
        return http::respond(&stream, "200 OK", "text/html; charset=utf-8", body.as_bytes(), false);
    }
    let file = http::file_for(dir, &request.path);
    let Some((file, mut body)) = file.and_then(|file| std::fs::read(&file).ok().map(|body| (file, body))) else {
        return http::respond(&stream, "404 Not Found", "text/plain", b"not found", false);
    };
    let kind = http::content_type(&file);
    // `?measure=<theme>`: the page with a script that writes its measurements in.
    let script = match request.query.as_str() {
        query if query.starts_with("measure=") => Some(MEASURE),
        "answer-quiz" => Some(ANSWER_QUIZ),
        query if query.starts_with("copy-block=") => Some(COPY_AND_DOWNLOAD),
        _ => None,
    };
    if let Some(script) = script.filter(|_| kind.starts_with("text/html")) {
        let page = String::from_utf8_lossy(&body).replacen("</body>", &format!("<script>{script}</script></body>"), 1);
        body = page.into_bytes();
    }
    http::respond(&stream, "200 OK", kind, &body, false)
}

/// The page's console messages in Chromium's log (`--enable-logging=stderr
/// --v=0`): every `CONSOLE` line, uncaught exceptions included. Chromium's
/// own complaints (no D-Bus, no GPU) are not the page's and are ignored.
pub fn console_errors(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| {
            line.contains(":CONSOLE") || line.contains("Uncaught") || line.contains("Failed to load resource")
        })
        .map(|line| {
            // `[pid:tid:time:INFO:CONSOLE:1] "message", source: …`: from the message on.
            line.find("] ").map_or(line, |i| &line[i + 2..]).to_string()
        })
        .collect()
}

/// What a chapter's markdown says its page must show.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// Runnable Rust blocks: each has a verified output.
    pub outputs: usize,
    /// Whether the chapter has `$…$` or `$$…$$` formulas.
    pub math: bool,
    /// Blocks marked `graph`.
    pub graphs: usize,
    /// Blocks marked `quiz`.
    pub quizzes: usize,
    /// Listings of the engine's source (`rust,listing`), each with its
    /// caption; the first one's anchor, for a screenshot.
    pub listings: usize,
    pub first_listing: Option<String>,
}

impl Expected {
    /// What was checked, for the report: `12 outputs, math, 1 graph(s), 1 quiz(zes)`.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("{} output(s)", self.outputs)];
        if self.math {
            parts.push("math".into());
        }
        if self.graphs > 0 {
            parts.push(format!("{} graph(s)", self.graphs));
        }
        if self.quizzes > 0 {
            parts.push(format!("{} quiz(zes)", self.quizzes));
        }
        if self.listings > 0 {
            parts.push(format!("{} listing(s)", self.listings));
        }
        parts.join(", ")
    }

    pub fn of(markdown: &str) -> Self {
        let blocks = extract::blocks(markdown);
        let mut expected = Expected::default();
        let mut prose = String::new();
        let mut cursor = 0;
        for block in &blocks {
            if let BlockKind::Rust(rust) = &block.kind
                && rust.mode.runs()
            {
                expected.outputs += 1;
            }
            // The info string's words, read here so this check does not
            // depend on how the extractor stores them.
            let info = markdown[block.range.start..]
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches([' ', '>', '`', '~']);
            let words: Vec<&str> = info.split(',').map(str::trim).collect();
            expected.graphs += usize::from(words.contains(&"graph"));
            expected.quizzes += usize::from(words.contains(&"quiz"));
            match &block.kind {
                BlockKind::Listing(listing) => {
                    expected.listings += 1;
                    if expected.first_listing.is_none() {
                        expected.first_listing = listing.includes.first().map(|include| include.anchor.clone());
                    }
                }
                // A first version has its caption too.
                BlockKind::Version(_) => expected.listings += 1,
                _ => {}
            }
            prose.push_str(&markdown[cursor.min(block.range.start)..block.range.start]);
            cursor = block.range.end;
        }
        prose.push_str(&markdown[cursor.min(markdown.len())..]);
        expected.math = has_formula(&prose);
        expected
    }
}

/// Whether prose (code blocks removed) has a `$…$` formula outside inline
/// code: a `$` followed by a non-space, closed by a later `$` on the same
/// paragraph.
fn has_formula(prose: &str) -> bool {
    prose.split("\n\n").any(|paragraph| {
        let mut outside_code = String::new();
        for (i, part) in paragraph.split('`').enumerate() {
            if i % 2 == 0 {
                outside_code.push_str(part);
                outside_code.push(' ');
            }
        }
        let mut rest = outside_code.as_str();
        while let Some(start) = rest.find('$') {
            let after = rest[start..].trim_start_matches('$');
            if after.starts_with(|c: char| !c.is_whitespace()) && after.contains('$') {
                return true;
            }
            rest = after;
        }
        false
    })
}

/// What is wrong with a page's DOM, given what its markdown asks for.
pub fn check_dom(dom: &str, expected: &Expected) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(main) = element_text(dom, "<main", "</main>") else {
        return vec!["no <main> element: the page did not render".into()];
    };
    let outputs = verified_outputs(main);
    if outputs.len() < expected.outputs {
        problems.push(format!(
            "{} verified output(s) shown, {} runnable block(s) in the chapter",
            outputs.len(),
            expected.outputs
        ));
    }
    for (n, (label, text)) in outputs.iter().enumerate() {
        if !label.contains("(nothing)") && text.trim().is_empty() {
            problems.push(format!("verified output {} (`{label}`) is empty", n + 1));
        }
    }
    if expected.math && !main.contains("<math") {
        problems.push("the chapter has $…$ formulas but the page has no <math> element".into());
    }
    for (n, formula) in formulas(main).iter().enumerate() {
        if let Some(at) = escaped_tag(formula) {
            let shown: String = formula[at..].chars().take(120).collect();
            problems.push(format!("formula {} shows markup as text: {shown}", n + 1));
        }
    }
    let pictures = main.matches("<svg").count();
    if pictures < expected.graphs {
        problems.push(format!(
            "{pictures} <svg> picture(s) shown, {} graph block(s) in the chapter",
            expected.graphs
        ));
    }
    let captions = main.matches("class=\"listing-caption\"").count();
    if captions < expected.listings {
        problems.push(format!(
            "{captions} listing caption(s) shown, {} listing(s) in the chapter",
            expected.listings
        ));
    }
    for leftover in ["{{#include", "ANCHOR:", "ANCHOR_END:"] {
        if main.contains(leftover) {
            problems.push(format!(
                "the page shows `{leftover}`: a listing was not expanded as mdBook does"
            ));
        }
    }
    let reveals = main.matches("<details").count();
    if reveals < expected.quizzes {
        problems.push(format!(
            "{reveals} <details> reveal(s) shown, {} quiz block(s) in the chapter",
            expected.quizzes
        ));
    }
    problems
}

/// Where a formula shows a tag as text (`&lt;mo …` or `&lt;/mo&gt;`): a tag
/// the page's HTML escaped because it could not parse it. An operator `<`
/// is `&lt;` too, but no letter follows it; the TeX source in `<annotation>`
/// is not shown, and may hold anything.
fn escaped_tag(formula: &str) -> Option<usize> {
    let shown = match (formula.find("<annotation"), formula.find("</annotation>")) {
        (Some(start), Some(_)) => &formula[..start],
        _ => formula,
    };
    shown.match_indices("&lt;").map(|(at, _)| at).find(|&at| {
        shown[at + 4..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
    })
}

/// The inside of every `<math …>…</math>` element, in order.
fn formulas(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<math") {
        let Some(end) = rest[start..].find("</math>") else {
            break;
        };
        found.push(&rest[start..start + end]);
        rest = &rest[start + end..];
    }
    found
}

/// From the first `open` to the last `close`.
fn element_text<'a>(html: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = html.find(open)?;
    let end = html.rfind(close)?;
    (end > start).then(|| &html[start..end])
}

/// Each `<p class="verified-output">label</p>` and the text of the `<pre>`
/// that follows it ("" when none does).
fn verified_outputs(html: &str) -> Vec<(String, String)> {
    let marker = "class=\"verified-output\"";
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(marker) {
        rest = &rest[at + marker.len()..];
        let label_start = rest.find('>').map_or(0, |i| i + 1);
        let label_end = rest.find("</p>").unwrap_or(label_start).max(label_start);
        let label = strip_tags(&rest[label_start..label_end]);
        let after = rest[label_end..].trim_start_matches("</p>").trim_start();
        let text = if after.starts_with("<pre") {
            strip_tags(&after[..after.find("</pre>").unwrap_or(after.len())])
        } else {
            String::new()
        };
        found.push((label.trim().to_string(), text));
    }
    found
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Chromium 156 printed for a page that logs, errs and throws.
    const LOG: &str = "\
/usr/bin/chromium: 9: [: 25276510208: unexpected operator
[31052:31148:1123/171105.222478:ERROR:dbus/bus.cc:405] Failed to connect to the bus: Failed to connect to socket /run/dbus/system_bus_socket: No such file or directory
[31180:31180:1123/171105.686143:WARNING:media/gpu/vaapi/vaapi_wrapper.cc:1655] drmGetDevices2() has not found any devices
[31052:31052:1123/171106.530672:INFO:CONSOLE:1] \"deliberate console error\", source: file:///tmp/brtest/err.html (1)
[31052:31052:1123/171106.530960:INFO:CONSOLE:1] \"Uncaught ReferenceError: undefinedFunction is not defined\", source: file:///tmp/brtest/err.html (1)
";

    #[test]
    fn the_search_result_count_is_read_from_mdbooks_header() {
        let dom =
            r#"<div id="searchresults-header" class="searchresults-header">3 search results for 'selection':</div>"#;
        assert_eq!(search_result_count(dom, "selection"), Some(3));
        assert_eq!(search_result_count(">1 search result for 'x':", "x"), Some(1));
        assert_eq!(search_result_count(">No search results for 'x'.", "x"), None);
        assert_eq!(search_result_count("<div>nothing searched</div>", "selection"), None);
    }

    #[test]
    fn console_messages_are_found_and_chromiums_own_noise_is_not() {
        assert_eq!(
            console_errors(LOG),
            [
                "\"deliberate console error\", source: file:///tmp/brtest/err.html (1)",
                "\"Uncaught ReferenceError: undefinedFunction is not defined\", source: file:///tmp/brtest/err.html (1)"
            ]
        );
        let quiet: String = LOG.lines().take(3).map(|l| format!("{l}\n")).collect();
        assert!(console_errors(&quiet).is_empty());
    }

    #[test]
    fn expectations_come_from_the_markdown() {
        let markdown = "# T\n\nThe loss $L = (y - t)^2$ and `$HOME` in code.\n\n\
                        ```rust,name=a\nprintln!(\"a\");\n```\n\n```rust,name=b,no_run\nloop {}\n```\n\n\
                        ```rust,name=p,should_panic\npanic!(\"p\");\n```\n\n```text\n$x$ is not prose\n```\n";
        assert_eq!(
            Expected::of(markdown),
            Expected {
                outputs: 2,
                math: true,
                graphs: 0,
                quizzes: 0,
                ..Expected::default()
            }
        );
        // Read from the info strings, whether or not the extractor knows the words yet.
        let marked = Expected::of(
            "```rust,name=g,graph\nx\n```\n\n```rust,name=q,quiz\ny\n```\n\n```rust,name=r,quiz\nz\n```\n",
        );
        assert_eq!((marked.graphs, marked.quizzes, marked.math), (1, 2, false));
        let plain = Expected::of("# T\n\nCosts `$5` in code, and `$x$` too; $ 5 and $ 6.\n\n```text\n$a$ b $c$\n```\n");
        assert!(!plain.math, "{plain:?}");
    }

    const PAGE: &str = "<html><body><nav><svg></svg></nav><main><h1>T</h1>\
        <pre><code>code</code></pre><p class=\"verified-output\">Output:</p>\n<pre><code class=\"language-text\">x = <span>3</span></code></pre>\
        <p class=\"verified-output\">Output: (nothing)</p>\
        <div class=\"graph-picture\"><svg><g></g></svg></div>\
        <details class=\"quiz\"><summary>Reveal</summary><p class=\"verified-output\">Output:</p><pre><code>42</code></pre></details>\
        <p><math><mi>x</mi></math></p></main></body></html>";

    #[test]
    fn measurements_are_read_and_a_wide_picture_small_text_or_wide_page_fails() {
        let dom = "<body><iframe></iframe><pre id=\"xtask-measurements\">picture 149.0 360.0 14.7 21.0\n\
                   picture 360.0 360.0 8.0 21.0\npage 400 400</pre><pre>other</pre></body>";
        let measured = Measurements::parse(dom, 400, "light").expect("parsed");
        assert_eq!(measured.pictures.len(), 2);
        assert_eq!(
            measured.pictures[0],
            Picture {
                width: 149.0,
                content_width: 360.0,
                smallest_text: 14.7,
                contrast: 21.0,
            }
        );
        // The second is as the old left-to-right top-k picture would be:
        // 1034 pt (1379 px) shrunk into 750 px, its 14.7 px text to about 8.
        assert_eq!(
            measured.problems(),
            ["at 400 px (light), picture 1 shows text of 8.0 px, under 10 px"]
        );
        let wide = Measurements::parse(
            "<pre id=\"xtask-measurements\">picture 500.0 360.0 14.7 21.0\npage 520 400</pre>",
            400,
            "light",
        )
        .expect("parsed");
        assert_eq!(
            wide.problems(),
            [
                "at 400 px (light), picture 0 is 500.0 px wide, wider than the content (360.0 px)",
                "at 400 px (light), the page is 520 px wide and scrolls sideways",
            ]
        );
        // Black text on a dark theme's background, as a picture without
        // its own white background would show it.
        let dark = Measurements::parse(
            "<pre id=\"xtask-measurements\">picture 149.0 750.0 14.7 1.2\npage 1280 1280</pre>",
            1280,
            "coal",
        )
        .expect("parsed");
        assert_eq!(
            dark.problems(),
            ["at 1280 px (coal), picture 0 shows text at a contrast of 1.2:1 with its background, under 4.5:1"]
        );
        assert_eq!(Measurements::parse("<pre>no measurements</pre>", 400, "light"), None);
    }

    #[test]
    fn a_quiz_must_show_its_form_accept_the_output_and_refuse_a_wrong_answer() {
        let answered = "<pre id=\"xtask-quiz\">shown true\nright Your numbers match the verified output.\n\
                        wrong Not quite: number 1 is not 12345.</pre>";
        assert!(quiz_problems(answered).is_empty());
        let careless = "<pre id=\"xtask-quiz\">shown false\nright Not quite: number 2 is not 8.\n\
                        wrong Your numbers match the verified output.</pre>";
        assert_eq!(quiz_problems(careless).len(), 3);
        assert_eq!(
            quiz_problems("<body></body>"),
            ["the quiz answering script wrote nothing"]
        );
    }

    #[test]
    fn a_copy_must_be_the_whole_program_once_and_the_download_gzip_of_its_length() {
        let program = "fn main() {\n    let a = 1 < 2 && true;\n}\n";
        let copied = "<pre id=\"xtask-copy\">button true\n\
                      copied [\"fn main() {\\n    let a = 1 &lt; 2 &amp;&amp; true;\\n}\\n\"]\n\
                      download 200 65 31 139</pre>";
        assert_eq!(copy_problems(copied, program, 65), Vec::<String>::new());
        // What mdBook copies by itself: the visible lines only.
        let visible = "<pre id=\"xtask-copy\">button true\ncopied [\"let a = 1;\"]\ndownload 200 65 31 139</pre>";
        let problems = copy_problems(visible, program, 65);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("the copy button copied [\"let a = 1;\"]"),
            "{problems:?}"
        );
        // Copied twice (mdBook's handler as well as ours), no button, a missing archive.
        let wrong = "<pre id=\"xtask-copy\">button false\ncopied [\"a\", \"a\"]\ndownload 404 9 110 111</pre>";
        assert_eq!(copy_problems(wrong, program, 65).len(), 3);
        assert_eq!(
            copy_problems("<body></body>", program, 65),
            ["the copying script wrote nothing"]
        );
    }

    #[test]
    fn a_page_that_shows_everything_passes() {
        let expected = Expected {
            outputs: 3,
            math: true,
            graphs: 1,
            quizzes: 1,
            ..Expected::default()
        };
        assert_eq!(check_dom(PAGE, &expected), Vec::<String>::new());
        assert_eq!(
            verified_outputs(PAGE),
            [
                ("Output:".to_string(), "x = 3".to_string()),
                ("Output: (nothing)".into(), "".into()),
                ("Output:".into(), "42".into())
            ]
        );
    }

    #[test]
    fn missing_outputs_math_graphs_and_quizzes_are_reported() {
        let expected = Expected {
            outputs: 4,
            math: true,
            graphs: 2,
            quizzes: 2,
            ..Expected::default()
        };
        let page = PAGE
            .replace("<math><mi>x</mi></math>", "$x$")
            .replace("<code>42</code>", "<code> </code>");
        let problems = check_dom(&page, &expected);
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert!(problems[0].contains("3 verified output(s) shown, 4 runnable"));
        assert!(problems[1].contains("verified output 3 (`Output:`) is empty"));
        assert!(problems[2].contains("no <math>"));
        assert!(
            problems[3].contains("1 <svg> picture(s) shown, 2 graph"),
            "the nav's icon is not counted"
        );
        assert!(problems[4].contains("1 <details> reveal(s) shown, 2 quiz"));
        assert_eq!(check_dom("<html><body>oops</body></html>", &expected).len(), 1);
    }

    #[test]
    fn escaped_markup_inside_a_formula_is_reported() {
        let expected = Expected {
            outputs: 0,
            math: true,
            graphs: 0,
            quizzes: 0,
            ..Expected::default()
        };
        // What the browser made of pulldown-latex's `stretchy="true"minsize=…`
        // once mdBook had escaped the tag.
        let page = "<main><p>L = <math><mi>g</mi>&lt;mo symmetric=\"true\"&gt;(</math></p></main>";
        let problems = check_dom(page, &expected);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(
            problems[0].starts_with("formula 1 shows markup as text: &lt;mo symmetric"),
            "{problems:?}"
        );
        // An operator `<` or `>` is escaped too, and is no problem; nor is
        // whatever the TeX source in the annotation holds.
        let operators = "<main><math><semantics><mi>y</mi><mo>&gt;</mo><mo>&lt;</mo>\
                         <annotation encoding=\"application/x-tex\">y &gt; 0, a&lt;b</annotation></semantics></math></main>";
        assert!(
            check_dom(operators, &expected).is_empty(),
            "{:?}",
            check_dom(operators, &expected)
        );
    }
}
