//! The HTTP that `cargo xtask serve` and `cargo xtask browser` speak: a GET
//! or HEAD request read, one response written, the connection closed. That
//! is all a browser needs from a server of the built book on the machine
//! itself, and it takes a few lines over `std::net`.

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Component, Path, PathBuf};

/// What a browser asked for.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The path, percent-decoded, without its query (`/ch01-x.html`).
    pub path: String,
    /// What follows the `?`, as sent (`measure`), or nothing.
    pub query: String,
}

/// The request on `stream`, or `None` if it is not one this server reads
/// (the client hung up, or sent no request line).
pub fn read_request(stream: &TcpStream) -> io::Result<Option<Request>> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return Ok(None);
    };
    // The headers are read and ignored: the answer depends only on the path.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let target = target.split('#').next().unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Ok(Some(Request {
        method: method.to_string(),
        path: percent_decoded(path),
        query: query.to_string(),
    }))
}

/// Writes a whole response; the body is left out for a HEAD request.
pub fn respond(mut stream: &TcpStream, status: &str, content_type: &str, body: &[u8], head: bool) -> io::Result<()> {
    // Every answer is of the book as it is now: the browser must not keep one.
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes())?;
    if !head {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// The file under `root` that the URL path names (a directory's
/// `index.html`), or `None` for a path that leaves `root`.
pub fn file_for(root: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = Path::new(url_path.trim_start_matches('/'));
    if !relative.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let path = root.join(relative);
    Some(if path.is_dir() { path.join("index.html") } else { path })
}

/// The `Content-Type` of a file of the rendered book, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `%2F`-style escapes decoded; a malformed one is kept as written.
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| path.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_map_to_files_under_the_root_and_never_outside_it() {
        let root = Path::new("/book");
        assert_eq!(
            file_for(root, "/ch01-x.html").as_deref(),
            Some(Path::new("/book/ch01-x.html"))
        );
        assert_eq!(
            file_for(root, &percent_decoded("/a%20b.css")).as_deref(),
            Some(Path::new("/book/a b.css"))
        );
        assert_eq!(file_for(root, "/../etc/passwd"), None);
        assert_eq!(file_for(root, &percent_decoded("/%2E%2E/secret")), None);
        assert_eq!(percent_decoded("/100%"), "/100%");
        assert_eq!(content_type(Path::new("x/y.html")), "text/html; charset=utf-8");
    }
}
