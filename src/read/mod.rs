//! Stage 1, read: walk a corpus folder and turn each supported file into text.
//!
//! Every reader ends in the same [`SourceFile`]: plain text
//! ([`SourceFormat::Text`], as a PDF or Word extraction) or Markdown
//! ([`SourceFormat::Markdown`]), so normalising and parsing do not care where
//! the text came from.
//!
//! | file | reader | text |
//! |---|---|---|
//! | `.txt` `.text` | [`encoding`]: BOM, UTF-8, UTF-16, GBK/GB18030, Big5 | plain (Markdown when it looks like it) |
//! | `.md` `.markdown` | [`encoding`] | Markdown |
//! | `.docx` | [`docx`]: `word/document.xml` with styles and numbering | Markdown |
//! | `.html` `.htm` | [`html`]: main text of the page | Markdown |
//! | `.pdf` | [`pdf`]: text layer, page headers/footers removed | plain |
//!
//! A file that cannot be read yields an error naming the file and the reason;
//! nothing here panics on bad input.

pub mod docx;
pub mod encoding;
pub mod html;
pub mod pdf;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Largest text file (`.txt`, `.md`, `.html`) read, in bytes: a bigger one is
/// reported, not read (it is a dump or a log, not a document).
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// Largest `.docx` or `.pdf` file read, in bytes (their size is mostly images).
pub const MAX_BINARY_BYTES: u64 = 512 * 1024 * 1024;

/// Deepest Markdown nesting (block quotes, list levels) passed on; deeper
/// markers are dropped so the Markdown parser never works through thousands
/// of levels.
pub const MAX_MARKDOWN_NESTING: usize = 32;

/// How a file's text is laid out, which decides how it is normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// Plain text, typically a PDF or Word extraction.
    Text,
    /// Markdown.
    Markdown,
}

/// A corpus file decoded to text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the corpus root, `/`-separated.
    pub rel_path: String,
    /// Layout of the text.
    pub format: SourceFormat,
    /// Decoded text.
    pub text: String,
    /// Name of the encoding it was decoded from (`UTF-8`, `GBK`, `UTF-16LE`,
    /// …; `PDF` for a PDF's text layer).
    pub encoding: &'static str,
    /// Size on disk in bytes.
    pub bytes: u64,
}

/// A corpus entry that was found but not read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    /// Path relative to the corpus root.
    pub rel_path: String,
    /// Why it was skipped or failed.
    pub reason: String,
}

/// What walking a corpus found.
#[derive(Debug, Default)]
pub struct CorpusListing {
    /// Supported files, sorted by relative path.
    pub files: Vec<PathBuf>,
    /// Unsupported files, listed so the user sees them.
    pub skipped: Vec<Skipped>,
    /// Entries that could not be walked (permissions, loops).
    pub failed: Vec<Skipped>,
}

/// The kind of file, by extension, which picks its reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.txt`, `.text`
    Text,
    /// `.md`, `.markdown`
    Markdown,
    /// `.docx`
    Docx,
    /// `.html`, `.htm`
    Html,
    /// `.pdf`
    Pdf,
}

impl FileKind {
    /// The reader for a path, by extension.
    pub fn of(path: &Path) -> Option<FileKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => FileKind::Text,
            "md" | "markdown" => FileKind::Markdown,
            "docx" => FileKind::Docx,
            "html" | "htm" | "xhtml" => FileKind::Html,
            "pdf" => FileKind::Pdf,
            _ => return None,
        })
    }

    /// The text layout its reader produces.
    pub fn format(self) -> SourceFormat {
        match self {
            FileKind::Text | FileKind::Pdf => SourceFormat::Text,
            FileKind::Markdown | FileKind::Docx | FileKind::Html => SourceFormat::Markdown,
        }
    }

    fn max_bytes(self) -> u64 {
        match self {
            FileKind::Docx | FileKind::Pdf => MAX_BINARY_BYTES,
            _ => MAX_TEXT_BYTES,
        }
    }
}

/// Supported format for a path, by extension: the layout of the text its
/// reader produces (`None` for a file govkb does not read).
pub fn format_of(path: &Path) -> Option<SourceFormat> {
    FileKind::of(path).map(FileKind::format)
}

