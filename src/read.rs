//! Stage 1, read: walk a corpus folder and decode each supported file to text.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

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
    /// Name of the encoding it was decoded from.
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

/// Supported format for a path, by extension.
pub fn format_of(path: &Path) -> Option<SourceFormat> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "text" => Some(SourceFormat::Text),
        "md" | "markdown" => Some(SourceFormat::Markdown),
        _ => None,
    }
}

/// Path of `path` relative to `root`, `/`-separated.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Walk `root` (following no symlink loops) and sort its files into supported and skipped.
pub fn list_corpus(root: &Path) -> Result<CorpusListing> {
    if !root.exists() {
        return Err(Error::Input(format!(
            "corpus folder {} does not exist",
            root.display()
        )));
    }
    if !root.is_dir() {
        return Err(Error::Input(format!(
            "{} is not a folder; pass the corpus folder",
            root.display()
        )));
    }
    let mut listing = CorpusListing::default();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e
                    .path()
                    .map(|p| relative_path(root, p))
                    .unwrap_or_else(|| root.display().to_string());
                listing.failed.push(Skipped {
                    rel_path: rel,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        if format_of(path).is_some() {
            listing.files.push(path.to_path_buf());
        } else {
            listing.skipped.push(Skipped {
                rel_path: relative_path(root, path),
                reason: "unsupported file type (govkb reads .txt and .md)".into(),
            });
        }
    }
    Ok(listing)
}

/// Read and decode one file. Errors name the file and the reason.
pub fn read_source(root: &Path, path: &Path) -> Result<SourceFile> {
    let rel_path = relative_path(root, path);
    let format = format_of(path)
        .ok_or_else(|| Error::Input(format!("{rel_path}: unsupported file type")))?;
    let bytes = std::fs::read(path).map_err(|e| Error::Input(format!("{rel_path}: {e}")))?;
    let (text, encoding) = decode(&bytes)
        .ok_or_else(|| Error::Input(format!("{rel_path}: {}", undecodable(&bytes))))?;
    if text.trim().is_empty() {
        return Err(Error::Input(format!("{rel_path}: file is empty")));
    }
    let format = if format == SourceFormat::Text && looks_like_markdown(&text) {
        SourceFormat::Markdown
    } else {
        format
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
        .filter(|l| {
            let hashes = l.chars().take_while(|&c| c == '#').count();
            (1..=6).contains(&hashes) && l[hashes..].starts_with(' ')
        })
        .take(3)
        .count();
    headings >= 3
}

fn undecodable(bytes: &[u8]) -> &'static str {
    if bytes.contains(&0) {
        "binary content, not text"
    } else {
        "text in an unknown encoding (not UTF-8, UTF-16 or GB18030)"
    }
}

/// Decode bytes: BOM-marked UTF-8/UTF-16, else UTF-8, else GB18030 when it decodes cleanly.
/// Returns `None` for binary data or text that no supported encoding decodes.
pub fn decode(bytes: &[u8]) -> Option<(String, &'static str)> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (!had_errors).then(|| (text.into_owned(), enc.name()));
    }
    if bytes.contains(&0) {
        return None;
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some((s.to_string(), "UTF-8"));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!had_errors).then(|| (text.into_owned(), "GB18030"))
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
        assert_eq!(decode(&gbk), Some((s.to_string(), "GB18030")));
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
}
