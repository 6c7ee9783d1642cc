//! Text encodings: a byte-order mark, UTF-8, UTF-16 without a BOM, and the
//! legacy Chinese encodings (GBK/GB2312/GB18030, Big5) detected with
//! chardetng. Anything else is refused with a reason, never guessed into
//! mojibake.

use encoding_rs::{Encoding, BIG5, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

/// Decode the bytes of a text file. `declared` is an encoding the file names
/// itself (an HTML `<meta charset>`); a BOM or valid UTF-8 still wins over it.
/// Returns the text and the name of the encoding it was decoded from, or a
/// one-line reason it is not text govkb can read.
pub fn decode_text(
    bytes: &[u8],
    declared: Option<&'static Encoding>,
) -> Result<(String, &'static str), String> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return strict(enc, &bytes[bom_len..])
            .map(|t| (t, enc.name()))
            .ok_or_else(|| {
                format!(
                    "starts with a {} byte-order mark but has invalid {} data at byte {}",
                    enc.name(),
                    enc.name(),
                    bom_len + first_error(enc, &bytes[bom_len..]).unwrap_or(0)
                )
            });
    }
    if bytes.contains(&0) {
        if let Some(found) = utf16_without_bom(bytes) {
            return Ok(found);
        }
        // NUL padding after the text, as a crash or a fixed-size export leaves.
        let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        if end > 0 && !bytes[..end].contains(&0) {
            return decode_text(&bytes[..end], declared);
        }
        return Err(binary_reason(bytes));
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(s) => {
            // A few GBK characters can form valid UTF-8 by chance (`通知` is
            // U+0368 U+05AA): combining marks and Hebrew, no Chinese.
            if odd_two_byte_utf8(s) {
                if let Some(text) = strict(GBK, bytes).filter(|t| all_cjk(t)) {
                    return plain_text(text, GBK.name(), bytes);
                }
            }
            return plain_text(s.to_string(), "UTF-8", bytes);
        }
        Err(e) => e.valid_up_to(),
    };
    // UTF-8 with a few bad bytes is a damaged UTF-8 file, not GBK: decoding
    // it as anything else would index mojibake.
    let (multibyte, errors) = utf8_damage(bytes);
    if multibyte >= 8 && multibyte >= 10 * errors {
        return Err(format!(
            "invalid UTF-8: {errors} malformed byte sequence{}, the first at byte {utf8_error} (the rest is UTF-8: a damaged or cut-off file?); repair it or re-save it as UTF-8",
            if errors == 1 { "" } else { "s" }
        ));
    }
    if let Some(enc) = declared.filter(|e| *e != UTF_8 && !is_utf16(e)) {
        if let Some(text) = strict(enc, bytes) {
            return plain_text(text, enc.name(), bytes);
        }
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    // A Chinese archive holds GB-family and Big5 text; chardetng names the GB
    // family "GBK", whose decoder is GB18030's (4-byte sequences included).
    let chinese: &[&'static Encoding] = if guess == BIG5 {
        &[BIG5, GBK]
    } else {
        &[GBK, BIG5]
    };
    if guess == GBK || guess == BIG5 || guess == GB18030 {
        for &enc in chinese {
            if let Some(text) = strict(enc, bytes) {
                return plain_text(text, enc.name(), bytes);
            }
        }
    }
    // A handful of bytes is too little for the detector; in a Chinese
    // archive, short text that decodes as GBK into Chinese is GBK.
    if bytes.iter().filter(|b| !b.is_ascii()).count() < 64 {
        if let Some(text) = strict(GBK, bytes).filter(|t| all_cjk(t)) {
            return plain_text(text, GBK.name(), bytes);
        }
    }
    if let Some(found) = utf16_without_bom(bytes) {
        return Ok(found);
    }
    if looks_binary(bytes) {
        return Err(binary_reason(bytes));
    }
    Err(format!(
        "not valid UTF-8 (first invalid byte at offset {utf8_error}) and not GBK/GB18030, Big5 or UTF-16 either (closest guess: {}); re-save the file as UTF-8",
        guess.name()
    ))
}

/// Count the UTF-8 multi-byte characters in the valid stretches of `bytes`
/// and the malformed sequences between them.
fn utf8_damage(bytes: &[u8]) -> (usize, usize) {
    let (mut multibyte, mut errors, mut pos) = (0usize, 0usize, 0usize);
    let leads = |b: &[u8]| b.iter().filter(|&&x| x >= 0xC0).count();
    while pos < bytes.len() {
        match std::str::from_utf8(&bytes[pos..]) {
            Ok(_) => {
                multibyte += leads(&bytes[pos..]);
                break;
            }
            Err(e) => {
                multibyte += leads(&bytes[pos..pos + e.valid_up_to()]);
                errors += 1;
                pos +=
                    e.valid_up_to() + e.error_len().unwrap_or(bytes.len() - pos - e.valid_up_to());
            }
        }
    }
    (multibyte, errors)
}

/// Valid UTF-8 with no character above U+07FF and some that no Chinese or
/// Western text uses (IPA, combining marks, Armenian, Hebrew, Arabic …).
fn odd_two_byte_utf8(s: &str) -> bool {
    let mut odd = false;
    for c in s.chars() {
        match c as u32 {
            0x800.. => return false,
            0x250..=0x36F | 0x500..=0x7FF => odd = true,
            _ => {}
        }
    }
    odd
}

/// Every non-ASCII char is a CJK ideograph or CJK/full-width punctuation.
fn all_cjk(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_ascii()
            || matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2010..=0x2027)
    })
}