/// Path of `path` relative to `root`, `/`-separated.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Why a file of this name is not read.
fn unsupported_reason(path: &Path) -> String {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "doc" | "wps" | "rtf" => {
            format!("old word-processor format (.{ext}): save it as .docx to have it read")
        }
        "xls" | "xlsx" | "et" | "ppt" | "pptx" | "dps" => {
            format!("spreadsheet or slides (.{ext}) are not read; export the text as .docx or .txt")
        }
        "jpg" | "jpeg" | "png" | "tif" | "tiff" | "bmp" | "gif" => {
            "image: run OCR first and add the text as .txt or a PDF with a text layer".into()
        }
        _ => "unsupported file type (govkb reads .txt, .md, .docx, .html and .pdf)".into(),
    }
}

/// One line for a walk error: the path and what went wrong, in plain words.
fn walk_error(root: &Path, e: &walkdir::Error) -> Skipped {
    let rel_path = e
        .path()
        .map(|p| relative_path(root, p))
        .unwrap_or_else(|| root.display().to_string());
    let is_symlink = e
        .path()
        .and_then(|p| std::fs::symlink_metadata(p).ok())
        .is_some_and(|m| m.file_type().is_symlink());
    let reason = if let Some(ancestor) = e.loop_ancestor() {
        format!(
            "symlink loop: it leads back to {}; not followed",
            match relative_path(root, ancestor) {
                a if a.is_empty() => "the corpus folder".to_string(),
                a => a,
            }
        )
    } else if let Some(io) = e.io_error() {
        match io.kind() {
            std::io::ErrorKind::PermissionDenied => {
                "permission denied: govkb cannot list this folder".to_string()
            }
            std::io::ErrorKind::NotFound if is_symlink => {
                "broken symlink (its target does not exist)".to_string()
            }
            std::io::ErrorKind::NotFound => "vanished while the corpus was listed".to_string(),
            _ if io.raw_os_error() == Some(libc::ELOOP) => {
                "symlink loop (it points to itself)".to_string()
            }
            _ => io.to_string(),
        }
    } else {
        e.to_string()
    };
    Skipped { rel_path, reason }
}

/// Walk `root` (following symlinks, reporting loops) and sort its files into
/// supported and skipped. Hidden entries (`.git`, `.DS_Store`) and Word's
/// `~$` lock files are passed over silently.
pub fn list_corpus(root: &Path) -> Result<CorpusListing> {
    match std::fs::metadata(root) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(Error::Input(format!(
                "cannot open the corpus folder {}: permission denied",
                root.display()
            )))
        }
        Err(_) => {
            return Err(Error::Input(format!(
                "corpus folder {} does not exist",
                root.display()
            )))
        }
        Ok(_) => {}
    }
    if !root.is_dir() {
        return Err(Error::Input(format!(
            "{} is not a folder; pass the corpus folder",
            root.display()
        )));
    }
    let mut listing = CorpusListing::default();
    let walk = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || {
                let name = e.file_name().to_string_lossy();
                !name.starts_with('.') && !name.starts_with("~$")
            }
        });
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if e.depth() == 0 => {
                let why = walk_error(root, &e).reason;
                return Err(Error::Input(format!(
                    "cannot list the corpus folder {}: {why}",
                    root.display()
                )));
            }
            Err(e) => {
                listing.failed.push(walk_error(root, &e));
                continue;
            }
        };
        let path = entry.path();
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            // A pipe would block a read forever; sockets and devices are not documents.
            listing.skipped.push(Skipped {
                rel_path: relative_path(root, path),
                reason: "not a regular file (a pipe, socket or device); not read".into(),
            });
            continue;
        }
        if FileKind::of(path).is_some() {
            listing.files.push(path.to_path_buf());
        } else {
            listing.skipped.push(Skipped {
                rel_path: relative_path(root, path),
                reason: unsupported_reason(path),
            });
        }
    }
    Ok(listing)
}

/// Why a corpus file could not be read, in plain words.
pub fn io_reason(e: std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "file vanished after the corpus was listed (deleted or moved during the run)"
                .to_string()
        }
        std::io::ErrorKind::PermissionDenied => {
            "permission denied: govkb cannot read this file (check its owner and mode)".to_string()
        }
        _ => format!("cannot read: {e}"),
    }
}

