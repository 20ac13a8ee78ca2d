//! Checks the rendered book's internal links: every relative `href` must
//! name a file that exists, and every `#fragment` an `id` in that file.
//! [`crate::book`] reports each broken one at the chapter line that wrote it.
//!
//! mdBook does not check links itself, and a broken one only shows when a
//! reader clicks it. The HTML it writes is regular, so a small scanner over
//! `href="…"` and `id="…"` attributes is enough; no HTML parser needed.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A link that leads nowhere.
#[derive(Debug, PartialEq, Eq)]
pub struct BrokenLink {
    /// The page the link is on, relative to the book's root.
    pub page: PathBuf,
    /// The link as written.
    pub href: String,
    /// What is missing.
    pub problem: String,
}

impl fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: link `{}`: {}", self.page.display(), self.href, self.problem)
    }
}

/// Every broken internal link of the HTML book rendered in `dir`.
pub fn check(dir: &Path) -> Result<Vec<BrokenLink>> {
    let mut pages = Vec::new();
    collect_html(dir, &mut pages)?;
    pages.sort();
    let mut ids: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut texts = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).with_context(|| format!("cannot read {}", page.display()))?;
        ids.insert(page.clone(), attribute_values(&text, "id").into_iter().collect());
        texts.push(text);
    }
    let mut broken = Vec::new();
    for (page, text) in pages.iter().zip(&texts) {
        for href in attribute_values(text, "href") {
            if let Some(problem) = problem_with(dir, page, &href, &ids) {
                let page = page.strip_prefix(dir).unwrap_or(page).to_path_buf();
                broken.push(BrokenLink { page, href, problem });
            }
        }
    }
    Ok(broken)
}

fn collect_html(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let pages = crate::layout::files_under(dir)?;
    out.extend(
        pages
            .into_iter()
            .filter(|path| path.extension().is_some_and(|e| e == "html")),
    );
    Ok(())
}

/// The values of every `name="…"` attribute in `html`, entity-decoded.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    attribute_values_at(html, name)
        .into_iter()
        .map(|(_, value)| value)
        .collect()
}

/// The values of every `name="…"` attribute in `html`, entity-decoded, each
/// with the byte offset of its attribute.
pub fn attribute_values_at(html: &str, name: &str) -> Vec<(usize, String)> {
    let pattern = format!("{name}=\"");
    let mut values = Vec::new();
    let mut offset = 0;
    while let Some(found) = html[offset..].find(&pattern) {
        let at = offset + found;
        // An attribute name starts after whitespace (`data-id=` is not `id=`).
        let preceded_by_space = at > 0 && html.as_bytes()[at - 1].is_ascii_whitespace();
        let value_start = at + pattern.len();
        let Some(end) = html[value_start..].find('"') else {
            break;
        };
        if preceded_by_space {
            let value = &html[value_start..value_start + end];
            values.push((at, value.replace("&amp;", "&").replace("&quot;", "\"")));
        }
        offset = value_start + end;
    }
    values
}

/// Why `href` on `page` leads nowhere, or `None` if it is fine or external.
fn problem_with(root: &Path, page: &Path, href: &str, ids: &HashMap<PathBuf, HashSet<String>>) -> Option<String> {
    let external = ["http:", "https:", "mailto:", "javascript:", "data:", "//"];
    if href.is_empty() || external.iter().any(|scheme| href.starts_with(scheme)) {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (href, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let target = if path.is_empty() {
        page.to_path_buf()
    } else {
        let base = if path.starts_with('/') {
            root
        } else {
            page.parent().unwrap_or(root)
        };
        let mut target = normalize(&base.join(percent_decode(path.trim_start_matches('/'))));
        if path.ends_with('/') || target.is_dir() {
            target.push("index.html");
        }
        target
    };
    if !target.exists() {
        return Some(format!(
            "{} does not exist",
            target.strip_prefix(root).unwrap_or(&target).display()
        ));
    }
    match (fragment, ids.get(&target)) {
        (Some(fragment), Some(ids)) if !fragment.is_empty() && !ids.contains(&percent_decode(fragment)) => {
            Some(format!("no element with id `{fragment}`"))
        }
        _ => None,
    }
}

/// Resolves `.` and `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Decodes `%XX` escapes (mdBook writes them for non-ASCII anchors).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn finds_missing_pages_and_anchors_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "index.html",
            r##"<a href="ch01.html#intro">ok</a> <a href="ch01.html#gone">bad anchor</a>
            <a href="missing.html">bad page</a> <a href="https://example.com/x.html">external</a>
            <a href="#top">self</a> <h1 id="top">t</h1> <a href="sub/">dir</a> <div data-id="x"></div>"##,
        );
        write(
            root,
            "ch01.html",
            r##"<h2 id="intro">x</h2> <a href="index.html?q=1#top">back</a>"##,
        );
        write(
            root,
            "sub/index.html",
            r##"<a href="../ch01.html#x">up</a> <a href="#x">here</a>"##,
        );
        let broken = check(root).unwrap();
        let found: Vec<String> = broken.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "index.html: link `ch01.html#gone`: no element with id `gone`",
                "index.html: link `missing.html`: missing.html does not exist",
                "sub/index.html: link `../ch01.html#x`: no element with id `x`",
                "sub/index.html: link `#x`: no element with id `x`",
            ]
        );
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("top-k%E2%80%99s"), "top-k’s");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