fn is_utf16(e: &'static Encoding) -> bool {
    e == UTF_16LE || e == UTF_16BE
}

/// Decode without replacement characters, or `None` on any malformed sequence.
fn strict(enc: &'static Encoding, bytes: &[u8]) -> Option<String> {
    enc.decode_without_bom_handling_and_without_replacement(bytes)
        .map(|c| c.into_owned())
}

/// Byte offset of the first malformed sequence for `enc`.
fn first_error(enc: &'static Encoding, bytes: &[u8]) -> Option<usize> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = vec![0u8; 4096];
    let mut pos = 0;
    loop {
        let (result, read, _) =
            decoder.decode_to_utf8_without_replacement(&bytes[pos..], &mut out, true);
        pos += read;
        match result {
            encoding_rs::DecoderResult::InputEmpty => return None,
            encoding_rs::DecoderResult::OutputFull => continue,
            encoding_rs::DecoderResult::Malformed(bad, after) => {
                return Some(pos.saturating_sub(bad as usize + after as usize))
            }
        }
    }
}

/// Accept decoded text unless control characters show it is binary after all.
fn plain_text(
    text: String,
    name: &'static str,
    bytes: &[u8],
) -> Result<(String, &'static str), String> {
    if control_share(&text) > 0.01 {
        return Err(binary_reason(bytes));
    }
    Ok((text, name))
}

/// Share of chars that never occur in text: C0 controls other than tab, line
/// breaks and form feed, DEL, and U+FFFD.
fn control_share(text: &str) -> f64 {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars().take(1 << 20) {
        total += 1;
        if (c < ' ' && !matches!(c, '\t' | '\n' | '\r' | '\x0C')) || c == '\x7F' || c == '\u{FFFD}'
        {
            bad += 1;
        }
    }
    bad as f64 / total.max(1) as f64
}

fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(1 << 16)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    controls * 100 > sample.len() || magic(bytes).is_some()
}

/// UTF-16 without a BOM: both byte orders are tried, and the one whose text
/// is mostly CJK, ASCII and punctuation wins (a NUL byte is the high half of
/// an ASCII char or the low half of `一` U+4E00, so NULs alone do not tell
/// the byte order).
fn utf16_without_bom(bytes: &[u8]) -> Option<(String, &'static str)> {
    if bytes.len() < 2 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let has_nul = bytes.contains(&0);
    [UTF_16LE, UTF_16BE]
        .into_iter()
        .filter_map(|enc| {
            let text = strict(enc, bytes)?;
            let share = cjk_text_share(&text);
            Some((share, text, enc.name()))
        })
        .filter(|(share, text, _)| {
            // Without NULs (no ASCII at all) the bar is higher, since random
            // byte pairs land among the ideographs a third of the time.
            if has_nul {
                *share >= 0.95
            } else {
                *share >= 0.99 && text.chars().count() >= 8
            }
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, text, name)| (text, name))
}

/// Share of chars that read as Chinese or ASCII text: common CJK
/// ideographs, CJK and full-width punctuation, printable ASCII, line breaks.
fn cjk_text_share(text: &str) -> f64 {
    let mut total = 0usize;
    let mut good = 0usize;
    for c in text.chars().take(1 << 20) {
        total += 1;
        let ok = matches!(c as u32,
            0x20..=0x7E | 0x4E00..=0x9FFF | 0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2000..=0x206F)
            || matches!(c, '\t' | '\n' | '\r');
        good += ok as usize;
    }
    good as f64 / total.max(1) as f64
}