/// Read one file whole, with the size limit of its kind and plain reasons
/// for the usual failures.
fn read_bytes(path: &Path, kind: FileKind) -> std::result::Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(io_reason)?;
    if !meta.is_file() {
        return Err("not a regular file any more".into());
    }
    let limit = kind.max_bytes();
    if meta.len() > limit {
        return Err(format!(
            "too large: {:.0} MB, over the {} MB limit for one file; split it or check that it is a document",
            meta.len() as f64 / 1_048_576.0,
            limit / 1_048_576
        ));
    }
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(io_reason)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` guards against a file that grows while it is read.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io_reason)?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "too large: over the {} MB limit for one file",
            limit / 1_048_576
        ));
    }
    Ok(bytes)
}

/// Read and decode one file. Errors name the file and the reason.
pub fn read_source(root: &Path, path: &Path) -> Result<SourceFile> {
    let rel_path = relative_path(root, path);
    let fail = |reason: String| Error::Input(format!("{rel_path}: {reason}"));
    let kind = FileKind::of(path).ok_or_else(|| fail("unsupported file type".into()))?;
    let bytes = read_bytes(path, kind).map_err(fail)?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(fail("file is empty".into()));
    }
    // A file whose content says it is another kind (a PDF saved as .txt) is
    // read as what it is.
    let kind = match kind {
        FileKind::Text | FileKind::Markdown if bytes.starts_with(b"%PDF-") => FileKind::Pdf,
        FileKind::Text | FileKind::Markdown | FileKind::Html
            if bytes.starts_with(b"PK\x03\x04") && docx::is_docx(&bytes) =>
        {
            FileKind::Docx
        }
        k => k,
    };
    let (text, encoding, format) = match kind {
        FileKind::Text | FileKind::Markdown => {
            let (text, enc) = encoding::decode_text(&bytes, None).map_err(fail)?;
            let format = if kind == FileKind::Markdown || looks_like_markdown(&text) {
                SourceFormat::Markdown
            } else {
                SourceFormat::Text
            };
            (text, enc, format)
        }
        FileKind::Html => {
            let (text, enc) = html::read_html(&bytes).map_err(fail)?;
            (text, enc, SourceFormat::Markdown)
        }
        FileKind::Docx => (
            docx::read_docx(&bytes).map_err(fail)?,
            "UTF-8",
            SourceFormat::Markdown,
        ),
        FileKind::Pdf => (
            pdf::read_pdf(&bytes).map_err(fail)?,
            "PDF",
            SourceFormat::Text,
        ),
    };
    if text.trim().is_empty() {
        return Err(fail(match kind {
            FileKind::Docx | FileKind::Html => "no text in the document".into(),
            _ => "file is empty".into(),
        }));
    }
    if !text.chars().any(char::is_alphanumeric) {
        return Err(fail("no text (only punctuation or markup)".into()));
    }
    let text = match format {
        SourceFormat::Markdown => cap_markdown_nesting(text),
        SourceFormat::Text => text,
    };
    Ok(SourceFile {
        rel_path,
        format,
        text,
        encoding,
        bytes: bytes.len() as u64,
    })
}

/// Whether a `.txt` file is really Markdown (a converter's output): several
/// ATX headings (`# `, `## ` …) at line starts.
pub fn looks_like_markdown(text: &str) -> bool {
    let headings = text
        .lines()
        .filter(|l| crate::normalize::atx_level(l).is_some())
        .take(3)
        .count();
    headings >= 3
}

/// Drop container markers nested deeper than [`MAX_MARKDOWN_NESTING`]: runs
/// of `>` and list-marker indentation at a line start. Text is kept; only the
/// structure beyond that depth, which no document has, is flattened.
pub fn cap_markdown_nesting(text: String) -> String {
    if !text.lines().any(|l| container_depth(l).is_none()) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if container_depth(line).is_none() {
            out.push_str(&">".repeat(MAX_MARKDOWN_NESTING));
            out.push(' ');
            out.push_str(line.trim_start_matches(|c: char| {
                c.is_ascii_whitespace()
                    || c.is_ascii_digit()
                    || matches!(c, '>' | '-' | '*' | '+' | '.' | ')')
            }));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Container markers (`>`, list markers) and indentation opening a line, as
/// a nesting depth; `None` when deeper than [`MAX_MARKDOWN_NESTING`].
fn container_depth(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let (mut i, mut depth, mut indent) = (0usize, 0usize, 0usize);
    loop {
        match b.get(i) {
            Some(b' ') => indent += 1,
            Some(b'\t') => indent += 4,
            Some(b'>') => depth += 1,
            Some(b'-' | b'*' | b'+') if matches!(b.get(i + 1), Some(b' ' | b'\t')) => depth += 1,
            Some(b'0'..=b'9') => {
                let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                if digits <= 9
                    && matches!(b.get(i + digits), Some(b'.' | b')'))
                    && matches!(b.get(i + digits + 1), Some(b' ' | b'\t'))
                {
                    depth += 1;
                    i += digits;
                } else {
                    return Some(depth);
                }
            }
            _ => return Some(depth),
        }
        if depth > MAX_MARKDOWN_NESTING || indent > 4 * MAX_MARKDOWN_NESTING {
            return None;
        }
        i += 1;
    }
}

/// Escape text for a Markdown document so it reads back as exactly that
/// text: every ASCII punctuation character gets a backslash (CommonMark
/// lets any be escaped), and leading spaces go (they would make code blocks).
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for c in line.trim_start_matches([' ', '\t']).chars() {
            if c.is_ascii_punctuation() {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// Decode bytes as a text file: BOM-marked UTF-8/UTF-16, UTF-8, UTF-16
/// without a BOM, GBK/GB18030 or Big5 (chardetng). `None` for binary data or
/// text in no supported encoding; [`encoding::decode_text`] says why.
pub fn decode(bytes: &[u8]) -> Option<(String, &'static str)> {
    encoding::decode_text(bytes, None).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_bom_utf16_and_gb18030() {
        let s = "海南乡村振兴简报";
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode(&bom), Some((s.to_string(), "UTF-8")));
        let mut le = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&le), Some((s.to_string(), "UTF-16LE")));
        let (gbk, _, _) = encoding_rs::GB18030.encode(s);
        assert_eq!(decode(&gbk), Some((s.to_string(), "GBK")));
    }

    #[test]
    fn sniffs_markdown_in_txt() {
        assert!(looks_like_markdown("# 简报\n\n## 琼中县\n\n### 一、强化\n"));
        assert!(!looks_like_markdown("#1 item\n一、总体思路\n"));
    }

    #[test]
    fn refuses_binary() {
        assert_eq!(decode(&[0x89, b'P', b'N', b'G', 0, 0, 1]), None);
    }

    #[test]
    fn escaped_markdown_reads_back_as_text() {
        let s = "1. 设立5年过渡期。\n# 不是标题 *强调* [链接](x) | a | <b> &amp; \\";
        let e = escape_markdown(s);
        let mut back = String::new();
        for ev in pulldown_cmark::Parser::new(&e) {
            match ev {
                pulldown_cmark::Event::Text(t) => back.push_str(&t),
                pulldown_cmark::Event::SoftBreak => back.push('\n'),
                _ => {}
            }
        }
        assert_eq!(back, s);
    }

    #[test]
    fn caps_deep_nesting() {
        let deep = format!("{}深\n正常\n", ">".repeat(10_000));
        let capped = cap_markdown_nesting(deep);
        assert_eq!(
            capped,
            format!("{} 深\n正常\n", ">".repeat(MAX_MARKDOWN_NESTING))
        );
        let flat =
            "> 引文\n- 列表\n---------------------------------------------------\n".to_string();
        assert_eq!(cap_markdown_nesting(flat.clone()), flat);
        let list: String = (0..100)
            .map(|i| format!("{}- 第{i}层\n", "  ".repeat(i)))
            .collect();
        let capped = cap_markdown_nesting(list);
        assert!(capped.ends_with(&format!("{} 第99层\n", ">".repeat(MAX_MARKDOWN_NESTING))));
    }
}