/// A file type recognised by its first bytes.
pub fn magic(bytes: &[u8]) -> Option<&'static str> {
    const MAGICS: &[(&[u8], &str)] = &[
        (b"%PDF-", "a PDF file"),
        (
            b"PK\x03\x04",
            "a ZIP archive (a .docx? give it the .docx extension)",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an old Office file (.doc/.xls/.wps); save it as .docx",
        ),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xBC\xAF", "a 7-Zip archive"),
        (b"\x7FELF", "an executable"),
        (b"MZ", "a Windows executable"),
        (b"{\\rtf", "an RTF file; save it as .docx"),
    ];
    MAGICS
        .iter()
        .find(|(m, _)| bytes.starts_with(m))
        .map(|&(_, what)| what)
}

fn binary_reason(bytes: &[u8]) -> String {
    match magic(bytes) {
        Some(what) => format!("binary content, not text: this is {what}"),
        None => "binary content, not text".to_string(),
    }
}

/// The charset an HTML page declares in its first 1024 bytes
/// (`<meta charset=…>` or `<meta http-equiv … content="…; charset=…">`).
pub fn html_declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"charset") {
        let mut j = from + i + b"charset".len();
        while j < lower.len() && matches!(lower[j], b' ' | b'\t' | b'\n' | b'\r') {
            j += 1;
        }
        if lower.get(j) == Some(&b'=') {
            j += 1;
            while j < lower.len() && matches!(lower[j], b' ' | b'"' | b'\'') {
                j += 1;
            }
            let end = lower[j..]
                .iter()
                .position(|b| matches!(b, b'"' | b'\'' | b';' | b' ' | b'>' | b'/'))
                .map_or(lower.len(), |k| j + k);
            if let Some(enc) = Encoding::for_label(&lower[j..end]) {
                // A page that says UTF-16 while being read as bytes is UTF-8 (HTML spec).
                return Some(if is_utf16(enc) { UTF_8 } else { enc });
            }
        }
        from += i + 1;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTICE: &str = "各镇党委、人民政府，各街道工委、办事处，区机关各部门，区直各单位：现将《海口市美兰区巩固拓展脱贫攻坚成果同乡村振兴有效衔接的实施方案》印发给你们，请认真贯彻落实。";

    #[test]
    fn gbk_without_bom_is_detected() {
        let (bytes, _, _) = GBK.encode(NOTICE);
        assert_eq!(decode_text(&bytes, None), Ok((NOTICE.to_string(), "GBK")));
        for short in ["海南乡村振兴简报", "通知", "海南", "美发〔2021〕7号"] {
            let (bytes, _, _) = GBK.encode(short);
            assert_eq!(decode_text(&bytes, None), Ok((short.to_string(), "GBK")));
        }
        // Real two-byte UTF-8 stays UTF-8.
        for s in ["café ±5 °C", "Привет"] {
            assert_eq!(
                decode_text(s.as_bytes(), None),
                Ok((s.to_string(), "UTF-8"))
            );
        }
    }

    #[test]
    fn big5_without_bom_is_detected() {
        let s = "各鎮黨委、人民政府，各街道工委、辦事處，區機關各部門：現將實施方案印發給你們，請認真貫徹落實。鄉村振興簡報。";
        let (bytes, _, errors) = BIG5.encode(s);
        assert!(!errors);
        assert_eq!(decode_text(&bytes, None), Ok((s.to_string(), "Big5")));
    }

    #[test]
    fn utf16_without_bom_is_detected() {
        let s = format!("{NOTICE}\n2021年8月17日\n");
        let le: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode_text(&le, None), Ok((s.clone(), "UTF-16LE")));
        assert_eq!(decode_text(&be, None), Ok((s.clone(), "UTF-16BE")));
    }

    #[test]
    fn latin1_and_binary_are_refused() {
        let err = decode_text(b"caf\xe9 au lait, cr\xe8me br\xfbl\xe9e", None).unwrap_err();
        assert!(err.contains("not valid UTF-8"), "{err}");
        let err = decode_text(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None).unwrap_err();
        assert!(err.contains("PNG"), "{err}");
        let err = decode_text(&[7u8, 1, 2, 3, 200, 201, 5, 6, 9, 10, 250, 3], None).unwrap_err();
        assert!(
            err.starts_with("binary") || err.contains("not valid UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn declared_html_charset() {
        assert_eq!(
            html_declared_charset(b"<html><head><meta charset=\"gb2312\">"),
            Some(GBK)
        );
        assert_eq!(
            html_declared_charset(
                b"<META http-equiv=Content-Type content='text/html; charset=GB18030'>"
            ),
            Some(GB18030)
        );
        assert_eq!(html_declared_charset(b"<html><body>charset"), None);
    }
}
